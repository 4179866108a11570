import test from 'ava';
import { Generator, noGrad, Tensor, type Module } from '@eole/core';
import { testModules, type ModuleCase } from '@eole/core/testing';
import { DCGANDiscriminator, DCGANGenerator, GAN, MinibatchStdDev, MLPDiscriminator, MLPGenerator, normalInit } from '@eole/gan';

// Small nets: every check of the kit (gradcheck, Torch7 backward, cpu/webasm parity, threads, round trip).
// In training mode a DCGAN net's batch normalization makes every unit depend on the whole batch, so
// a finite-difference step moves many ReLU / LeakyReLU inputs at once and some cross the kink: the
// gradient check runs on the evaluate-mode nets (BN with warmed running statistics, affine per
// unit), with weights redrawn at std 0.5 (at DCGAN's 0.02 a float32 step of 1e-3 is 5% of a
// weight); the training-mode nets take every other check. Every layer inside is gradchecked in
// training mode in its own package's tests.
const warm = <M extends Module>(m: M, input: Tensor): M => {
  noGrad(() => m.forward(input));
  return m.evaluate();
};
const evalG = (rng: Generator): Module => warm(normalInit(DCGANGenerator({ nz: 3, ngf: 2, rng }), rng, 0.5), Tensor.randn([6, 3], new Generator(9)));
const evalD = (classes: number) => (rng: Generator): Module => warm(normalInit(DCGANDiscriminator({ ndf: 2, classes, rng }), rng, 0.2), Tensor.randn([6, 1 + classes, 28, 28], new Generator(9)));
// A smaller step, so that fewer of the thousands of ReLU inputs cross their kink within it.
const fine = { eps: 1e-4, atol: 1e-2 };
const notGradcheck = ['backward', 'parity', 'threads', 'roundTrip'] as const;
const cases: Record<string, ModuleCase> = {
  MLPGenerator: { make: (rng) => MLPGenerator({ nz: 3, hidden: 5, outputs: 6, rng }), shape: [4, 3], parityShape: [16, 3] },
  'MLPGenerator (conditional)': { make: (rng) => MLPGenerator({ nz: 3, hidden: 5, outputs: 6, classes: 2, rng }), shape: [4, 5] },
  MLPDiscriminator: { make: (rng) => MLPDiscriminator({ inputs: 6, hidden: 5, dropout: 0, rng }), shape: [4, 6], parityShape: [16, 6] },
  DCGANGenerator: { make: (rng) => DCGANGenerator({ nz: 3, ngf: 2, rng }), shape: [3, 3], parityShape: [8, 3], launches: 'some', checks: notGradcheck },
  'DCGANGenerator (evaluate)': { make: evalG, shape: [3, 3], grad: fine, checks: ['gradcheck'] },
  DCGANDiscriminator: { make: (rng) => DCGANDiscriminator({ ndf: 2, rng }), shape: [3, 1, 28, 28], parityShape: [6, 1, 28, 28], launches: 'some', checks: notGradcheck },
  'DCGANDiscriminator (evaluate)': { make: evalD(0), shape: [2, 1, 28, 28], checks: ['gradcheck'] },
  // The conditional discriminator is the same net with more input planes; with 3 planes of noise its
  // first layer's 392 LeakyReLU inputs per weight leave no kink-free step, so no gradcheck here.
  'DCGANDiscriminator (conditional, evaluate)': { make: evalD(2), shape: [2, 3, 28, 28], checks: ['backward', 'roundTrip'] },
  MinibatchStdDev: { make: () => new MinibatchStdDev(), shape: [3, 2, 3, 4], parityShape: [8, 4, 7, 7], launches: 'some' },
  'DCGANDiscriminator (minibatch std)': { make: (rng) => DCGANDiscriminator({ ndf: 2, minibatchStd: true, rng }), shape: [3, 1, 28, 28], launches: 'some', checks: notGradcheck },
  GAN: { make: (rng) => new GAN(MLPGenerator({ nz: 2, hidden: 4, outputs: 3, rng }), MLPDiscriminator({ inputs: 3, hidden: 4, dropout: 0, rng })), shape: [3, 2], checks: ['roundTrip'] },
};
testModules(test, cases);

test('the nets map their inputs to the shapes the 2014 paper and DCGAN give', (t) => {
  const rng = new Generator(1);
  t.deepEqual(MLPGenerator({ rng }).forward(Tensor.randn([2, 64], rng)).shape, [2, 784]);
  t.deepEqual(MLPGenerator({ classes: 10, rng }).forward(Tensor.randn([2, 74], rng)).shape, [2, 784]);
  t.deepEqual(MLPDiscriminator({ rng }).forward(Tensor.randn([2, 784], rng)).shape, [2, 1]);
  const g = DCGANGenerator({ rng });
  const x = g.forward(Tensor.randn([2, 64], rng));
  t.deepEqual(x.shape, [2, 1, 28, 28]);
  t.true(x.data.every((v) => v > -1 && v < 1), 'tanh output in (−1, 1)');
  t.deepEqual(DCGANDiscriminator({ rng }).forward(x).shape, [2, 1]);
  t.deepEqual(DCGANDiscriminator({ classes: 10, rng }).forward(Tensor.randn([2, 11, 28, 28], rng)).shape, [2, 1]);
  t.throws(() => DCGANGenerator({ rng }).forward(Tensor.randn([2, 63], rng)), { message: /63/ });
});

test('normalInit draws DCGAN weights from N(0, 0.02), BN scales from N(1, 0.02), zero biases, from the seed', (t) => {
  const a = DCGANGenerator({ rng: new Generator(5) });
  const b = DCGANGenerator({ rng: new Generator(5) });
  t.deepEqual(a.parameters().map((p) => Array.from(p.data.subarray(0, 4))), b.parameters().map((p) => Array.from(p.data.subarray(0, 4))));
  for (const [name, p] of a.namedParameters()) {
    const mean = p.data.reduce((s, v) => s + v, 0) / p.size;
    const sd = Math.sqrt(p.data.reduce((s, v) => s + (v - mean) ** 2, 0) / p.size);
    if (name.endsWith('bias')) t.true(p.data.every((v) => v === 0), `${name} zero`);
    else if (name === '2.weight' || name === '5.weight') t.true(Math.abs(mean - 1) < 0.02 && sd < 0.04, `${name}: BN scale mean ${mean}`);
    else if (p.size > 100) t.true(Math.abs(mean) < 0.005 && Math.abs(sd - 0.02) < 0.003, `${name}: mean ${mean}, sd ${sd}`);
  }
  t.is(normalInit(MLPGenerator({ rng: new Generator(1) }), new Generator(2), 0.5).parameters().length, 6);
});

test('MinibatchStdDev appends the mean standard deviation across the batch as one plane; one sample is an error', (t) => {
  const x = new Tensor(Float32Array.from([0, 2, 4, 6, 2, 2, 0, 10]), [2, 2, 1, 2]);
  const y = new MinibatchStdDev(0).forward(x);
  t.deepEqual(y.shape, [2, 3, 1, 2]);
  // stds across the batch: |0−2|/2·… = 1, 0, 2, 2 → mean 1.25
  t.deepEqual(Array.from(y.data), [0, 2, 4, 6, 1.25, 1.25, 2, 2, 0, 10, 1.25, 1.25]);
  t.throws(() => new MinibatchStdDev().forward(Tensor.zeros([1, 2, 3, 3])), { message: /N >= 2, got \[1, 2, 3, 3\]/ });
});
