import test, { type ExecutionContext } from 'ava';
import { Concat, Generator, noGrad, Sequential, Tanh, Tensor } from '@eole/core';
import { testModules } from '@eole/core/testing';
import { MultiscaleConvNet, SpatialAveragePooling, SpatialConvolution, SpatialLogSoftMax, SpatialMaxPooling, SpatialUpSamplingNearest } from '@eole/conv';
import { CONV_MULTISCALE_CASES } from '@eole/conv/testing';

const features = (rng: Generator): Sequential => new Sequential(new SpatialConvolution(1, 2, 3, 3, 1, 1, 1, 1, { rng }), new Tanh());
const classifier = (planes: number, rng: Generator): Sequential => new Sequential(new SpatialConvolution(planes, 3, 1, 1, 1, 1, 0, 0, { rng }), new SpatialLogSoftMax());

/** The largest elementwise difference of two arrays. */
const worst = (u: Float32Array, v: Float32Array): number => Math.max(...Array.from(u, (e, i) => Math.abs(e - v[i]!)));

/** Asserts that the projected path (`net`) and the concatenated one (`wrapped`) agree on x: output, input gradient (under g) and every parameter gradient; returns the parameter count. */
function samePaths(t: ExecutionContext, net: MultiscaleConvNet, wrapped: MultiscaleConvNet, x: Tensor, g: Tensor): number {
  const grads = (m: MultiscaleConvNet): { y: Float32Array; dx: Float32Array; dw: Float32Array[] } => {
    m.zeroGradParameters();
    const y = m.forward(x);
    const dx = m.backward(x, g);
    return { y: y.data.slice(), dx: dx.data.slice(), dw: m.parameters().map((p) => p.grad!.data.slice()) };
  };
  const a = grads(net);
  const b = grads(wrapped);
  t.true(worst(a.y, b.y) < 1e-6, `output differs by ${worst(a.y, b.y)}`);
  t.true(worst(a.dx, b.dx) < 1e-6, `input gradient differs by ${worst(a.dx, b.dx)}`);
  a.dw.forEach((dw, i) => t.true(worst(dw, b.dw[i]!) < 1e-5, `parameter ${i}'s gradient differs by ${worst(dw, b.dw[i]!)}`));
  return a.dw.length;
}

testModules(test, CONV_MULTISCALE_CASES);

