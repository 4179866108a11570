import test from 'ava';
import { Generator, Tensor } from '@eole/core';
import { checkOp, testModules } from '@eole/core/testing';
import { SpatialUpSamplingNearest, upsampleNearest2d } from '@eole/conv';
import { CONV_UPSAMPLING_CASES } from '@eole/conv/testing';

/** y[..., i, j] = x[..., ⌊i/s⌋, ⌊j/s⌋], written out in float64. */
const oracle = (s: number) => (x: { data: ArrayLike<number>; shape: readonly number[] }): number[] => {
  const [H, W] = x.shape.slice(-2) as [number, number];
  const planes = x.data.length / (H * W);
  const out: number[] = [];
  for (let p = 0; p < planes; p++) for (let i = 0; i < H * s; i++) for (let j = 0; j < W * s; j++) out.push(x.data[(p * H + Math.floor(i / s)) * W + Math.floor(j / s)]!);
  return out;
};

test('upsampleNearest2d ×2 of [2, 3, 5, 7]', (t) => checkOp(t, (x) => upsampleNearest2d(x!, 2), { shapes: [[2, 3, 5, 7]], shape: [2, 3, 10, 14], oracle: oracle(2) }));
test('upsampleNearest2d ×3 of [4, 6]', (t) => checkOp(t, (x) => upsampleNearest2d(x!, 3), { shapes: [[4, 6]], shape: [12, 18], oracle: oracle(3) }));

testModules(test, CONV_UPSAMPLING_CASES);

test('SpatialUpSamplingNearest: each gradient is the sum of its block; bad scales and shapes give clear errors', (t) => {
  const x = Tensor.randn([1, 1, 2, 2], new Generator(1)).requiresGrad_();
  upsampleNearest2d(x, 2).mul(Tensor.from(Array.from({ length: 16 }, (_, i) => i), [1, 1, 4, 4])).sum().backward();
  t.deepEqual(Array.from(x.grad!.data), [0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15]);
  t.throws(() => new SpatialUpSamplingNearest(1.5), { message: /SpatialUpSamplingNearest: scale must be an integer ≥ 1, got 1.5/ });
  t.throws(() => new SpatialUpSamplingNearest(2).forward(Tensor.zeros([4, 4])), { message: /expected input \[N, C, H, W\] or \[C, H, W\], got \[4, 4\]/ });
  t.is(new SpatialUpSamplingNearest(2).toString(), 'nn.SpatialUpSamplingNearest(2)');
});
