import { Generator, kernels, Tensor, type BackendName } from '../portable.js';
import { underBackend } from './checkParity.js';
import type { OpRow } from './opCases.js';
import { maxRelErr } from './tolerance.js';

/** One row of an op parity table: how far `backend` is from `reference` on the op and its gradients. */
export interface OpParityResult {
  /** The row's name in {@link OP_CASES}. */
  name: string;
  backend: BackendName;
  reference: BackendName;
  /** {@link maxRelErr} of the outputs. */
  outputErr: number;
  /** Largest {@link maxRelErr} over the gradients of the differentiable inputs (0 when none). */
  gradErr: number;
  /** The tolerance the row was held to. */
  tol: number;
  /** Kernel launches that ran on `backend` (0: the op is a view and launches nothing). */
  launches: number;
  /** Both errors below `tol`, and no error thrown. */
  pass: boolean;
  /** The message of an error thrown under either backend. */
  error?: string;
}

/**
 * Runs one row of the op table under `reference` and under `backend` on the same inputs (from
 * `new Generator(123)`, as {@link checkOp} makes them) and compares the outputs and the gradients
 * of Σ output·W ({@link underBackend}). Needs no test runner, so a page runs it on WebGL.
 *
 * @example
 * const rows = OP_CASES.map((row) => opParity(row, 'webgl2', 'cpu', 1e-4));
 * rows.filter((r) => !r.pass); // the ops WebGL2 gets wrong, with their errors
 */
export function opParity(row: OpRow, backend: BackendName, reference: BackendName, tol: number): OpParityResult {
  if (!(tol > 0)) throw new RangeError(`opParity: tol must be a positive number, got ${String(tol)}`);
  const base = { name: row.name, backend, reference, tol };
  try {
    const rng = new Generator(123);
    const c = row.case;
    const inputs = c.shapes.map((s, i) => (c.make ? c.make(s, rng, i) : Tensor.randn(s, rng)));
    inputs.forEach((x, i) => {
      if (!c.noGrad?.includes(i)) x.requiresGrad_();
    });
    const run = () => ({ output: row.op(...inputs), inputs });
    const expected = underBackend(reference, run);
    const before = kernels.stats().calls[backend];
    const got = underBackend(backend, run);
    const launches = kernels.stats().calls[backend] - before;
    const outputErr = maxRelErr(got[0]!, expected[0]!);
    const gradErr = expected.slice(1).reduce((m, g, i) => Math.max(m, maxRelErr(got[i + 1]!, g)), 0);
    return { ...base, outputErr, gradErr, launches, pass: outputErr < tol && gradErr < tol };
  } catch (error) {
    return { ...base, outputErr: Infinity, gradErr: Infinity, launches: 0, pass: false, error: error instanceof Error ? error.message : String(error) };
  }
}
