import test from 'ava';
import { firstValueFrom, from, Observable, toArray } from 'rxjs';
import { batch, Dropout, forward, fromArray, Generator, isGradEnabled, Linear, Module, noGrad, Sequential, Tanh, Tensor } from '@eole/core';
import { collectEmbeddings, embed, NearestNeighbors } from '@eole/metric';
import { maxRelErr } from '@eole/core/testing';
import { smallNet } from './smallNet.js';

/** Records the grad mode and training flag it ran under. */
class Probe extends Module {
  seen: { grad: boolean; training: boolean }[] = [];
  protected updateOutput(input: Tensor): Tensor {
    this.seen.push({ grad: isGradEnabled(), training: this.training });
    return input;
  }
}

test('embed(net) equals net.forward on every batch, keeps the labels, composes with batch()', async (t) => {
  const rng = new Generator(1);
  const net = smallNet(4, 3);
  const samples = Array.from({ length: 10 }, (_, i) => ({ x: Tensor.randn([4], rng), y: i % 3 }));
  const out = await firstValueFrom(fromArray(samples).pipe(batch(4), embed(net), toArray()));
  t.is(out.length, 3);
  const x = Tensor.from(samples.flatMap((s) => Array.from(s.x.data)), [10, 4]);
  const expected = noGrad(() => net.forward(x));
  const joined = out.flatMap((o) => Array.from(o.embeddings.data));
  t.true(maxRelErr(joined, expected.data) < 1e-6);
  t.deepEqual(out.flatMap((o) => Array.from(o.labels!.data)), samples.map((s) => s.y));
  t.false(out[0]!.embeddings.requiresGrad, 'no graph is recorded');
  const collected = await collectEmbeddings(fromArray(samples).pipe(batch(4), embed(net)));
  t.deepEqual([...collected.embeddings.shape], [10, 3]);
  t.true(maxRelErr(collected.embeddings.data, expected.data) < 1e-6);
  t.deepEqual(Array.from(collected.labels), samples.map((s) => s.y));
  const index = new NearestNeighbors(collected.embeddings, collected.labels);
  t.is(index.size, 10);
});

test('embed maps tensors to tensors, slices large items by batchSize, and matches core’s forward', async (t) => {
  const net = smallNet(4, 2);
  const x = Tensor.randn([25, 4], new Generator(2));
  const [whole] = await firstValueFrom(from([x]).pipe(embed(net, { batchSize: 8 }), toArray()));
  const [viaForward] = await firstValueFrom(from([x]).pipe(forward(net), toArray()));
  t.deepEqual([...whole!.shape], [25, 2]);
  t.true(maxRelErr(whole!.data, viaForward!.data) < 1e-6);
  const collected = await collectEmbeddings(from([x, x]).pipe(embed(net)));
  t.deepEqual([...collected.embeddings.shape], [50, 2]);
  t.is(collected.labels.length, 0, 'no labels on tensor items');
  t.throws(() => embed(net, { batchSize: 0 }), { message: /batchSize must be an integer >= 1, got 0/ });
});

test('embed runs in evaluation mode without gradients and restores every module’s mode', async (t) => {
  const probe = new Probe();
  const dropout = new Dropout(0.5);
  const net = new Sequential(new Linear(3, 3, { rng: new Generator(3) }), dropout, probe, new Tanh());
  net.train();
  probe.train(false); // a mixed state, to be put back as it was
  const x = Tensor.ones([6, 3]);
  const [e] = await firstValueFrom(from([{ x }]).pipe(embed(net), toArray()));
  t.deepEqual(probe.seen, [{ grad: false, training: false }]);
  t.true(maxRelErr(e!.embeddings.data, noGrad(() => net.evaluate().forward(x)).data) < 1e-6, 'dropout is off');
  net.train();
  probe.train(false);
  await firstValueFrom(from([{ x }]).pipe(embed(net), toArray()));
  t.true(net.training && dropout.training, 'training mode restored');
  t.false(probe.training, 'the evaluate-mode child stays in evaluate mode');
  t.true(isGradEnabled());
});

test('embed and collectEmbeddings report bad items clearly', async (t) => {
  const net = smallNet(4, 2);
  await t.throwsAsync(firstValueFrom(from([{ x: 3 }] as never[]).pipe(embed(net))), { message: /embed: each item must be a Tensor or a batch \{ x: Tensor, y\? \}, got x = number/ });
  await t.throwsAsync(firstValueFrom(from([Tensor.zeros([2, 5])]).pipe(embed(net))), { message: /\[2, 5\]/ });
  await t.throwsAsync(collectEmbeddings(from([] as Tensor[])), { message: /completed without any item/ });
  await t.throwsAsync(collectEmbeddings(from([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])])), { message: /item 1 has embeddings \[2, 4\], expected \[n, 3\] like item 0/ });
  await t.throwsAsync(collectEmbeddings(from([{ embeddings: Tensor.zeros([2, 3]), labels: Tensor.from([0, 1]) }, { embeddings: Tensor.zeros([1, 3]) }])), { message: /item 1 lacks labels, unlike item 0/ });
  await t.throwsAsync(collectEmbeddings(from([{ embeddings: Tensor.zeros([2, 3]), labels: Tensor.from([0]) }])), { message: /item 0 has 1 labels for 2 embeddings/ });
  await t.throwsAsync(collectEmbeddings(new Observable<Tensor>((s) => s.error(new Error('boom')))), { message: 'boom' });
  t.throws(() => embed({} as never), { message: /embed: net must be a Module, got Object/ });
});
