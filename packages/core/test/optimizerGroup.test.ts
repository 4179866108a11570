import test from 'ava';
import { Adam, Generator, Linear, loadTrainState, OptimizerGroup, saveTrainState, Sequential, SGD, Tensor } from '@eole/core';
import { tempDir } from '@eole/core/testing';

/** Two nets, one optimizer each, a few steps of a quadratic loss driven by `rng`. */
function setup(seed: number) {
  const a = new Linear(4, 3, { rng: new Generator(seed) });
  const b = new Linear(3, 2, { rng: new Generator(seed + 1) });
  const oa = new Adam(a.parameters(), { lr: 1e-2, betas: [0.5, 0.999] });
  const ob = new SGD(b.parameters(), { lr: 5e-2, momentum: 0.9 });
  return { a, b, oa, ob, pair: new Sequential(a, b) };
}

function steps(s: ReturnType<typeof setup>, step: () => void, rng: Generator, n: number): void {
  for (let i = 0; i < n; i++) {
    const loss = s.pair.forward(Tensor.randn([5, 4], rng)).pow(2).mean();
    loss.backward();
    step();
  }
}

const weights = (s: ReturnType<typeof setup>): number[] => s.pair.parameters().flatMap((p) => Array.from(p.data));

test('OptimizerGroup: stepping the group is stepping every member', (t) => {
  const one = setup(3);
  const two = setup(3);
  const group = new OptimizerGroup([two.oa, two.ob]);
  steps(one, () => { one.oa.step(); one.ob.step(); one.oa.zeroGrad(); one.ob.zeroGrad(); }, new Generator(9), 4);
  steps(two, () => { group.step(); group.zeroGrad(); }, new Generator(9), 4);
  t.deepEqual(weights(two), weights(one));
  t.is(group.params.length, 4);
});

test('OptimizerGroup: a checkpoint restores each member, and the run continues bit for bit', (t) => {
  const dir = tempDir('optimizer-group');
  const ref = setup(5);
  const refGroup = new OptimizerGroup([ref.oa, ref.ob]);
  const rng = new Generator(11);
  steps(ref, () => { refGroup.step(); refGroup.zeroGrad(); }, rng, 3);
  saveTrainState(dir, { model: ref.pair, optimizer: refGroup, rngs: { data: rng } }, 1);
  steps(ref, () => { refGroup.step(); refGroup.zeroGrad(); }, rng, 3);

  const resumed = setup(99);
  resumed.oa.lr = 7;
  const group = new OptimizerGroup([resumed.oa, resumed.ob]);
  const rng2 = new Generator(0);
  t.is(loadTrainState(dir, { model: resumed.pair, optimizer: group, rngs: { data: rng2 } }), 1);
  t.is(resumed.oa.lr, 1e-2);
  t.is(resumed.ob.lr, 5e-2);
  steps(resumed, () => { group.step(); group.zeroGrad(); }, rng2, 3);
  t.deepEqual(weights(resumed), weights(ref));
});

test('OptimizerGroup: a foreign or damaged dict is refused and changes nothing', (t) => {
  const s = setup(1);
  const group = new OptimizerGroup([s.oa, s.ob]);
  steps(s, () => group.step(), new Generator(2), 2);
  const good = JSON.parse(JSON.stringify(group.stateDict()));
  const before = JSON.stringify(group.stateDict());
  t.throws(() => group.loadStateDict({ ...good, type: 'Adam' }), { message: /for a Adam optimizer, not OptimizerGroup/ });
  t.throws(() => group.loadStateDict({ ...good, state: good.state.slice(1) }), { message: /state for 3 parameters, this group has 4/ });
  const noLr = { ...good, options: { ...good.options } };
  delete noLr.options['1.lr'];
  t.throws(() => group.loadStateDict(noLr), { message: /options\['1.lr'\] must be a number/ });
  const badMomentum = { ...good, options: { ...good.options, '1.momentum': -1 } };
  t.throws(() => group.loadStateDict(badMomentum), { message: /momentum/ });
  t.is(JSON.stringify(group.stateDict()), before);
  t.throws(() => new OptimizerGroup([]), { message: /members must be a non-empty array/ });
  t.throws(() => new OptimizerGroup([s.oa, 3 as never]), { message: /members\[1\] must be an Optimizer, got/ });
  t.throws(() => new OptimizerGroup([s.oa, s.oa]), { message: /same tensor/ });
});
