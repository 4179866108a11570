import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ensemble, Generator, Linear, saveModule, Tensor } from '@eole/core';
import { close, tempDir } from '@eole/core/testing';
import {
  AcousticConvNet, acousticConvNetConfig, classifyWindows, loadSpokenDigitModel, saveSpokenDigitModel, SPOKEN_DIGIT_FEATURES, SPOKEN_DIGIT_MODEL, spokenDigitMetadata,
} from '@eole/speech';

const config = acousticConvNetConfig({ planes: [2, 3], hidden: 8, dropout: 0.3 });
const net = (seed: number) => AcousticConvNet({ ...config, rng: new Generator(seed), dropoutRng: new Generator(seed + 1) });
const windows = (n: number): Float32Array => Tensor.randn([n, 1600], new Generator(7)).data;

test('saveSpokenDigitModel then loadSpokenDigitModel: the same net, in evaluate mode, with its config, features and metadata', (t) => {
  const path = join(tempDir('speech-model'), 'digits.safetensors');
  const model = net(1);
  model.evaluate();
  saveSpokenDigitModel(path, model, config, { seed: '1', split: 'standard' });
  const loaded = loadSpokenDigitModel(path);
  t.is(loaded.members, 1);
  t.deepEqual(loaded.config, config);
  t.deepEqual(loaded.features, { ...SPOKEN_DIGIT_FEATURES });
  t.is(loaded.metadata['example'], SPOKEN_DIGIT_MODEL);
  t.is(loaded.metadata['architecture'], 'AcousticConvNet');
  t.is(loaded.metadata['split'], 'standard');
  t.false(loaded.model.training);
  const x = windows(5);
  t.deepEqual(Array.from(classifyWindows(loaded.model, x, 5)), Array.from(classifyWindows(model, x, 5)));
});

test('a speaker-normalised model records its normalisation and loads with it; an unknown one is refused', (t) => {
  const dir = tempDir('speech-model');
  const path = join(dir, 'speaker.safetensors');
  saveSpokenDigitModel(path, net(1), config, { seed: '1' }, 'speaker-cmvn');
  const loaded = loadSpokenDigitModel(path);
  t.deepEqual(loaded.features, { ...SPOKEN_DIGIT_FEATURES, normalisation: 'speaker-cmvn' });
  t.is(JSON.parse(loaded.metadata['features']!).normalisation, 'speaker-cmvn');
  const other = join(dir, 'other-norm.safetensors');
  saveModule(other, net(1), { ...spokenDigitMetadata(config), features: JSON.stringify({ ...SPOKEN_DIGIT_FEATURES, normalisation: 'utterance-cmvn' }) });
  t.throws(() => loadSpokenDigitModel(other), { message: /was trained on features .*utterance-cmvn.*normalisation window-cmvn or speaker-cmvn/ });
});

test('an Ensemble of nets saves and loads as one model averaging its members', (t) => {
  const path = join(tempDir('speech-model'), 'ensemble.safetensors');
  const ensemble = new Ensemble([net(1), net(2)]);
  saveSpokenDigitModel(path, ensemble, config);
  const loaded = loadSpokenDigitModel(path);
  t.is(loaded.members, 2);
  t.is(loaded.metadata['architecture'], 'Ensemble(AcousticConvNet)');
  t.true(loaded.model instanceof Ensemble);
  const x = windows(3);
  t.deepEqual(Array.from(classifyWindows(loaded.model, x, 3)), Array.from(classifyWindows(ensemble, x, 3)));
  t.deepEqual(spokenDigitMetadata(config, { seed: '4' }, 2), { ...spokenDigitMetadata(config, {}, 2), seed: '4' });
});

test('classifyWindows: log-probabilities [n, 10] in batches, in evaluate mode, the training mode restored', (t) => {
  const model = net(3);
  model.train();
  const x = windows(7);
  const all = classifyWindows(model, x, 7);
  t.is(all.length, 70);
  t.true(model.training, 'training mode restored');
  close(t, classifyWindows(model, x, 7, 3), all, 1e-5, 'batches of 3: the same (no dropout in evaluate mode; a backend chosen by work size may round differently)');
  for (let i = 0; i < 7; i++) t.true(Math.abs(Array.from(all.subarray(i * 10, i * 10 + 10), Math.exp).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  t.is(classifyWindows(model, new Float32Array(0), 0).length, 0);
  t.throws(() => classifyWindows(model, x, 6), { message: /x must hold 6·1600 values, got 11200/ });
});

test('loadSpokenDigitModel: clear errors for a missing file, a foreign checkpoint and other features', (t) => {
  const dir = tempDir('speech-model');
  t.throws(() => loadSpokenDigitModel(join(dir, 'none.safetensors')), { message: /loadSpokenDigitModel: '.*none\.safetensors'/ });
  const foreign = join(dir, 'linear.safetensors');
  saveModule(foreign, new Linear(2, 2, { rng: new Generator(1) }), { example: 'mnist-mlp' });
  t.throws(() => loadSpokenDigitModel(foreign), { message: /is not a spoken-digits checkpoint \(metadata example 'mnist-mlp'\)/ });
  const other = join(dir, 'other.safetensors');
  saveModule(other, net(1), { ...spokenDigitMetadata(config), features: JSON.stringify({ ...SPOKEN_DIGIT_FEATURES, sampleRate: 16000 }) });
  t.throws(() => loadSpokenDigitModel(other), { message: /was trained on features .*16000.*, this version computes/ });
  writeFileSync(join(dir, 'junk.safetensors'), 'not safetensors');
  t.throws(() => loadSpokenDigitModel(join(dir, 'junk.safetensors')), { message: /loadSpokenDigitModel: '.*junk\.safetensors': / });
});
