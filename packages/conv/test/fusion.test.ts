import test from 'ava';
import { ClassNLLCriterion, Generator, kernels, noGrad, ReLU, Sequential, Tensor, Threshold } from '@eole/core';
import { testModules } from '@eole/core/testing';
import { conv2d, conv2dReLU, fuseModules, LeNet5, SpatialConvolution, SpatialConvolutionReLU, SpatialMaxPooling } from '@eole/conv';
import { CONV_FUSION_CASES } from '@eole/conv/testing';

testModules(test, CONV_FUSION_CASES);

const bits = (a: Float32Array): Uint32Array => new Uint32Array(a.buffer, a.byteOffset, a.length);

test('conv2dReLU equals conv2d then relu, output and gradients bit for bit', (t) => {
  const rng = new Generator(41);
  const x = Tensor.randn([3, 2, 10, 10], rng).requiresGrad_();
  const w = Tensor.randn([5, 2, 3, 3], rng).requiresGrad_();
  const b = Tensor.randn([5], rng).requiresGrad_();
  const g = Tensor.randn([3, 5, 10, 10], rng);
  const run = (fused: boolean): Float32Array[] => {
    for (const p of [x, w, b]) p.grad = null;
    const y = fused ? conv2dReLU(x, w, b, { padW: 1, padH: 1 }) : conv2d(x, w, b, { padW: 1, padH: 1 }).relu();
    y.mul(g).sum().backward();
    return [y.data, x.grad!.data, w.grad!.data, b.grad!.data].map((a) => Float32Array.from(a));
  };
  for (const backend of ['cpu', 'webasm'] as const) {
    const [plain, fused] = kernels.withBackend(backend, () => [run(false), run(true)]);
    plain!.forEach((a, i) => t.deepEqual(bits(fused![i]!), bits(a), `${backend}: array ${i}`));
  }
});

test('fuseModules(LeNet-5) fuses C1, C3 and C5 with their ReLUs, shares the parameters and state-dict keys, equals the original bit for bit, and launches fewer kernels', (t) => {
  const net = LeNet5({ rng: new Generator(3), activation: 'relu', pooling: 'max' });
  const fused = fuseModules(net);
  t.is(fused.children().filter((m) => m instanceof SpatialConvolutionReLU).length, 3, 'C1, C3 and C5 fused');
  t.deepEqual([...fused.stateDict().keys()], [...net.stateDict().keys()], 'same state-dict keys');
  fused.parameters().forEach((p, i) => t.is(p, net.parameters()[i], `parameter ${i} is shared`));
  const x = Tensor.uniform([8, 784], new Generator(4), 0, 1);
  const y = Tensor.from(new Int32Array([0, 1, 2, 3, 4, 5, 6, 7]), [8]);
  const step = (m: Sequential): Float32Array[] => {
    m.zeroGradParameters();
    new ClassNLLCriterion().forward(m.forward(x), y).backward();
    return [Float32Array.from(m.output!.data), ...m.parameters().map((p) => Float32Array.from(p.grad!.data))];
  };
  const before = kernels.stats().calls;
  const a = step(net);
  const mid = kernels.stats().calls;
  const b = step(fused);
  const after = kernels.stats().calls;
  a.forEach((v, i) => t.deepEqual(bits(b[i]!), bits(v), `training step array ${i}`));
  const launches = (p: typeof before, q: typeof before): number => Object.values(q).reduce((s, n) => s + n, 0) - Object.values(p).reduce((s, n) => s + n, 0);
  t.true(launches(mid, after) < launches(before, mid), `fused ${launches(mid, after)} launches < ${launches(before, mid)}`);
  net.evaluate();
  fused.evaluate();
  const xi = Tensor.uniform([16, 784], new Generator(5), 0, 1);
  t.deepEqual(bits(noGrad(() => fused.forward(xi)).data), bits(noGrad(() => net.forward(xi)).data), 'inference');
});

test('fuseModules fuses only a plain SpatialConvolution followed by ReLU or Threshold(0, 0), in nested Sequentials too', (t) => {
  const rng = new Generator(6);
  const conv = (inPlanes = 2): SpatialConvolution => new SpatialConvolution(inPlanes, 2, 3, 3, 1, 1, 1, 1, { rng });
  const inner = new Sequential(conv(), new Threshold(0, 0));
  const net = new Sequential(conv(1), new ReLU(), conv(), new Threshold(0.5, 0), conv(), new SpatialMaxPooling(2, 2), inner);
  const fused = fuseModules(net);
  t.deepEqual(
    fused.children().map((m) => m.typeName()),
    ['nn.SpatialConvolutionReLU', 'nn.Identity', 'nn.SpatialConvolution', 'nn.Threshold', 'nn.SpatialConvolution', 'nn.SpatialMaxPooling', 'nn.Sequential'],
  );
  t.deepEqual((fused.get(6) as Sequential).children().map((m) => m.typeName()), ['nn.SpatialConvolutionReLU', 'nn.Identity']);
  const x = Tensor.randn([2, 1, 8, 8], new Generator(7));
  t.deepEqual(bits(noGrad(() => fused.forward(x)).data), bits(noGrad(() => net.forward(x)).data));
});
