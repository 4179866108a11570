import { concat, Tensor } from '@eole/core';

function checkLabels(op: string, labels: ArrayLike<number>, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) throw new RangeError(`${op}: classes must be a positive integer, got ${classes}`);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!Number.isInteger(y) || y < 0 || y >= classes) throw new RangeError(`${op}: labels[${i}] must be an integer class in [0, ${classes}), got ${y}`);
  }
}

/**
 * One-hot rows of class labels: [N] labels → [N, classes] with a 1 at column y (a constant, no
 * gradient). The class code a conditional GAN appends to z and to a digit row (Mirza & Osindero,
 * "Conditional generative adversarial nets", 2014).
 *
 * @example
 * oneHot([2, 0], 3).data; // [0, 0, 1, 1, 0, 0]
 * concat([z, oneHot(y, 10)], 1); // a conditional generator's input
 */
export function oneHot(labels: ArrayLike<number> | Tensor, classes: number): Tensor {
  const ys = labels instanceof Tensor ? labels.data : labels;
  checkLabels('oneHot', ys, classes);
  const out = new Float32Array(ys.length * classes);
  for (let i = 0; i < ys.length; i++) out[i * classes + ys[i]!] = 1;
  return new Tensor(out, [ys.length, classes]);
}

/**
 * A conditional discriminator's input for images: x [N, C, H, W] followed by `classes` constant
 * planes, plane y of sample n all ones, the others zero → [N, C + classes, H, W]. The gradient
 * flows to x (the generator's output during its step).
 *
 * @example
 * labelPlanes(Tensor.zeros([2, 1, 28, 28]), [3, 7], 10).shape; // [2, 11, 28, 28]
 */
export function labelPlanes(x: Tensor, labels: ArrayLike<number> | Tensor, classes: number): Tensor {
  const ys = labels instanceof Tensor ? labels.data : labels;
  if (x.ndim !== 4) throw new RangeError(`labelPlanes: x must be [N, C, H, W], got [${x.shape.join(', ')}]`);
  const [n, , h, w] = x.shape as [number, number, number, number];
  if (ys.length !== n) throw new RangeError(`labelPlanes: labels has ${ys.length} entries, x has ${n} samples`);
  checkLabels('labelPlanes', ys, classes);
  const planes = new Float32Array(n * classes * h * w);
  for (let i = 0; i < n; i++) planes.fill(1, (i * classes + ys[i]!) * h * w, (i * classes + ys[i]! + 1) * h * w);
  return concat([x, new Tensor(planes, [n, classes, h, w])], 1);
}

/**
 * Labels 0, 1, …, classes − 1 repeated to length n: the balanced class list that conditional
 * sample sets and grids ask for.
 *
 * @example
 * balancedLabels(5, 3); // Float32Array [0, 1, 2, 0, 1]
 */
export function balancedLabels(n: number, classes: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i % classes;
  return out;
}
