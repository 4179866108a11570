import test from 'ava';
import { join } from 'node:path';
import { Adam, ClassNLLCriterion, Generator, kernels, loadModule, noGrad, saveModule, ShapeError, Tensor } from '@eole/core';
import { checkGrad, maxAbsErr, tempDir, testModules } from '@eole/core/testing';
import { babiBatch, babiItems, MemN2N, memoryAttention, parseBabi, positionEncoding, sentenceLength, Vocabulary } from '@eole/rnn-memory';
import { RNN_MEMN2N_CASES } from '@eole/rnn-memory/testing';

const BACKENDS = ['cpu', 'webasm'] as const;

// ---- memoryAttention -----------------------------------------------------------------------------

/** Plain-JS oracle of one hop: p = softmax over live slots of u·m_i (or u·m_i·mask), o = Σ p_i c_i. */
function attentionOracle(m: Tensor, c: Tensor, u: Tensor, mask: Tensor, softmax: boolean): { o: number[]; p: number[] } {
  const [N, M, d] = m.shape as [number, number, number];
  const o: number[] = [];
  const p: number[] = [];
  for (let n = 0; n < N; n++) {
    const s = Array.from({ length: M }, (_, i) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += m.data[(n * M + i) * d + j]! * u.data[n * d + j]!;
      return dot;
    });
    const live = Array.from({ length: M }, (_, i) => mask.data[n * M + i]! > 0);
    let row: number[];
    if (softmax) {
      const top = Math.max(...s.filter((_, i) => live[i]));
      const e = s.map((v, i) => (live[i] ? Math.exp(v - top) : 0));
      const z = e.reduce((a, b) => a + b, 0);
      row = e.map((v) => v / z);
    } else {
      row = s.map((v, i) => (live[i] ? v : 0));
    }
    p.push(...row);
    for (let j = 0; j < d; j++) o.push(row.reduce((acc, w, i) => acc + w * c.data[(n * M + i) * d + j]!, 0));
  }
  return { o, p };
}

function attentionInputs(seed: number, N = 3, M = 5, d = 4): { m: Tensor; c: Tensor; u: Tensor; mask: Tensor } {
  const rng = new Generator(seed);
  const mask = Tensor.from(Array.from({ length: N * M }, (_, i) => (i % M < M - (i % 3) ? 1 : 0)), [N, M]);
  return { m: Tensor.randn([N, M, d], rng).requiresGrad_(), c: Tensor.randn([N, M, d], rng).requiresGrad_(), u: Tensor.randn([N, d], rng).requiresGrad_(), mask };
}

for (const softmax of [true, false]) {
  const mode = softmax ? 'softmax' : 'linear start';
  test(`memoryAttention (${mode}): forward matches a plain-JS oracle on both backends; gradcheck of m, c and u`, (t) => {
    const { m, c, u, mask } = attentionInputs(1);
    const want = attentionOracle(m, c, u, mask, softmax);
    for (const backend of BACKENDS) {
      kernels.withBackend(backend, () => {
        const { output, attention } = noGrad(() => memoryAttention(m, c, u, mask, { softmax }));
        t.true(maxAbsErr(output.data, want.o) < 1e-5, `${backend} read: ${maxAbsErr(output.data, want.o)}`);
        t.true(maxAbsErr(attention.data, want.p) < 1e-6, `${backend} attention`);
        checkGrad(t, `memoryAttention on ${backend}`, (a, b, q) => memoryAttention(a!, b!, q!, mask, { softmax }).output, [m, c, u]);
      });
    }
  });
}

test('memoryAttention: cpu and webasm agree on the gradients; shapes are checked', (t) => {
  const { m, c, u, mask } = attentionInputs(2, 4, 7, 6);
  const g = Tensor.randn([4, 6], new Generator(3));
  const grads = BACKENDS.map((backend) =>
    kernels.withBackend(backend, () => {
      for (const x of [m, c, u]) x.grad = null;
      memoryAttention(m, c, u, mask).output.backward(g);
      return [m, c, u].map((x) => Float32Array.from(x.grad!.data));
    }),
  );
  for (let i = 0; i < 3; i++) t.true(maxAbsErr(grads[0]![i]!, grads[1]![i]!) < 1e-5);
  t.throws(() => memoryAttention(m, c, u.reshape([2, 12]), mask), { instanceOf: ShapeError, message: /controller state u must be \[4, 6\] to match m \[4, 7, 6\], got \[2, 12\]/ });
  t.throws(() => memoryAttention(m.reshape([28, 6]), c, u, mask), { message: /memories m must be \[N, M, d\], got \[28, 6\]/ });
  t.throws(() => memoryAttention(m, c, u, Tensor.ones([4, 6])), { message: /mask must be \[4, 7\]/ });
});

// ---- MemN2N ----------------------------------------------------------------------------------------

const V = 9;
const M = 3;
const L = 3;
/** Two questions: memories (newest first; the last slot of the first is empty), then the question. */
const X = Tensor.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 6, 7, 8, 2, 2, 0, 3, 0, 0, 1, 8, 0, 5, 6, 0], [2, M + 1, L]);

