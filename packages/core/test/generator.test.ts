import test from 'ava';
import { Generator, manualSeed, defaultGenerator, Tensor } from '@eole/core';

test('a seed reproduces the same draws; another seed differs', (t) => {
  const a = Tensor.randn([100], new Generator(42)).toArray();
  const b = Tensor.randn([100], new Generator(42)).toArray();
  const c = Tensor.randn([100], new Generator(43)).toArray();
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
});

test('state round trip continues the same stream', (t) => {
  const g = new Generator(7);
  g.normal();
  const state = JSON.parse(JSON.stringify(g.getState()));
  const next = [g.normal(), g.uniform(), g.int(10)];
  const h = new Generator(0).setState(state);
  t.deepEqual([h.normal(), h.uniform(), h.int(10)], next);
});

test('uniform and normal have the right moments', (t) => {
  const g = new Generator(3);
  const n = 20000;
  let su = 0, sn = 0, sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = g.uniform();
    t.true(u >= 0 && u < 1);
    su += u;
    const z = g.normal();
    sn += z;
    sn2 += z * z;
  }
  t.true(Math.abs(su / n - 0.5) < 0.01);
  t.true(Math.abs(sn / n) < 0.03);
  t.true(Math.abs(sn2 / n - 1) < 0.05);
});

test('gamma and beta have the right moments (shapes below and above 1)', (t) => {
  const g = new Generator(4);
  const n = 20000;
  for (const k of [0.3, 1, 2.5]) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = g.gamma(k);
      t.true(x >= 0);
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    t.true(Math.abs(mean - k) < 0.05 * Math.max(1, k), `Gamma(${k}) mean ${mean}`);
    t.true(Math.abs(s2 / n - mean * mean - k) < 0.1 * Math.max(1, k), `Gamma(${k}) variance ${s2 / n - mean * mean}`);
  }
  for (const [a, b] of [[0.2, 0.2], [2, 5]] as const) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) {
      const x = g.beta(a, b);
      t.true(x >= 0 && x <= 1);
      s += x;
      s2 += x * x;
    }
    const mean = s / n;
    const want = (a * b) / ((a + b) ** 2 * (a + b + 1));
    t.true(Math.abs(mean - a / (a + b)) < 0.01, `Beta(${a}, ${b}) mean ${mean}`);
    t.true(Math.abs(s2 / n - mean * mean - want) < 0.01, `Beta(${a}, ${b}) variance ${s2 / n - mean * mean}, expected ${want}`);
  }
  t.is(new Generator(9).beta(0.4, 0.4), new Generator(9).beta(0.4, 0.4));
});

test('permutation is a permutation', (t) => {
  const p = Array.from(new Generator(1).permutation(50)).sort((a, b) => a - b);
  t.deepEqual(p, Array.from({ length: 50 }, (_, i) => i));
});

test('manualSeed resets the default generator', (t) => {
  manualSeed(5);
  const a = defaultGenerator.uniform();
  manualSeed(5);
  t.is(defaultGenerator.uniform(), a);
});

test('bad arguments are named', (t) => {
  t.throws(() => new Generator(Number.NaN), { message: /seed must be a finite number/ });
  t.throws(() => new Generator(1).int(0), { message: /n must be a positive integer, got 0/ });
  t.throws(() => new Generator(1).gamma(0), { instanceOf: RangeError, message: /Generator\.gamma: shape must be a positive number, got 0/ });
  t.throws(() => new Generator(1).beta(0.2, -1), { instanceOf: RangeError, message: /Generator\.beta: b must be a positive number, got -1/ });
});
