import test from 'ava';
import { Generator, Linear, noGrad, Sequential, ShapeError, Tensor, View } from '@eole/core';
import { checkRoundTrip, close, testModules } from '@eole/core/testing';
import { StatisticsPooling } from '@eole/speech';
import { SPEECH_STATISTICS_POOLING_CASES } from '@eole/speech/testing';

/** Float64 oracle: mean and σ = √(var + ε) of every feature row over its first `len` frames. */
function oracle(x: Tensor, lengths: number[], eps: number): number[] {
  const n = x.shape[0]!;
  const T = x.shape[x.ndim - 1]!;
  const F = x.size / (n * T);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const means: number[] = [];
    const stds: number[] = [];
    for (let c = 0; c < F; c++) {
      const row = Array.from(x.data.subarray((i * F + c) * T, (i * F + c) * T + lengths[i]!));
      const mu = row.reduce((a, b) => a + b, 0) / row.length;
      means.push(mu);
      stds.push(Math.sqrt(row.reduce((a, b) => a + (b - mu) ** 2, 0) / row.length + eps));
    }
    out.push(...means, ...stds);
  }
  return out;
}

testModules(test, SPEECH_STATISTICS_POOLING_CASES);

test('StatisticsPooling: output [N, 2C] is the mean then the standard deviation over time (float64 oracle)', (t) => {
  const x = Tensor.randn([3, 5, 7], new Generator(1), 0.5, 2);
  const y = noGrad(() => new StatisticsPooling(1e-5).forward(x));
  t.deepEqual(y.shape, [3, 10]);
  close(t, y.data, oracle(x, [7, 7, 7], 1e-5), 1e-5, 'mean and std');
});

test('StatisticsPooling: a hand-computed case', (t) => {
  // one utterance, one feature, frames 1, 2, 3, 6: mean 3, variance (4 + 1 + 0 + 9)/4 = 3.5
  const y = noGrad(() => new StatisticsPooling(0).forward(Tensor.from([1, 2, 3, 6], [1, 1, 4])));
  close(t, y.data, [3, Math.sqrt(3.5)], 1e-6, 'mean 3, std √3.5');
  // a constant feature: σ = √ε, and its gradient stays finite
  const x = Tensor.full([1, 1, 4], 2).requiresGrad_();
  const z = new StatisticsPooling(1e-4).forward(x);
  close(t, z.data, [2, 0.01], 1e-5, 'constant feature');
  z.sum().backward();
  t.true(Array.from(x.grad!.data).every(Number.isFinite));
});

test('StatisticsPooling: frames beyond each length are ignored (padding content changes nothing)', (t) => {
  const rng = new Generator(2);
  const lengths = [9, 4, 6];
  const a = Tensor.randn([3, 4, 9], rng);
  const b = Tensor.from(a.data.slice(), a.shape);
  lengths.forEach((l, i) => {
    for (let c = 0; c < 4; c++) for (let f = l; f < 9; f++) b.data[(i * 4 + c) * 9 + f] = 100 * rng.normal();
  });
  const pool = new StatisticsPooling();
  const ya = noGrad(() => pool.forward(a, lengths));
  const yb = noGrad(() => pool.forward(b, lengths));
  t.deepEqual(Array.from(yb.data), Array.from(ya.data));
  close(t, ya.data, oracle(a, lengths, 1e-5), 1e-5, 'masked statistics');
  // each utterance alone, cut to its length, gives its row
  lengths.forEach((l, i) => {
    const alone = noGrad(() => pool.forward(a.narrow(0, i, 1).narrow(2, 0, l).clone()));
    close(t, ya.data.subarray(i * 8, (i + 1) * 8), alone.data, 1e-5, `utterance ${i} alone`);
  });
  // and no gradient reaches the padding
  const x = Tensor.from(b.data.slice(), b.shape).requiresGrad_();
  pool.forward(x, lengths).square().sum().backward();
  lengths.forEach((l, i) => {
    for (let c = 0; c < 4; c++) for (let f = l; f < 9; f++) t.true(x.grad!.data[(i * 4 + c) * 9 + f] === 0, `gradient at padding frame ${f} of utterance ${i}`);
  });
  // without lengths the padding does count
  t.notDeepEqual(Array.from(noGrad(() => pool.forward(b)).data), Array.from(ya.data));
});

test('StatisticsPooling: setLengths holds inside a Sequential; per-call lengths win for one call', (t) => {
  const rng = new Generator(3);
  const x = Tensor.randn([2, 3, 5], rng);
  const pool = new StatisticsPooling().setLengths([5, 2]);
  const net = new Sequential(pool, new Linear(6, 2, { rng }));
  t.deepEqual(noGrad(() => net.forward(x)).shape, [2, 2]);
  t.deepEqual(Array.from(noGrad(() => pool.forward(x)).data), Array.from(noGrad(() => new StatisticsPooling().forward(x, [5, 2])).data));
  t.notDeepEqual(Array.from(noGrad(() => pool.forward(x, [5, 5])).data), Array.from(noGrad(() => pool.forward(x)).data));
});

test('StatisticsPooling: a net with it survives saveModule/loadModule', (t) => {
  const make = (seed: number) => new Sequential(new View(4, 6), new StatisticsPooling(), new Linear(8, 3, { rng: new Generator(seed) }));
  checkRoundTrip(t, make(1), make(2), Tensor.randn([2, 24], new Generator(4)));
});

test('StatisticsPooling: clear errors for bad shapes, lengths and eps', (t) => {
  const pool = new StatisticsPooling();
  t.throws(() => pool.forward(Tensor.zeros([2, 3])), { instanceOf: ShapeError, message: /\[N, C, T\].*got \[2, 3\]/ });
  t.throws(() => pool.forward(Tensor.zeros([2, 3, 4]), [4]), { instanceOf: RangeError, message: /one entry per utterance \(2\), got 1/ });
  t.throws(() => pool.forward(Tensor.zeros([2, 3, 4]), [4, 5]), { instanceOf: RangeError, message: /lengths\[1\] must be an integer in \[1, 4\].*got 5/ });
  t.throws(() => pool.forward(Tensor.zeros([2, 3, 4]), [0, 4]), { message: /lengths\[0\].*got 0/ });
  t.throws(() => new StatisticsPooling(-1), { instanceOf: RangeError, message: /eps must be a finite number >= 0, got -1/ });
  t.is(pool.toString(), 'nn.StatisticsPooling(mean ‖ std over time, eps=0.00001)');
});