function tiny(options: ConstructorParameters<typeof MemN2N>[3] = {}, seed = 3): MemN2N {
  return new MemN2N(V, 4, M, { hops: 2, initStd: 0.5, rng: new Generator(seed), ...options });
}

/**
 * Independent oracle of a one-hop MemN2N without temporal encoding: u = Σ_j l_j ⊙ A q_j,
 * m_i = Σ_j l_j ⊙ A x_ij, c_i = Σ_j l_j ⊙ C x_ij, p = softmax(u·m) over every slot (an empty one is
 * a zero vector), â = logSoftmax(C (u + Σ p_i c_i)).
 */
function oneHopOracle(net: MemN2N, x: Tensor): number[] {
  const d = net.embeddingSize;
  const [A, C] = [net.tables[0]!.weight.data, net.tables[1]!.weight.data];
  const bag = (table: Float32Array, ids: number[]): number[] => {
    const words = ids.filter((id) => id !== 0);
    const l = positionEncoding(Math.max(words.length, 1), d).data;
    return Array.from({ length: d }, (_, k) => words.reduce((s, id, j) => s + l[j * d + k]! * table[id * d + k]!, 0));
  };
  const out: number[] = [];
  const [N, S] = x.shape as [number, number];
  for (let n = 0; n < N; n++) {
    const row = (slot: number): number[] => Array.from(x.data.subarray((n * S + slot) * L, (n * S + slot + 1) * L));
    const u = bag(A, row(M));
    const m = Array.from({ length: M }, (_, i) => bag(A, row(i)));
    const c = Array.from({ length: M }, (_, i) => bag(C, row(i)));
    const s = m.map((mi) => mi.reduce((acc, v, k) => acc + v * u[k]!, 0));
    const top = Math.max(...s);
    const e = s.map((v) => Math.exp(v - top));
    const z = e.reduce((a, b) => a + b, 0);
    const h = u.map((v, k) => v + c.reduce((acc, ci, i) => acc + (e[i]! / z) * ci[k]!, 0));
    const logits = Array.from({ length: V }, (_, w) => h.reduce((acc, v, k) => acc + v * C[w * d + k]!, 0));
    const lmax = Math.max(...logits);
    const lse = lmax + Math.log(logits.reduce((acc, v) => acc + Math.exp(v - lmax), 0));
    out.push(...logits.map((v) => v - lse));
  }
  return out;
}

test('MemN2N: one hop matches an independent oracle of Sukhbaatar et al. eq. 1–3 with position encoding', (t) => {
  const net = new MemN2N(V, 4, M, { hops: 1, temporalEncoding: false, initStd: 0.5, rng: new Generator(4) });
  const y = noGrad(() => net.forward(X));
  t.deepEqual([...y.shape], [2, V]);
  t.true(maxAbsErr(y.data, oneHopOracle(net, X)) < 1e-5, `diff ${maxAbsErr(y.data, oneHopOracle(net, X))}`);
});

