import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, kernels, loadModule, noGrad, saveModule, Tensor } from '@eole/core';
import { checkGrad, maxAbsErr, tempDir } from '@eole/core/testing';
import { Seq2Seq } from '@eole/rnn-memory';

// source ids [2, 4] (the second source has length 3), decoder input [2, 3] (BOS = 4, EOS = 5)
const source = (): Tensor => Tensor.from([1, 2, 3, 0, 3, 1, 2, 0], [2, 4]);
const decoderInput = (): Tensor => Tensor.from([4, 2, 1, 4, 0, 3], [2, 3]);
const lengths = [4, 3];

test('Seq2Seq: autograd gradients of every parameter match central differences', (t) => {
  const net = new Seq2Seq(4, 6, { embedSize: 2, hiddenSize: 3, rng: new Generator(4) });
  t.true(net.parameters().reduce((s, p) => s + p.size, 0) > 100);
  // every entry, step 1e-2, |autograd − numeric| ≤ 2e-2
  checkGrad(t, 'Seq2Seq', () => net.logits(source(), decoderInput(), { sourceLengths: lengths }), net.parameters(), { eps: 1e-2, atol: 2e-2, rtol: 0 });
  // the padded source position (index 3 of the second row) does not reach the loss
  const emb = net.source.weight.grad!;
  t.true(emb.data.some((v) => v !== 0));
});

test('Seq2Seq gives the same logits and gradients on cpu and webasm', (t) => {
  const run = (backend: 'cpu' | 'webasm'): number[][] =>
    kernels.withBackend(backend, () => {
      const net = new Seq2Seq(4, 6, { embedSize: 5, hiddenSize: 8, rng: new Generator(7) });
      const logits = net.logits(source(), decoderInput(), { sourceLengths: lengths });
      logits.mul(Tensor.randn(logits.shape, new Generator(8))).sum().backward();
      return [[...logits.data], ...net.parameters().map((p) => [...p.grad!.data])];
    });
  const a = run('cpu');
  const b = run('webasm');
  const worst = Math.max(...a.map((x, i) => maxAbsErr(x, b[i]!)));
  t.true(worst < 1e-5, `max difference ${worst}`);
});

test('Seq2Seq saves and loads (same greedy outputs); greedy decoding follows the teacher-forced argmax', (t) => {
  const dir = tempDir('seq2seq');
  try {
    const net = new Seq2Seq(4, 6, { embedSize: 5, hiddenSize: 8, rng: new Generator(1) });
    const path = join(dir, 's2s.safetensors');
    saveModule(path, net);
    const other = new Seq2Seq(4, 6, { embedSize: 5, hiddenSize: 8, rng: new Generator(2) });
    loadModule(path, other);
    t.deepEqual([...other.stateDict().keys()].slice(0, 3), ['source.weight', 'target.weight', 'encoder.weight_ih_l0']);
    const a = net.greedy(source(), { sourceLengths: lengths, maxLength: 4 });
    t.deepEqual(other.greedy(source(), { sourceLengths: lengths, maxLength: 4 }), a);
    // the first greedy token is the argmax of the teacher-forced logits after BOS
    const logits = noGrad(() => net.logits(source(), Tensor.from([4, 4], [2, 1]), { sourceLengths: lengths }));
    for (let n = 0; n < 2; n++) {
      const row = [...logits.data.subarray(n * 6, n * 6 + 6)];
      const first = row.indexOf(Math.max(...row));
      if (first === 5) t.deepEqual(a[n], []);
      else t.is(a[n]![0], first);
    }
    t.is(net.forward(source()).shape[1], 10);
    t.is(net.toString(), 'nn.Seq2Seq(4 -> 6, embed 5, hidden 8)');
    t.throws(() => net.encode(Tensor.zeros([2, 3, 1])), { message: /source must be ids \[N, S\], got \[2, 3, 1\]/ });
    t.throws(() => new Seq2Seq(4, 6, { bos: 6 }), { message: /bos must be a target id in \[0, 6\), got 6/ });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
