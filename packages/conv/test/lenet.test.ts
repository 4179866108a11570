import test from 'ava';
import { Generator, Tensor } from '@eole/core';
import { checkRoundTrip, parameterCount, testModules } from '@eole/core/testing';
import { LeNet1, LeNet5 } from '@eole/conv';
import { CONV_LENET_CASES } from '@eole/conv/testing';

test('LeNet-5 has the 1998 layer sizes (61,706 weights with a full C3) and maps [N, 784] to log-probabilities', (t) => {
  const net = LeNet5({ rng: new Generator(1) });
  t.is(parameterCount(net), 61706);
  const out = net.forward(Tensor.uniform([3, 784], new Generator(2)));
  t.deepEqual([...out.shape], [3, 10]);
  for (let r = 0; r < 3; r++) {
    const p = out.data.subarray(r * 10, r * 10 + 10).reduce((s, v) => s + Math.exp(v), 0);
    t.true(Math.abs(p - 1) < 1e-5);
  }
  const text = net.toString();
  t.regex(text, /nn\.SpatialConvolution\(1 -> 6, 5x5, 1,1, 2,2\)/);
  t.regex(text, /nn\.Linear\(120 -> 84\)/);
});

test('LeNet-1 has about 3,000 weights (3,246) and takes a [1, 28, 28] image too', (t) => {
  const net = LeNet1({ rng: new Generator(1) });
  t.is(parameterCount(net), 3246);
  t.deepEqual([...net.forward(Tensor.zeros([2, 1, 28, 28])).shape], [2, 10]);
});

// The paper's smooth net (tanh, average pooling): finite differences would straddle ReLU and max
// kinks somewhere among 60,000 weights; those modules have their own gradchecks.
testModules(test, CONV_LENET_CASES);

test('LeNet-5 with dropout round-trips through a safetensors file', (t) => {
  const a = LeNet5({ rng: new Generator(5), dropout: 0.5, dropoutRng: new Generator(6) });
  const b = LeNet5({ rng: new Generator(7), dropout: 0.5, dropoutRng: new Generator(8) });
  checkRoundTrip(t, a, b, Tensor.uniform([4, 784], new Generator(9)));
});
