import { Dropout, Linear, LogSoftMax, noGrad, ReLU, Sequential, Tensor, View, type Module } from '@eole/core';
import { SpatialConvolution } from '../nn/SpatialConvolution.js';
import { SpatialPooling } from '../nn/SpatialPooling.js';
import { SpatialLogSoftMax } from '../nn/SpatialLogSoftMax.js';

/** A classifier turned fully convolutional, and how its output map lines up with the input. */
export interface FullyConvolutional {
  /** The same weights as convolutions: input [N, C, H, W] of any H, W ≥ the window → scores [N, classes, H', W']. */
  net: Sequential;
  /** The window the classifier was trained on (its input height and width). */
  window: readonly [number, number];
  /** Output cell (i, j) scores the window whose top-left corner is (j·stride, i·stride) in the input. */
  stride: number;
}

/**
 * Turns a classifier trained on fixed-size patches into one that runs over a whole image in one
 * pass (Vaillant, Monrocq & LeCun 1994; OverFeat, Sermanet et al. 2014): the `View` that flattens
 * the last feature map [C, h, w] and the `Linear` after it become one `SpatialConvolution(C → out,
 * w×h)` with the same weights, every later `Linear(a → b)` a 1×1 convolution, and `LogSoftMax` a
 * {@link SpatialLogSoftMax}; every other module is kept (the very same instance, so weights stay
 * shared), but the convolutions made of `Linear`s hold copies of their weights: convert again after
 * training the classifier further. Output cell (i, j) equals the classifier applied to the window at (j·stride, i·stride)
 * when the net pads nothing (a padded convolution sees zeros at a patch's border but real pixels
 * inside a large image).
 *
 * @example
 * const { net, stride } = fullyConvolutional(classifier, [1, 32, 32]);
 * const scores = net.forward(image);   // image [1, 1, 128, 128] → [1, classes, 25, 25], stride 4
 */
export function fullyConvolutional(classifier: Sequential, inputShape: readonly [number, number, number]): FullyConvolutional {
  const where = 'fullyConvolutional';
  const shapes: (readonly number[])[] = [];
  noGrad(() => {
    const mode = classifier.training;
    classifier.evaluate();
    let x = Tensor.zeros([1, ...inputShape]);
    for (let i = 0; i < classifier.length; i++) {
      shapes.push(x.shape);
      x = classifier.get(i).forward(x);
    }
    if (mode) classifier.train();
  });
  const out: Module[] = [];
  let stride = 1;
  let flat: readonly number[] | null = null;
  for (let i = 0; i < classifier.length; i++) {
    const m = classifier.get(i);
    const shape = shapes[i]!;
    if (m instanceof View) {
      if (shape.length !== 4) throw new Error(`${where}: module ${i} (${m.toString()}) flattens a [${shape.join(', ')}] input; only the flattening of a [N, C, h, w] map before a Linear can be converted`);
      flat = shape.slice(1);
      continue;
    }
    if (m instanceof Linear) {
      const [C, h, w] = flat ?? (shape.length === 4 ? shape.slice(1) : [shape[1]!, 1, 1]);
      const [outSize, inSize] = m.weight.shape as [number, number];
      if (C! * h! * w! !== inSize) throw new Error(`${where}: module ${i} (${m.toString()}) takes ${inSize} inputs, the map before it has ${C}×${h}×${w}`);
      const conv = new SpatialConvolution(C!, outSize, w!, h!, 1, 1, 0, 0, { bias: m.bias !== null });
      conv.weight.data.set(m.weight.data);
      if (m.bias && conv.bias) conv.bias.data.set(m.bias.data);
      out.push(conv);
      flat = null;
      continue;
    }
    if (flat) throw new Error(`${where}: module ${i} (${m.toString()}) comes between a flattening View and a Linear; it cannot be converted`);
    if (m instanceof LogSoftMax) out.push(new SpatialLogSoftMax());
    else out.push(m);
    if (m instanceof SpatialConvolution) stride *= m.dW;
    if (m instanceof SpatialPooling) stride *= m.dW;
    if (!(m instanceof SpatialConvolution || m instanceof SpatialPooling || m instanceof ReLU || m instanceof Dropout || m instanceof LogSoftMax) && shape.length !== 4 && shape.length !== 2) {
      throw new Error(`${where}: module ${i} (${m.toString()}) works on a [${shape.join(', ')}] input; only 4-D maps and the flattened classifier can be converted`);
    }
  }
  return { net: new Sequential(...out), window: [inputShape[1], inputShape[2]], stride };
}
