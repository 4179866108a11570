import test from 'ava';
import { elasticExchange, Generator } from '@eole/core';

const random = (n: number, seed: number): Float32Array => {
  const rng = new Generator(seed);
  return Float32Array.from({ length: n }, () => rng.uniform() * 4 - 2);
};

test('elasticExchange: d = α(x − x̃), x −= d, x̃ += d, against a float64 oracle; the sum is kept', (t) => {
  const x = random(1000, 1);
  const c = random(1000, 2);
  const [x0, c0] = [x.slice(), c.slice()];
  elasticExchange(x, c, 0.45);
  for (let i = 0; i < x.length; i++) {
    const d = 0.45 * (x0[i]! - c0[i]!);
    t.true(Math.abs(x[i]! - (x0[i]! - d)) < 1e-6 && Math.abs(c[i]! - (c0[i]! + d)) < 1e-6, `element ${i}`);
    t.true(Math.abs(x[i]! + c[i]! - (x0[i]! + c0[i]!)) < 1e-6, 'x + x̃ kept');
  }
});

test('elasticExchange: α = 0 changes nothing, α = ½ meets halfway, α = 1 swaps', (t) => {
  const x = random(64, 3);
  const c = random(64, 4);
  const [x0, c0] = [x.slice(), c.slice()];
  elasticExchange(x, c, 0);
  t.deepEqual(Array.from(x), Array.from(x0));
  t.deepEqual(Array.from(c), Array.from(c0));
  elasticExchange(x, c, 0.5);
  for (let i = 0; i < 64; i++) t.true(Math.abs(x[i]! - c[i]!) < 1e-6, 'met halfway');
  const y = Float32Array.of(1, -2);
  const z = Float32Array.of(0.5, 4);
  elasticExchange(y, z, 1);
  t.deepEqual([...y, ...z], [0.5, 4, 1, -2]);
});

test('elasticExchange: clear errors', (t) => {
  t.throws(() => elasticExchange(new Float32Array(3), new Float32Array(4), 0.1), { message: /worker has 3 values, center 4/ });
  t.throws(() => elasticExchange(new Float32Array(3), new Float32Array(3), 1.5), { message: /alpha must be a number in \[0, 1\] \(β\/p\), got 1.5/ });
  t.throws(() => elasticExchange([1] as unknown as Float32Array, new Float32Array(1), 0.1), { message: /must be Float32Arrays, got Array and Float32Array/ });
});
