import { Generator, Tensor } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { LookupTable } from '../nn/LookupTable.js';
import { MemN2N } from '../nn/MemN2N.js';
import { GRU } from '../nn/GRU.js';
import { GRUCell } from '../nn/GRUCell.js';
import { LSTM } from '../nn/LSTM.js';
import { LSTMCell } from '../nn/LSTMCell.js';
import { RNN } from '../nn/RNN.js';
import { RNNCell } from '../nn/RNNCell.js';
import type { Recurrent } from '../nn/Recurrent.js';

const ids = (values: number[], shape: number[]): Tensor => Tensor.from(values, shape);
const manyIds = (): Tensor => Tensor.from(Array.from({ length: 60 }, (_, i) => (i * 37) % 40), [6, 10]);

/**
 * LookupTable (2-D ids with repeats; the ids take no gradient) as a {@link ModuleCase} row:
 * test/lookupTable.test.ts runs it with `testModules`; the browser parity page on WebGL against `cpu`.
 *
 * @example
 * testModules(test, RNN_LOOKUP_TABLE_CASES);
 */
export const RNN_LOOKUP_TABLE_CASES: Readonly<Record<string, ModuleCase>> = {
  'LookupTable (2-D ids with repeats)': {
    make: (rng) => new LookupTable(7, 4, { rng }),
    shape: [2, 3],
    input: (s) => (s[0] === 6 ? manyIds() : ids([1, 6, 1, 2, 2, 2], [2, 3])),
    inputGrad: false,
    parityMake: (rng) => new LookupTable(40, 16, { rng, paddingIdx: 3 }),
    parityShape: [6, 10],
    launches: 'some',
  },
};

const N = 2;
const IN = 3;
const H = 4;
const T = 5;

type LayerKind = 'RNN' | 'LSTM' | 'GRU';
/** A seeded layer, batch first unless `batchFirst: false`. */
function makeLayer(kind: LayerKind, seed: number, options: { numLayers?: number; batchFirst?: boolean } = {}): Recurrent {
  const rng = new Generator(seed);
  const opts = { numLayers: options.numLayers ?? 1, dropout: 0, rng, batchFirst: options.batchFirst ?? true };
  if (kind === 'RNN') return new RNN(IN, H, opts);
  if (kind === 'LSTM') return new LSTM(IN, H, opts);
  return new GRU(IN, H, opts);
}

/**
 * RNN, LSTM and GRU layers (2 layers, batch-first and time-major) and their cells from the zero
 * state, as {@link ModuleCase} rows (test/recurrent.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, RNN_RECURRENT_CASES);
 */
export const RNN_RECURRENT_CASES: Readonly<Record<string, ModuleCase>> = {
  'RNN (2 layers)': { make: () => makeLayer('RNN', 7, { numLayers: 2 }), shape: [N, T, IN], parityShape: [3, 6, IN] },
  'LSTM (2 layers)': { make: () => makeLayer('LSTM', 7, { numLayers: 2 }), shape: [N, T, IN], parityShape: [3, 6, IN] },
  'GRU (2 layers)': { make: () => makeLayer('GRU', 7, { numLayers: 2 }), shape: [N, T, IN], parityShape: [3, 6, IN] },
  'RNNCell (tanh), from the zero state': { make: () => new RNNCell(IN, H, { rng: new Generator(3) }), shape: [N, IN] },
  'RNNCell (relu), from the zero state': { make: () => new RNNCell(IN, H, { nonlinearity: 'relu', rng: new Generator(3) }), shape: [N, IN], input: () => Tensor.randn([N, IN], new Generator(5)) },
  'LSTMCell, from the zero state': { make: () => new LSTMCell(IN, H, { rng: new Generator(3) }), shape: [N, IN] },
  'GRUCell, from the zero state': { make: () => new GRUCell(IN, H, { rng: new Generator(3) }), shape: [N, IN] },
  'RNN (2 layers, time-major [T, N, in])': { make: () => makeLayer('RNN', 7, { numLayers: 2, batchFirst: false }), shape: [T, N, IN], parityShape: [6, 3, IN] },
  'LSTM (2 layers, time-major [T, N, in])': { make: () => makeLayer('LSTM', 7, { numLayers: 2, batchFirst: false }), shape: [T, N, IN], parityShape: [6, 3, IN] },
  'GRU (2 layers, time-major [T, N, in])': { make: () => makeLayer('GRU', 7, { numLayers: 2, batchFirst: false }), shape: [T, N, IN], parityShape: [6, 3, IN] },
};

const V = 9;
const M = 3;
const L = 3;
/** Two questions: memories (newest first; the last slot of the first is empty), then the question. */
const X = Tensor.from([1, 2, 3, 4, 5, 0, 0, 0, 0, 6, 7, 8, 2, 2, 0, 3, 0, 0, 1, 8, 0, 5, 6, 0], [2, M + 1, L]);
const tiny = (options: ConstructorParameters<typeof MemN2N>[3] = {}, seed = 3): MemN2N => new MemN2N(V, 4, M, { hops: 2, initStd: 0.5, rng: new Generator(seed), ...options });
const memCase = (options: ConstructorParameters<typeof MemN2N>[3]): ModuleCase => ({ make: () => tiny(options), shape: [2, M + 1, L], input: () => X, inputGrad: false, grad: { atol: 3e-3 }, launches: 'some' });

/**
 * End-to-end memory networks (Sukhbaatar et al. 2015) in three configurations, as
 * {@link ModuleCase} rows (test/memn2n.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, RNN_MEMN2N_CASES);
 */
export const RNN_MEMN2N_CASES: Readonly<Record<string, ModuleCase>> = {
  'MemN2N (PE, TE, softmax)': memCase({}),
  'MemN2N (linear start)': memCase({ linearStart: true }),
  'MemN2N (empty slots masked, plain bag of words)': memCase({ maskEmpty: true, positionEncoding: false }),
};
