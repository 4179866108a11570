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
});