test('MemN2N: adjacent tying gives tables A1, C1 … CK (and TA1, TC1 … TCK); attention per hop is exposed', (t) => {
  const net = tiny();
  t.deepEqual([...net.stateDict().keys()], ['A1.weight', 'C1.weight', 'C2.weight', 'TA1.weight', 'TC1.weight', 'TC2.weight']);
  t.deepEqual([...net.tables[0]!.weight.data.subarray(0, 4)], [0, 0, 0, 0], 'the NIL word embeds to zero');
  const y = noGrad(() => net.evaluate().forward(X));
  for (let n = 0; n < 2; n++) t.true(Math.abs(y.data.subarray(n * V, (n + 1) * V).reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5);
  t.is(net.attention.length, 2);
  for (const p of net.attention) {
    t.deepEqual([...p.shape], [2, M]);
    for (let n = 0; n < 2; n++) t.true(Math.abs(p.data[n * M]! + p.data[n * M + 1]! + p.data[n * M + 2]! - 1) < 1e-5);
  }
  const masked = tiny({ maskEmpty: true });
  noGrad(() => masked.forward(X));
  t.is(masked.attention[0]!.data[2], 0, 'a masked empty slot gets no attention');
  t.is(net.toString(), 'nn.MemN2N(9 words, d 4, 3 slots, 2 hops, PE, TE)');
});

// Each configuration is a row: gradcheck of every table, backward = autograd, parity, round trip.
testModules(test, RNN_MEMN2N_CASES);

test('MemN2N: cpu and webasm agree on the output and every gradient', (t) => {
  const g = Tensor.randn([2, V], new Generator(5));
  const results = BACKENDS.map((backend) =>
    kernels.withBackend(backend, () => {
      const net = tiny({}, 6);
      const y = net.forward(X);
      y.backward(g);
      return [Float32Array.from(y.data), ...net.parameters().map((p) => Float32Array.from(p.grad!.data))];
    }),
  );
  results[0]!.forEach((a, i) => t.true(maxAbsErr(a, results[1]![i]!) < 1e-5, `tensor ${i}: ${maxAbsErr(a, results[1]![i]!)}`));
});

test('MemN2N: save/load round trip gives the same answers; a different shape is refused', (t) => {
  const a = tiny({ randomNoise: 0.1 }, 7).evaluate();
  const path = join(tempDir('memn2n'), 'memn2n.safetensors');
  saveModule(path, a);
  const b = tiny({ randomNoise: 0.1 }, 8).evaluate();
  t.notDeepEqual([...noGrad(() => b.forward(X)).data], [...noGrad(() => a.forward(X)).data]);
  loadModule(path, b);
  t.deepEqual([...noGrad(() => b.forward(X)).data], [...noGrad(() => a.forward(X)).data]);
  t.throws(() => loadModule(path, new MemN2N(V, 4, M, { hops: 3 })), { message: /missing 'C3\.weight'/ });
});

test('MemN2N: random noise changes the time indices in training only', (t) => {
  const net = tiny({ randomNoise: 0.5 }, 9);
  const outs = [0, 1, 2].map(() => Array.from(noGrad(() => net.forward(X)).data));
  t.true(outs.some((o) => maxAbsErr(o, outs[0]!) > 1e-6), 'training forwards differ');
  net.evaluate();
  t.deepEqual(Array.from(noGrad(() => net.forward(X)).data), Array.from(noGrad(() => net.forward(X)).data));
});

test('MemN2N: shapes and ids are checked with clear errors', (t) => {
  const net = tiny();
  t.throws(() => net.forward(Tensor.zeros([2, M, L])), { instanceOf: ShapeError, message: /expected ids \[N, 4, L\] \(3 memory slots, then the question\), got \[2, 3, 3\]/ });
  t.throws(() => net.forward(Tensor.zeros([8, L])), { message: /got \[8, 3\]/ });
  const bad = Tensor.from(X.data.map((v, i) => (i === 4 ? 12 : v)), X.shape);
  t.throws(() => net.forward(bad), { message: /id 12 at position 4 is out of range for nIndex 9/ });
  t.throws(() => new MemN2N(9, 4, 0), { message: /memorySize must be a positive integer, got 0/ });
  t.throws(() => new MemN2N(9, 4, 3, { randomNoise: 1 }), { message: /randomNoise must be a probability in \[0, 1\), got 1/ });
});

/** A synthetic bAbI task 1: who is where, after moves, for `stories` stories of 6 statements. */
function whereIs(stories: number, rng: Generator): string {
  const people = ['mary', 'john', 'sandra'];
  const places = ['kitchen', 'garden', 'office', 'hallway'];
  const lines: string[] = [];
  for (let s = 0; s < stories; s++) {
    const at = new Map<string, string>();
    let id = 1;
    for (let k = 0; k < 6; k++) {
      const who = people[rng.int(people.length)]!;
      const where = places[rng.int(places.length)]!;
      at.set(who, `${where}\t${id}`);
      lines.push(`${id++} ${who} went to the ${where}.`);
      if (k % 2 === 1) {
        const asked = [...at.keys()][rng.int(at.size)]!;
        lines.push(`${id++} Where is ${asked}? \t${at.get(asked)!}`);
      }
    }
  }
  return lines.join('\n');
}

test('MemN2N learns a synthetic single-supporting-fact task (≥ 95% on held-out stories) and hop 1 finds the fact', (t) => {
  const rng = new Generator(10);
  const train = parseBabi(whereIs(150, rng));
  const heldOut = parseBabi(whereIs(40, rng));
  const vocab = Vocabulary.fromStories(train);
  const length = sentenceLength(train);
  const items = babiItems(train);
  const net = new MemN2N(vocab.size, 20, 6, { hops: 2, rng: new Generator(11) });
  const optimizer = new Adam(net.parameters(), { lr: 0.02 });
  const criterion = new ClassNLLCriterion();
  for (let epoch = 0; epoch < 25; epoch++) {
    const order = rng.permutation(items.length);
    for (let i = 0; i < items.length; i += 32) {
      const { x, y } = babiBatch(Array.from(order.subarray(i, i + 32), (k) => items[k]!), vocab, 6, length);
      optimizer.zeroGrad();
      criterion.forward(net.forward(x), y).backward();
      optimizer.step();
    }
  }
  const test = babiItems(heldOut);
  const { x, y } = babiBatch(test, vocab, 6, length);
  const pred = noGrad(() => net.evaluate().forward(x)).argmax(1).data;
  const accuracy = test.filter((_, n) => pred[n] === y.data[n]).length / test.length;
  t.true(accuracy >= 0.95, `held-out accuracy ${accuracy}`);
  // Where hop 1 looks hardest: the supporting sentence, for most questions.
  const found = test.filter((item, n) => {
    const slots = item.question.memory.slice(-6).reverse();
    const p = Array.from(net.attention[0]!.data.subarray(n * 6, n * 6 + 6)).map((w, i) => (i < slots.length ? w : -1));
    return item.question.supporting.includes(slots[p.indexOf(Math.max(...p))]!);
  }).length;
  t.log(`held-out accuracy ${accuracy.toFixed(3)}; hop 1 on the supporting fact for ${found} of ${test.length}`);
  t.true(found / test.length >= 0.8, `hop 1 attends most to the supporting fact for ${found} of ${test.length}`);
});
