import { Tensor } from '@eole/core';
import { kernel } from '../kernels/kernel.js';

/** log σ(x) = min(x, 0) − log(1 + e^−|x|): no overflow for any x. */
const FORWARD = `function(x) {
  const v = x[this.thread.x];
  return Math.min(v, 0) - Math.log(1 + Math.exp(-Math.abs(v)));
}`;

/** ∂ log σ(x)/∂x = σ(−x) = 1 − σ(x). */
const BACKWARD = `function(g, x) {
  const v = x[this.thread.x];
  return g[this.thread.x] / (1 + Math.exp(v));
}`;

/**
 * Elementwise log-sigmoid, log σ(x) = −log(1 + e^−x), computed as min(x, 0) − log(1 + e^−|x|) so
 * that it stays finite for large |x| (`torch.nn.functional.logsigmoid`). Backward: ∂x = g·σ(−x).
 * The loss of word2vec's negative sampling is built from it.
 *
 * @example
 * logSigmoid(Tensor.from([-100, 0, 100])).toArray(); // [-100, -0.6931, 0]
 */
export function logSigmoid(x: Tensor): Tensor {
  const out = new Tensor(kernel('logSigmoid', FORWARD).run({ output: [x.size], args: [x.data] }), x.shape);
  return Tensor.record(out, 'logSigmoid', [x], (g) => [new Tensor(kernel('logSigmoid.back', BACKWARD).run({ output: [x.size], args: [g.data, x.data] }), x.shape)]);
}
