import type { BenchName } from './args.js';
import type { LstmProfile } from './lstm.js';
import { fmtMs } from './report.js';
import { tfWasmFeatures } from './tfjs.js';

/** How thread counts apply: Eole rows once per count, peers once. */
export function threadsNote(threads: readonly number[]): string {
  const mt = tfWasmFeatures().threads;
  return (
    `Threads: every Eole row runs once per thread count (${threads.join(', ')}; \`kernels.setThreads(n)\` before its warm-up, n = 1 is the pool off), its id ending in \`.t<n>\`; ` +
    'the pool splits large webasm launches, so the forced-cpu rows at n > 1 only check that nothing else changes. ' +
    `The peers run once, on one thread: tfjs-backend-wasm's multi-threaded build does not start in Node (tfjs reports WASM_HAS_MULTITHREAD_SUPPORT = ${String(mt)} here), so tfjs wasm runs its single-threaded build; tfjs cpu, ConvNetJS, brain.js and plain JS are single-threaded JavaScript.`
  );
}

/** What the columns mean, and how each benchmark is checked. */
const COLUMNS =
  'Backend: our kernels launched during the timed region, per call (from kernels.stats()), so for a training step the launches per step; for peers, the tfjs backend.';

const CHECKS: Partial<Record<BenchName, string>> = {
  matmul: 'matmul: throughput is 2·n³ ÷ time (GFLOP/s); max abs diff against a float64 oracle.',
  mlp: 'MLP: max abs diff of the losses of two steps and all parameters after them, against Eole auto at 1 thread.',
  lenet:
    "LeNet-5 (relu, max pooling, SGD lr 0.05, seeded uniform inputs and labels): every implementation starts from the same weights (Eole's init, converted to tfjs HWIO / [in, out] and ConvNetJS volumes); " +
    'max abs diff: training, losses of two steps and all parameters after them; inference, class probabilities of the 256 samples before training; both against Eole auto at 1 thread. ' +
    'ConvNetJS computes in float64 and steps after 32 per-sample gradients; tfjs-layers uses softmax + categorical cross-entropy (same function as log-softmax + NLL).',
  lstm:
    "LSTM step (seeded uniform x [32, 20, 64] and targets [32, 10]): LSTM(64 → 128) over the 20 steps, Linear(128 → 10) on the last hidden state, MSE, backpropagation through time, SGD lr 0.1. " +
    "Eole and tfjs-layers (`tf.layers.lstm({units: 128, recurrentActivation: 'sigmoid'})` + dense, `trainOnBatch`) start from the same weights (Eole's init; Keras kernels are the transposes, gates i, f, g/c, o in the same order, its one bias = b_ih + b_hh); " +
    'max abs diff: the loss of the first step and every parameter after it (for the LSTM bias, its change), against Eole auto at 1 thread.',
  dcgan:
    "DCGAN step (seeded real batch [64, 1, 28, 28] uniform in (−1, 1), z [64, 64] ~ N(0, 1), the same z for both halves): @eole/gan's DCGANGenerator({ nz: 64, ngf: 32 }) and DCGANDiscriminator({ ndf: 32 }), Adam lr 2e-4, betas (0.5, 0.999), eps 1e-8, one per net. " +
    'D step: G(z) without a graph, D on the real batch and on the fakes (two batches, two sets of BN statistics), discriminatorLoss backward, Adam; G step: D frozen (no gradient for its weights, as tfjs computes none for variables outside the list), generatorLoss(D(G(z))) backward, Adam. ' +
    "tfjs-core does the same in NHWC (matMul, conv2dTranspose, conv2d, moments + batchNorm in training mode with running statistics, relu, leakyRelu 0.2, tanh, sigmoidCrossEntropy on the logits, tf.train.adam(2e-4, 0.5, 0.999, 1e-8), optimizer.minimize per net), from the same weights (Eole's N(0, 0.02) init; Linear units reordered between NCHW and NHWC, kernels to [kH, kW, ·, ·]). " +
    'max abs diff: the (D, G) losses of two steps and every parameter after them except any bias that feeds a batch normalization (where the nets have one, its gradient is exactly 0, so Adam moves it by ±lr on the sign of rounding noise), against Eole auto at 1 thread; Adam divides each gradient by its running RMS, so weights whose gradient is mostly cancellation (those feeding a batch normalization) may differ by a small fraction of lr (2e-4) between two correct implementations.',
};

/** How the step profiles are taken. */
export const PROFILE_NOTE =
  'Profiles: `kernels.profile` over one warm training step of Eole auto after its timing, at each thread count (of 3 profiled steps, the one of median wall time); ms is wall time inside each kernel\'s launches (copy in, run, copy out), share is of the whole step; the rest of the step is JavaScript around the launches. The JSON keeps every kernel (`profiles`).';

/** The notes under the table, for the benchmarks that ran. */
export function notesFor(ran: ReadonlySet<BenchName>, threads: readonly number[], extra: readonly string[]): string[] {
  const checks = [...ran].map((b) => CHECKS[b]).filter((c): c is string => c !== undefined);
  return [threadsNote(threads), COLUMNS, ...checks, ...extra];
}

/** Eole's LSTM step split into forward, backward and update, for the notes. */
export function lstmPhaseLine(p: LstmProfile): string {
  const k = (c: Partial<Record<string, number>>): string => Object.entries(c).map(([b, n]) => `${b} ×${n}`).join(', ');
  return `Eole LSTM step, auto dispatch, ${p.threads} thread${p.threads === 1 ? '' : 's'}, by phase (median of 5): forward + loss ${fmtMs(p.forwardMs)} ms (${k(p.kernels.forward)}), backward ${fmtMs(p.backwardMs)} ms (${k(p.kernels.backward)}), SGD update ${fmtMs(p.updateMs)} ms (${k(p.kernels.update)}).`;
}
