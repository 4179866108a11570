import test from 'ava';
import { Dropout, Generator, Linear, LogSoftMax, Sequential } from '@eole/core';
import { adaptToSpeaker, confidentShare, speakerPosteriors, type SpeakerWindows } from '../spoken-digits/adapt.js';
import { INPUT_SIZE } from '../spoken-digits/data.js';

test('confidentShare takes the given share of each predicted class, most confident first', (t) => {
  // 6 utterances, 2 classes: predicted 0, 0, 0, 0, 1, 1 with these log-probabilities of the prediction
  const p = [0.9, 0.6, 0.8, 0.7, 0.55, 0.95];
  const pred = [0, 0, 0, 0, 1, 1];
  const logp = new Float32Array(12);
  p.forEach((v, i) => { logp[i * 2 + pred[i]!] = Math.log(v); logp[i * 2 + 1 - pred[i]!] = Math.log(1 - v); });
  t.deepEqual(confidentShare(logp, 6, 2, 0.5), { indices: [0, 2, 5], labels: [0, 0, 1] });
  t.deepEqual(confidentShare(logp, 6, 2, 1), { indices: [0, 2, 3, 1, 5, 4], labels: [0, 0, 0, 0, 1, 1] });
});

/** A tiny classifier of the 1600-value windows, with dropout (its generator is replaced by adaptToSpeaker). */
function net(seed: number, dropoutSeed: number): Sequential {
  return new Sequential().add(new Dropout(0.3, { rng: new Generator(dropoutSeed) })).add(new Linear(INPUT_SIZE, 3, { rng: new Generator(seed) })).add(new LogSoftMax());
}

function windows(count: number, views: number, trains: number, seed: number): SpeakerWindows {
  const rng = new Generator(seed);
  const fill = (n: number): Float32Array => Float32Array.from({ length: n * INPUT_SIZE }, () => rng.normal());
  return { count, views: fill(count * views), viewCount: views, train: fill(count * trains), trainCount: trains };
}

test('adaptToSpeaker fine-tunes on the confident shares of its own predictions, seeded whatever the dropout generators it was built with; bad windows are refused by name', (t) => {
  const w = windows(30, 2, 3, 1);
  const adapted = (dropoutSeed: number, rngSeed: number): Float32Array => {
    const model = net(5, dropoutSeed);
    const rounds = adaptToSpeaker(model, w, 3, { rounds: [0.5, 1], epochs: 2, batch: 8, rng: new Generator(rngSeed), dropoutRng: (k) => new Generator(100 + k) });
    t.deepEqual(rounds.map((r) => r.share), [0.5, 1]);
    t.is(rounds[1]!.chosen, 30, 'share 1 takes every utterance');
    t.true(rounds[0]!.chosen >= 13 && rounds[0]!.chosen <= 17, `about half: ${rounds[0]!.chosen}`);
    return speakerPosteriors(model, w);
  };
  const before = speakerPosteriors(net(5, 0), w);
  const a = adapted(0, 1);
  t.notDeepEqual(Array.from(a), Array.from(before), 'the model moved');
  t.deepEqual(Array.from(adapted(9, 1)), Array.from(a), 'the same seeds: the same model, whatever generator its dropout had');
  t.notDeepEqual(Array.from(adapted(0, 2)), Array.from(a), 'another shuffle seed: another model');
  const bad = { ...w, views: new Float32Array(10) };
  t.throws(() => adaptToSpeaker(net(5, 0), bad, 3, { rng: new Generator(1), dropoutRng: () => new Generator(1) }), { message: /adaptToSpeaker: w\.views must hold count × viewCount × 1600 = 96000 values, got 10/ });
  t.throws(() => adaptToSpeaker(net(5, 0), w, 3, { rounds: [0], rng: new Generator(1), dropoutRng: () => new Generator(1) }), { message: /options\.rounds must be shares in \(0, 1\], got 0/ });
});
