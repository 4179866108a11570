import test from 'ava';
import { Generator, Linear, LogSoftMax, narrow, noGrad, ReLU, Sequential, Tanh, Tensor, View } from '@eole/core';
import { testModules } from '@eole/core/testing';
import { fullyConvolutional, imagePyramid, rescaleImage, SpatialConvolution, SpatialLogSoftMax, SpatialMaxPooling } from '@eole/conv';
import { CONV_FULLY_CONVOLUTIONAL_CASES } from '@eole/conv/testing';

/** A padding-free patch classifier on 16×16 inputs: total stride 4. */
function classifier(rng = new Generator(3)): Sequential {
  return new Sequential(
    new SpatialConvolution(1, 4, 5, 5, 1, 1, 0, 0, { rng }), new ReLU(), new SpatialMaxPooling(2, 2),
    new SpatialConvolution(4, 8, 3, 3, 1, 1, 0, 0, { rng }), new Tanh(), new SpatialMaxPooling(2, 2),
    new View(32), new Linear(32, 10, { rng }), new ReLU(), new Linear(10, 3, { rng }), new LogSoftMax(),
  );
}

test('fullyConvolutional: one pass over a 28×24 image equals the classifier on every 16×16 window at stride 4', (t) => {
  const patchNet = classifier();
  const { net, stride, window } = fullyConvolutional(patchNet, [1, 16, 16]);
  t.is(stride, 4);
  t.deepEqual(window, [16, 16]);
  const rng = new Generator(5);
  const image = Tensor.from(Array.from({ length: 28 * 24 }, () => rng.uniform()), [1, 1, 28, 24]);
  noGrad(() => {
    const map = net.forward(image);
    t.deepEqual(map.shape, [1, 3, 4, 3]);
    let worst = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 3; j++) {
        const crop = narrow(narrow(image, 2, i * stride, 16), 3, j * stride, 16).clone();
        const scores = patchNet.forward(crop).data;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(scores[c]! - map.data[c * 12 + i * 3 + j]!));
      }
    }
    t.true(worst < 1e-5, `largest difference ${worst}`);
  });
  t.is(net.get(6).toString(), 'nn.SpatialConvolution(8 -> 10, 2x2)', 'View + Linear(32 → 10) became a 2×2 convolution');
  t.is((net.get(0) as SpatialConvolution).weight, (patchNet.get(0) as SpatialConvolution).weight, 'the convolutions are shared, not copied');
});

test('fullyConvolutional refuses what it cannot convert, naming the module', (t) => {
  const odd = new Sequential(new SpatialConvolution(1, 2, 3, 3), new View(2 * 4 * 4), new ReLU(), new Linear(32, 2));
  t.throws(() => fullyConvolutional(odd, [1, 6, 6]), { message: /module 2 \(nn.ReLU\) comes between a flattening View and a Linear/ });
  const wrong = new Sequential(new SpatialConvolution(1, 2, 3, 3), new View(32), new Linear(30, 2));
  t.throws(() => fullyConvolutional(wrong, [1, 6, 6]), { message: /nn.Linear: expected input \[30\] or \[batch, 30\], got \[1, 32\]/ });
});

testModules(test, CONV_FULLY_CONVOLUTIONAL_CASES);

test('SpatialLogSoftMax: a distribution over the planes at every position', (t) => {
  const rng = new Generator(2);
  const x = Tensor.from(Array.from({ length: 2 * 4 * 3 * 3 }, () => rng.uniform() * 4), [2, 4, 3, 3]);
  const y = new SpatialLogSoftMax().forward(x);
  const sums = y.exp().sum(1).data;
  t.true(Array.from(sums).every((s) => Math.abs(s - 1) < 1e-5));
  t.throws(() => new SpatialLogSoftMax().forward(Tensor.zeros([3, 4])), { message: /expected \[N, C, H, W\] or \[C, H, W\]/ });
});

test('rescaleImage: bilinear with align_corners=False (hand values, as torch.nn.functional.interpolate), identity at scale 1', (t) => {
  const x = Tensor.from([0, 1, 2, 3], [1, 1, 2, 2]);
  const up = rescaleImage(x, 2);
  t.deepEqual(up.shape, [1, 1, 4, 4]);
  t.deepEqual(Array.from(up.data.subarray(0, 8)), [0, 0.25, 0.75, 1, 0.5, 0.75, 1.25, 1.5]);
  const rng = new Generator(1);
  const img = Tensor.from(Array.from({ length: 30 }, () => rng.uniform()), [1, 5, 6]);
  t.deepEqual(Array.from(rescaleImage(img, 1).data), Array.from(img.data));
});

test('rescaleImage: shrinking blurs first (σ = 1/(3·scale)) and keeps a constant image constant; imagePyramid stops at minSize', (t) => {
  const flat = Tensor.from(new Array(64 * 48).fill(0.7), [1, 1, 64, 48]);
  const half = rescaleImage(flat, 0.5);
  t.deepEqual(half.shape, [1, 1, 32, 24]);
  t.true(Array.from(half.data).every((v) => Math.abs(v - 0.7) < 1e-6));
  const stripes = Tensor.from(Array.from({ length: 64 * 64 }, (_, i) => (i % 2 === 0 ? 1 : 0)), [1, 1, 64, 64]);
  const small = rescaleImage(stripes, 0.25).data;
  t.true(Array.from(small).every((v) => Math.abs(v - 0.5) < 0.1), 'one-pixel stripes average out instead of aliasing');
  const levels = imagePyramid(flat, { minSize: 12 });
  t.deepEqual(levels.map((l) => l.image.shape.slice(2)), [[64, 48], [45, 34], [32, 24], [23, 17], [16, 12]]);
  t.is(levels[0]!.image, flat);
  t.throws(() => rescaleImage(flat, 0), { message: /scale must be a finite number > 0, got 0/ });
});
