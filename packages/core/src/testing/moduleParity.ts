import { Generator, kernels, noGrad, Tensor, type BackendName, type Module } from '../portable.js';
import { forwardOf, inputFor, MODULE_CHECKS, type ModuleCase } from './ModuleCase.js';
import { normRelErr } from './tolerance.js';

/** One row of a module parity table: how far `backend` is from `reference` on a Torch7 forward and backward. */
export interface ModuleParityResult {
  /** The row's name in its table. */
  name: string;
  backend: BackendName;
  reference: BackendName;
  /** {@link normRelErr} of the outputs. */
  outputErr: number;
  /** {@link normRelErr} of gradInput (0 for a row whose input takes no gradient). */
  inputGradErr: number;
  /** Largest {@link normRelErr} over the parameter gradients (0 when the module has none). */
  paramGradErr: number;
  /** The parameter of `paramGradErr` (empty when none). */
  worstParam: string;
  /** How many parameter tensors were compared. */
  params: number;
  /** Whether the backward ran: false for a row whose checks never run one (only `roundTrip`), compared on its output only. */
  backward: boolean;
  /** The tolerance the row was held to. */
  tol: number;
  /** Kernel launches that ran on `backend` (0: a view-only module such as View). */
  launches: number;
  /** All errors below `tol`, every parameter received a gradient, and no error was thrown. */
  pass: boolean;
  /** The message of an error thrown under either backend, or the parameters left without a gradient. */
  error?: string;
}

/** The fixed gradOutput of a run: standard normal from seed 99, as checkModuleParity uses. */
const gradOutput = (shape: readonly number[]): Tensor => Tensor.randn(shape, new Generator(99));

interface Run {
  output: Float32Array;
  input: Float32Array;
  params: [string, Float32Array][];
  missing: string[];
}

/** A fresh module (seed 13) and input (seed 23), one Torch7 forward and `backward(input, gradOutput)` under `backend`. */
function runUnder(c: ModuleCase, backend: BackendName, large: boolean, backward: boolean): Run {
  const make = large ? (c.parityMake ?? c.make) : c.make;
  const shape = large ? (c.parityShape ?? c.shape) : c.shape;
  return kernels.withBackend(backend, () => {
    const m: Module = make(new Generator(13));
    const x = inputFor(c, shape, 23);
    for (const p of m.parameters()) p.grad = null;
    const y = backward ? forwardOf(c, m, x) : noGrad(() => forwardOf(c, m, x));
    if (!backward) return { output: Float32Array.from(y.data), input: new Float32Array(0), params: [], missing: [] };
    const gi = m.backward(x, gradOutput(y.shape));
    const named = m.namedParameters();
    return {
      output: Float32Array.from(y.data),
      input: Float32Array.from(gi.data),
      params: named.map(([name, p]) => [name, Float32Array.from(p.grad?.data ?? [])]),
      missing: named.flatMap(([name, p]) => (p.grad ? [] : [name])),
    };
  });
}

/**
 * Runs one row of a module table ({@link ModuleCase}) under `reference` and under `backend`: a
 * module from seed 13 and an input from seed 23 (the row's `shape` and `make`, or with `large` its
 * `parityShape` and `parityMake`), a Torch7 forward and `backward(input, gradOutput)`, and compares
 * the output, gradInput and every parameter's gradient ({@link normRelErr}, relative to the
 * reference's scale). A row whose checks are only `roundTrip` (a module the Node test never
 * differentiates) is compared on its output alone. Needs no test runner, so a page runs it on WebGL.
 *
 * @example
 * const r = moduleParity('Linear', { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5] }, 'webgl2', 'cpu', 1e-4);
 * r.pass; // output, gradInput and both parameter gradients within 1e-4
 */
export function moduleParity(name: string, c: ModuleCase, backend: BackendName, reference: BackendName, tol: number, large = false): ModuleParityResult {
  if (!(tol > 0)) throw new RangeError(`moduleParity: tol must be a positive number, got ${String(tol)}`);
  const backward = (c.checks ?? MODULE_CHECKS).some((check) => check !== 'roundTrip');
  const base = { name, backend, reference, tol, worstParam: '', params: 0, backward };
  try {
    const expected = runUnder(c, reference, large, backward);
    const before = kernels.stats().calls[backend];
    const got = runUnder(c, backend, large, backward);
    const launches = kernels.stats().calls[backend] - before;
    const outputErr = normRelErr(got.output, expected.output);
    const inputGradErr = backward && (c.inputGrad ?? true) ? normRelErr(got.input, expected.input) : 0;
    let paramGradErr = 0;
    let worstParam = '';
    expected.params.forEach(([pname, g], i) => {
      const e = normRelErr(got.params[i]?.[1] ?? [], g);
      if (e > paramGradErr || (Number.isNaN(e) && worstParam === '')) [paramGradErr, worstParam] = [e, pname];
    });
    const missing = [...new Set([...expected.missing, ...got.missing])];
    const pass = outputErr < tol && inputGradErr < tol && paramGradErr < tol && missing.length === 0;
    return { ...base, outputErr, inputGradErr, paramGradErr, worstParam, params: expected.params.length, launches, pass, ...(missing.length > 0 ? { error: `no gradient for ${missing.join(', ')}` } : {}) };
  } catch (error) {
    return { ...base, outputErr: Infinity, inputGradErr: Infinity, paramGradErr: Infinity, launches: 0, pass: false, error: error instanceof Error ? error.message : String(error) };
  }
}
