import { Tensor } from '../tensor/Tensor.js';
import { Generator } from '../random/Generator.js';
import { noGrad } from './gradMode.js';

/** Options of {@link gradcheck}. */
export interface GradcheckOptions {
  /** Finite-difference step (default 1e-3). */
  eps?: number;
  /** Absolute tolerance (default 2e-3). */
  atol?: number;
  /** Relative tolerance (default 2e-2). */
  rtol?: number;
  /** Seed of the random projection that turns the output into a scalar. */
  seed?: number;
  /** Check only this many entries per input, chosen at random (default: all). */
  maxPerInput?: number;
}

/** Outcome of {@link gradcheck}: the largest mismatch and where it happened. */
export interface GradcheckResult {
  ok: boolean;
  maxError: number;
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
}

/**
 * Compares autograd gradients of `fn` against central finite differences,
 * ∂L/∂xᵢ ≈ (L(x + εeᵢ) − L(x − εeᵢ)) / 2ε, with L = Σ fn(x)·R for a fixed random R, for every
 * input that requires grad. Inputs are float32, so tolerances are those of single precision.
 *
 * @example
 * const x = Tensor.randn([3, 4], rng).requiresGrad_();
 * gradcheck((x) => x.tanh(), [x]).ok; // true
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckResult {
  const eps = options.eps ?? 1e-3;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const rng = new Generator(options.seed ?? 7);
  const probe = fn(...inputs);
  const weights = Tensor.randn(probe.shape, rng);
  const scalar = (out: Tensor): number => {
    let s = 0;
    for (let i = 0; i < out.size; i++) s += out.data[i]! * weights.data[i]!;
    return s;
  };
  for (const x of inputs) x.grad = null;
  const loss = probe.mul(weights).sum();
  if (loss.requiresGrad) loss.backward();
  let maxError = 0;
  let ok = true;
  let worst: GradcheckResult['worst'] = null;
  inputs.forEach((x, which) => {
    if (!x.requiresGrad) return;
    const analytic = x.grad?.data ?? new Float32Array(x.size);
    for (const i of positions(x.size, options.maxPerInput, rng)) {
      const saved = x.data[i]!;
      x.data[i] = saved + eps;
      const plus = noGrad(() => scalar(fn(...inputs)));
      x.data[i] = saved - eps;
      const minus = noGrad(() => scalar(fn(...inputs)));
      x.data[i] = saved;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i]!;
      const err = Math.abs(a - numeric);
      const allowed = atol + rtol * Math.abs(numeric);
      if (err > allowed) ok = false;
      if (err - allowed > (worst ? Math.abs(worst.analytic - worst.numeric) - (atol + rtol * Math.abs(worst.numeric)) : -Infinity)) {
        worst = { input: which, index: i, analytic: a, numeric };
      }
      maxError = Math.max(maxError, err);
    }
  });
  return { ok, maxError, worst };
}

function positions(n: number, max: number | undefined, rng: Generator): number[] {
  if (max === undefined || max >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from(rng.permutation(n).subarray(0, max));
}
