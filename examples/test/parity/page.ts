// The page of browser-modules.test.ts, bundled for Chromium in one ES module with the `browser`
// condition (so one copy of @eole/core and one kernel registry for every package): runs the module
// and criterion case tables of every package, the same rows as their Node tests, on a WebGL backend
// against `cpu`.
import { backendAvailable, BACKENDS, kernels, type BackendName } from '@eole/core';
import { criterionParity, moduleParity, type ModuleParityResult } from '@eole/core/testing';
import { CRITERIA, TABLES } from './tables.js';

/** One row's result, with the package of its table. */
export interface ModuleRow extends ModuleParityResult {
  pkg: string;
  ms: number;
}

/** What the page reports to the test. */
export interface ModulePageReport {
  /** Backends gpu.js can run in this page. */
  available: BackendName[];
  backend: BackendName;
  /** The WebGL renderer gpu.js drew into (null on webasm and cpu). */
  renderer: string | null;
  rows: ModuleRow[];
  /** Kernel launches per backend over all the tables. */
  calls: Record<BackendName, number>;
  ms: number;
}

/**
 * Runs every row of every table on `backend` against `cpu`, each held to `factor` times its own
 * cpu/webasm tolerance (the row's `parityTol`, default 1e-5, as checkModule's parity check).
 */
function runModules(backend: BackendName, factor: number): ModulePageReport {
  const t0 = performance.now();
  kernels.resetStats();
  const rows: ModuleRow[] = [];
  for (const [pkg, table] of Object.entries(TABLES)) {
    for (const [name, c] of Object.entries(table)) {
      const r0 = performance.now();
      const r = moduleParity(name, c, backend, 'cpu', factor * (c.parityTol ?? 1e-5));
      rows.push({ ...r, pkg, ms: performance.now() - r0 });
    }
  }
  for (const [pkg, table] of Object.entries(CRITERIA)) {
    for (const [name, c] of Object.entries(table)) {
      const r0 = performance.now();
      rows.push({ ...criterionParity(name, c, backend, 'cpu', factor * 1e-5), pkg, ms: performance.now() - r0 });
    }
  }
  return { available: BACKENDS.filter(backendAvailable), backend, renderer: kernels.renderer(backend), rows, calls: kernels.stats().calls, ms: performance.now() - t0 };
}

(globalThis as unknown as { eole: unknown }).eole = { runModules };
