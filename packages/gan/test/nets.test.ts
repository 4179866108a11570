import test from 'ava';
import { Generator, Tensor } from '@eole/core';
import { testModules } from '@eole/core/testing';
import { DCGANDiscriminator, DCGANGenerator, MinibatchStdDev, MLPDiscriminator, MLPGenerator, normalInit } from '@eole/gan';
import { GAN_NETS_CASES } from '@eole/gan/testing';

// Small nets: every check of the kit (rows in @eole/gan/testing).
testModules(test, GAN_NETS_CASES);

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