test('MultiscaleConvNet: a leading 1×1 classifier layer applied per level before upsampling equals it on the concatenated maps, forward and backward', (t) => {
  const rng = new Generator(9);
  const f = features(rng);
  const c = classifier(6, rng);
  const net = new MultiscaleConvNet(f, c, { scales: 3, laplacian: false });
  // The same modules behind a classifier that is not a Sequential: the concatenated path.
  const wrapped = new MultiscaleConvNet(f, new Sequential(c), { scales: 3, laplacian: false });
  const x = Tensor.from(Array.from({ length: 2 * 64 }, () => rng.uniform()), [2, 1, 8, 8]);
  const g = Tensor.from(Array.from({ length: 2 * 3 * 64 }, () => rng.uniform() - 0.5), [2, 3, 8, 8]);
  samePaths(t, net, wrapped, x, g);
  t.throws(() => new MultiscaleConvNet(f, classifier(5, rng), { scales: 3 }).forward(Tensor.zeros([1, 1, 8, 8])), { message: /the classifier's first layer takes 5 planes; the extractor gives 2 per level, 6 over 3 scales/ });
});

test('MultiscaleConvNet: with a Concat extractor, a branch ending in nearest upsampling is projected before it, equal to the concatenated maps, forward and backward', (t) => {
  const rng = new Generator(12);
  // a full-resolution branch and a pooled one upsampled back: 2 + 3 planes per level
  const f = new Concat(
    1,
    new Sequential(new SpatialConvolution(1, 2, 3, 3, 1, 1, 1, 1, { rng }), new Tanh()),
    new Sequential(new SpatialConvolution(1, 3, 3, 3, 1, 1, 1, 1, { rng }), new Tanh(), new SpatialMaxPooling(2, 2), new SpatialUpSamplingNearest(2)),
  );
  const c = classifier(15, rng);
  const net = new MultiscaleConvNet(f, c, { scales: 3, laplacian: true });
  const wrapped = new MultiscaleConvNet(f, new Sequential(c), { scales: 3, laplacian: true });
  const x = Tensor.from(Array.from({ length: 2 * 256 }, () => rng.uniform()), [2, 1, 16, 16]);
  const g = Tensor.from(Array.from({ length: 2 * 3 * 256 }, () => rng.uniform() - 0.5), [2, 3, 16, 16]);
  t.is(samePaths(t, net, wrapped, x, g), 6);
  // branches that disagree on size are named
  const odd = new Concat(1, new Sequential(new SpatialConvolution(1, 2, 3, 3, 1, 1, 1, 1, { rng })), new Sequential(new SpatialConvolution(1, 3, 3, 3, 1, 1, 1, 1, { rng }), new SpatialMaxPooling(2, 2), new SpatialUpSamplingNearest(4)));
  t.throws(() => new MultiscaleConvNet(odd, classifier(15, rng), { scales: 3 }).forward(Tensor.zeros([1, 1, 16, 16])), { message: /the extractor's branches give maps of 16×16 and 32×32 at scale 0/ });
});

test('MultiscaleConvNet: one extractor with shared weights on every band, upsampled and concatenated (Farabet 2013), against the composition by hand', (t) => {
  const rng = new Generator(4);
  const f = features(rng);
  const c = classifier(6, rng);
  const net = new MultiscaleConvNet(f, c, { scales: 3 });
  t.is(net.parameters().length, 4, 'the three scales share one extractor: 2 tensors of it, 2 of the classifier');
  const x = Tensor.from(Array.from({ length: 64 }, () => rng.uniform()), [1, 1, 8, 8]);
  noGrad(() => {
    const down = new SpatialAveragePooling(2, 2, 2, 2);
    const up = (y: Tensor, times: number): Tensor => (times === 0 ? y : up(new SpatialUpSamplingNearest(2).forward(y), times - 1));
    const g1 = down.forward(x);
    const g2 = down.forward(g1);
    const bands = [x.sub(up(g1, 1)), g1.sub(up(g2, 1)), g2];
    const maps = bands.map((b, s) => up(f.forward(b), s));
    const expected = c.forward(Tensor.from([...maps[0]!.data, ...maps[1]!.data, ...maps[2]!.data], [1, 6, 8, 8]));
    const got = net.forward(x);
    t.deepEqual(got.shape, [1, 3, 8, 8]);
    const worst = Math.max(...Array.from(got.data, (v, i) => Math.abs(v - expected.data[i]!)));
    t.true(worst < 1e-6, `largest difference ${worst}`);
  });
});

test('MultiscaleConvNet with one scale is the extractor and classifier alone; bad sizes are named', (t) => {
  const rng = new Generator(6);
  const f = features(rng);
  const c = classifier(2, rng);
  const x = Tensor.from(Array.from({ length: 2 * 36 }, () => rng.uniform()), [2, 1, 6, 6]);
  noGrad(() => t.deepEqual(Array.from(new MultiscaleConvNet(f, c, { scales: 1 }).forward(x).data), Array.from(c.forward(f.forward(x)).data)));
  t.throws(() => new MultiscaleConvNet(f, classifier(6, rng), { scales: 3 }).forward(Tensor.zeros([1, 1, 6, 6])), { message: /input sides must be divisible by 4 \(2\^\(scales−1\)\), got 6×6/ });
  t.throws(() => new MultiscaleConvNet(f, c, { scales: 0 }), { message: /scales must be an integer >= 1, got 0/ });
});
