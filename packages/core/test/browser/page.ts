// The page of browser.test.ts, bundled for Chromium: runs core's op table (src/testing/opCases.ts)
// on a WebGL backend against `cpu` and reports what it ran on.
import { backendAvailable, BACKENDS, kernels, type BackendName } from '../../src/browser.js';
import { OP_CASES } from '../../src/testing/opCases.js';
import { opParity, type OpParityResult } from '../../src/testing/opParity.js';

/** What the page reports to the test. */
export interface PageReport {
  /** Backends gpu.js can run in this page. */
  available: BackendName[];
  backend: BackendName;
  /** The WebGL renderer gpu.js drew into, from the context's RENDERER parameter. */
  renderer: string | null;
  rows: OpParityResult[];
  /** Kernel launches per backend over the whole table. */
  calls: Record<BackendName, number>;
  ms: number;
}

function runParity(backend: BackendName, tol: number): PageReport {
  const t0 = performance.now();
  kernels.resetStats();
  const rows = OP_CASES.map((row) => opParity(row, backend, 'cpu', tol));
  return { available: BACKENDS.filter(backendAvailable), backend, renderer: kernels.renderer(backend), rows, calls: kernels.stats().calls, ms: performance.now() - t0 };
}

(globalThis as unknown as { eole: unknown }).eole = { runParity };
