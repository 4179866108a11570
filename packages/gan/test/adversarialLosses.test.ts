import test from 'ava';
import { Tensor } from '@eole/core';
import { checkOp } from '@eole/core/testing';
import { discriminatorLoss, generatorLoss } from '@eole/gan';

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
const logSig = (x: number): number => -softplus(-x);
const mean = (xs: ArrayLike<number>, f: (x: number) => number): number => Array.from(xs, f).reduce((a, b) => a + b, 0) / xs.length;

test('discriminatorLoss: the binary cross-entropy of the 2014 paper, with one-sided label smoothing', (t) => {
  checkOp(t, (r, f) => discriminatorLoss(r!, f!), {
    shapes: [[6], [5]],
    oracle: (r, f) => [-mean(r!.data, logSig) - mean(f!.data, (x) => logSig(-x))],
  });
  checkOp(t, (r, f) => discriminatorLoss(r!, f!, { smoothing: 0.1 }), {
    shapes: [[4, 1], [4, 1]],
    oracle: (r, f) => [-mean(r!.data, (x) => 0.9 * logSig(x) + 0.1 * logSig(-x)) - mean(f!.data, (x) => logSig(-x))],
  });
  t.true(Math.abs(discriminatorLoss(Tensor.zeros([8]), Tensor.zeros([8])).item() - 2 * Math.LN2) < 1e-6, '2·log 2 at chance');
});

test('generatorLoss: non-saturating −log σ(l) and minimax log σ(−l)', (t) => {
  checkOp(t, (f) => generatorLoss(f!), { shapes: [[7]], oracle: (f) => [-mean(f!.data, logSig)] });
  checkOp(t, (f) => generatorLoss(f!, 'minimax'), { shapes: [[7]], oracle: (f) => [mean(f!.data, (x) => logSig(-x))] });
});

test('the non-saturating loss keeps a strong gradient where D confidently rejects the samples; minimax does not', (t) => {
  const rejected = Tensor.full([4], -8).requiresGrad_();
  generatorLoss(rejected).backward();
  const strong = Math.abs(rejected.grad!.data[0]!);
  rejected.grad = null;
  generatorLoss(rejected, 'minimax').backward();
  const weak = Math.abs(rejected.grad!.data[0]!);
  t.true(strong > 0.24 && weak < 1e-3, `non-saturating ${strong}, minimax ${weak}`);
});

test('the losses are finite for extreme logits and reject bad arguments clearly', (t) => {
  const extreme = Tensor.from([-1e4, 1e4]);
  t.true(Number.isFinite(discriminatorLoss(extreme, extreme, { smoothing: 0.2 }).item()));
  t.true(Number.isFinite(generatorLoss(extreme).item()));
  t.throws(() => discriminatorLoss(Tensor.zeros([2]), Tensor.zeros([2]), { smoothing: 1 }), { message: /discriminatorLoss: smoothing must be in \[0, 1\), got 1/ });
  t.throws(() => generatorLoss(Tensor.zeros([0])), { message: /generatorLoss.*fakeLogits must be a non-empty tensor of logits, got \[0\]/ });
  t.throws(() => generatorLoss(Tensor.zeros([2]), 'wasserstein' as never), { message: /generatorLoss: kind must be 'nonSaturating' or 'minimax', got 'wasserstein'/ });
});
