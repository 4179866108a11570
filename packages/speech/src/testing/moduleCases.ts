import { Generator, Tensor } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { AcousticConvNet } from '../nn/AcousticConvNet.js';
import { StatisticsPooling } from '../nn/StatisticsPooling.js';

// The whole net, composed as trained (ReLU, max pooling), on a tiny batch: a seeded check of the
// gradient of the input and of every parameter tensor against central finite differences (fixed
// seeds, so that no finite difference straddles a kink), Torch7 backward, parity, round trip.
/**
 * The acoustic ConvNet (40 MFCCs × 40 frames) in evaluate mode as a {@link ModuleCase} row
 * (test/acoustic.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, SPEECH_ACOUSTIC_CASES);
 */
export const SPEECH_ACOUSTIC_CASES: Readonly<Record<string, ModuleCase>> = {
  'AcousticConvNet (planes 2, 3; hidden 8; evaluate mode)': {
    make: () => AcousticConvNet({ rng: new Generator(3), planes: [2, 3], hidden: 8, dropout: 0.5, dropoutRng: new Generator(4) }).evaluate(),
    shape: [2, 1600],
    input: () => Tensor.randn([2, 1600], new Generator(5)),
    grad: { maxPerInput: 16, eps: 1e-3 },
    parityTol: 1e-4,
    launches: 'some',
  },
};

const withLengths = (lengths: number[]) => () => new StatisticsPooling().setLengths(lengths);

/**
 * StatisticsPooling (x-vector mean and standard deviation over time; with per-utterance lengths)
 * as {@link ModuleCase} rows (test/statisticsPooling.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, SPEECH_STATISTICS_POOLING_CASES);
 */
export const SPEECH_STATISTICS_POOLING_CASES: Readonly<Record<string, ModuleCase>> = {
  'StatisticsPooling [N, C, T]': { make: () => new StatisticsPooling(), shape: [3, 4, 6] },
  'StatisticsPooling [N, C, H, T]': { make: () => new StatisticsPooling(), shape: [2, 3, 2, 5], checks: ['gradcheck', 'backward', 'roundTrip'] },
  'StatisticsPooling with lengths': { make: withLengths([6, 3, 4]), shape: [3, 4, 6], checks: ['gradcheck', 'backward', 'roundTrip'] },
};
