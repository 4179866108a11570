/**
 * The spoken-digit data of the example: the splits of an FSDD-style folder, the training windows
 * (noise-padded, speed-perturbed and jittered utterances, precomputed as a few augmented variants)
 * and the held-out windows, as streams of batches for core's `train(...)`.
 */
import { Observable } from 'rxjs';
import { fromIterable, Generator, prefetch, Tensor, type Batch } from '@eole/core';
import {
  addNoise, backgroundRms, bandLimit, cepstralStatistics, composeAugmentations, DIGIT_SAMPLE_RATE, loadUtterance, N_COEFFS, paddedFeatures, randomEqualizer, resample, reverberate, shiftPitch, windowInput, WINDOW_FRAMES,
  type Augmentation, type CepstralStatistics, type DigitUtterance, type SpokenDigitNormalisation,
} from '@eole/speech';

/** Values in one model input: 40 coefficients × 40 frames. */
export const INPUT_SIZE = WINDOW_FRAMES * N_COEFFS;

/** How the recordings are split into training and test sets. */
export type SplitName = 'standard' | 'loso' | 'all';

/** A training and a test list (the test list may be empty: `--split all`). */
export interface Split {
  name: string;
  train: DigitUtterance[];
  test: DigitUtterance[];
}

/**
 * The standard FSDD split (its README): repetitions 0–4 of every speaker and digit are the test
 * set, the rest train.
 */
export function standardSplit(all: readonly DigitUtterance[]): Split {
  return { name: 'standard', train: all.filter((u) => u.index >= 5), test: all.filter((u) => u.index < 5) };
}

/** Leave-one-speaker-out: one split per speaker (sorted by name), that speaker's recordings the test set. */
export function losoSplits(all: readonly DigitUtterance[]): Split[] {
  const speakers = [...new Set(all.map((u) => u.speaker))].sort();
  if (speakers.length < 2) throw new Error(`--split loso needs recordings of at least two speakers, found ${speakers.length} (${speakers.join(', ')})`);
  return speakers.map((s) => ({ name: s, train: all.filter((u) => u.speaker !== s), test: all.filter((u) => u.speaker === s) }));
}

/** Augmentation of the training windows. */
export interface AugmentOptions {
  /** Precomputed variants of every training utterance (variant 0 is unperturbed); each window picks one. */
  variants: number;
  /** Largest speed change of variants 1…: a factor drawn uniformly in [1 − speed, 1 + speed] (0 for none). */
  speed: number;
  /** Noise level range of variants 1…: the padding noise level (the recording's `backgroundRms`) is multiplied by 2^u, u uniform in [−noise, noise]. */
  noise: number;
  /** Tempo change of variants 1…: the frames are stretched in time by (1 + tempo)^u, u uniform in [−1, 1] (0 for none). */
  tempo: number;
  /** Largest time shift of a training window, in frames (a new draw every epoch). */
  jitter: number;
  /** Vocal-tract length perturbation of variants 1…: the filterbank warped by α uniform in [1 − vtlp, 1 + vtlp] (0 for none). */
  vtlp?: number;
  /** Probability that a variant 1… is recorded through another set-up ({@link RECORDING_SET_UP}; 0 for none). */
  channel?: number;
  /** Pitch shift of variants 1…: semitones uniform in [−pitch, pitch] ({@link shiftPitch}: formants move too; 0 for none). */
  pitch?: number;
}

/**
 * Another recording set-up for the same voice (channel augmentation): a random equaliser (another
 * microphone and room: three peaking filters of ±8 dB and shelves of ±10 dB), then with probability
 * 0.3 a band limit (low edge 50–400 Hz, high edge 2.8–3.9 kHz: a cheaper microphone or a codec), with
 * probability 0.2 a synthetic room reverberation (RT60 0.1–0.4 s, direct-to-reverberant ratio
 * 3–15 dB) and with probability 0.4 white or pink noise at 10–35 dB SNR. The padding noise of a
 * variant then follows the new background level.
 */
export const RECORDING_SET_UP: Augmentation = composeAugmentations([
  randomEqualizer({ gainDb: [-8, 8], shelfGainDb: [-10, 10] }),
  { augmentation: bandLimit({ low: [50, 400], high: [2800, 3900] }), probability: 0.3 },
  { augmentation: reverberate({ rt60: [0.1, 0.4], drrDb: [3, 15] }), probability: 0.2 },
  { augmentation: addNoise({ snrDb: [10, 35] }), probability: 0.4 },
]);

/** One precomputed variant of an utterance: just the frames any jittered window can use. */
interface Variant {
  /** Frames [centre − jitter, centre + jitter + 40) of the padded features, [frames, 40] row-major. */
  frames: Float32Array;
}

/** Training windows of a list of utterances, precomputed for {@link trainBatches}. */
export interface WindowSet {
  labels: Int32Array;
  /** variants[u][v] */
  variants: Variant[][];
  jitter: number;
  count: number;
  /** With speaker normalisation: statistics[u][v], those of utterance u's speaker in variant v's recording session (else per-window normalisation). */
  statistics?: CepstralStatistics[][];
}

/**
 * Cepstral statistics of every speaker of `utterances` over the centred windows `frames[i]` (each
 * [40, 40] row-major, frames × coefficients) of its utterances: one shared object per speaker,
 * listed per utterance.
 */
export function speakerStatistics(utterances: readonly DigitUtterance[], frames: (i: number) => Float32Array): CepstralStatistics[] {
  const bySpeaker = new Map<string, number[]>();
  utterances.forEach((u, i) => bySpeaker.set(u.speaker, [...(bySpeaker.get(u.speaker) ?? []), i]));
  const stats = new Map([...bySpeaker].map(([s, list]) => [s, cepstralStatistics(list.map(frames))]));
  return utterances.map((u) => stats.get(u.speaker)!);
}

/**
 * The frames of one variant of an utterance: speed-perturbed by `factor` through the band-limited
 * resampler (fewer samples played at the same rate: faster and higher, Ko et al., "Audio
 * augmentation for speech recognition", Interspeech 2015), padded with noise at `rms`, featurised,
 * then stretched in time by `tempo` around the window centre (frame j of the result reads frame
 * m + (j − m')·tempo of the features, linearly interpolated: a slower or faster speaker at the same
 * pitch, as the time warping of Park et al., "SpecAugment", Interspeech 2019).
 */
function variantOf(signal: Float32Array, factor: number, tempo: number, rms: number, warp: number, jitter: number, rng: Generator): Variant {
  // the new rate is a multiple of 80 Hz, so the resampler's polyphase table has at most 100·factor phases
  const x = factor === 1 ? signal : resample(signal, DIGIT_SAMPLE_RATE, 80 * Math.round(DIGIT_SAMPLE_RATE / factor / 80));
  const half = WINDOW_FRAMES / 2 + jitter; // output frames each side of the middle
  const margin = Math.max(jitter, Math.ceil(half * Math.max(1, tempo) - WINDOW_FRAMES / 2) + 1);
  const { features, centre } = paddedFeatures(x, DIGIT_SAMPLE_RATE, { rng, noiseRms: rms, margin, warp });
  const T = features.shape[0]!;
  const data = features.data;
  const middle = centre + (WINDOW_FRAMES - 1) / 2;
  const count = WINDOW_FRAMES + 2 * jitter;
  const frames = new Float32Array(count * N_COEFFS);
  for (let f = 0; f < count; f++) {
    // padding covers the range; a clamped edge (never for FSDD) repeats the end frames
    const p = Math.min(T - 1, Math.max(0, middle + (f - (count - 1) / 2) * tempo));
    const lo = Math.floor(p);
    const hi = Math.min(T - 1, lo + 1);
    const w = p - lo;
    for (let c = 0; c < N_COEFFS; c++) frames[f * N_COEFFS + c] = (1 - w) * data[lo * N_COEFFS + c]! + w * data[hi * N_COEFFS + c]!;
  }
  return { frames };
}

/** A generator seeded by `seed` and a file name (FNV-1a), so an utterance's variants do not depend on the list it is in. */
export function fileGenerator(seed: number, file: string): Generator {
  let h = 0x811c9dc5;
  for (let i = 0; i < file.length; i++) h = Math.imul(h ^ file.charCodeAt(i), 0x01000193) >>> 0;
  return new Generator((Math.imul(seed + 1, 0x9e3779b1) ^ h) >>> 0);
}

/**
 * Loads and precomputes the training windows of `utterances`: `variants` versions of each (variant
 * 0 at speed 1 and the recording's noise floor; the others speed- and noise-perturbed), drawn from a
 * generator seeded by `seed` and the file name, so a seed fixes them whatever the split.
 */
export function trainingWindows(utterances: readonly DigitUtterance[], augment: AugmentOptions, seed: number, normalisation: SpokenDigitNormalisation = 'window-cmvn'): WindowSet {
  const labels = new Int32Array(utterances.length);
  const variants = utterances.map((u, i) => {
    labels[i] = u.digit;
    const rng = fileGenerator(seed, u.file);
    const recorded = loadUtterance(u.path, DIGIT_SAMPLE_RATE);
    const recordedLevel = backgroundRms(recorded);
    // the voice and channel changes draw from their own generator: without them the variants are those of before
    const voiceRng = fileGenerator(seed + 0x10001, u.file);
    return Array.from({ length: augment.variants }, (_, v) => {
      let signal = recorded;
      if (v > 0 && (augment.pitch ?? 0) > 0) signal = shiftPitch(signal, DIGIT_SAMPLE_RATE, augment.pitch! * (2 * voiceRng.uniform() - 1));
      if (normalisation === 'speaker-cmvn') {
        // one recording set-up per speaker and variant (a session), so that the session's statistics remove it
        const session = fileGenerator(seed + 0x20003 + v, u.speaker);
        if (v > 0 && (augment.channel ?? 0) > 0 && session.uniform() < augment.channel!) signal = RECORDING_SET_UP.apply({ samples: signal, sampleRate: DIGIT_SAMPLE_RATE }, session).samples;
      } else if (v > 0 && (augment.channel ?? 0) > 0 && voiceRng.uniform() < augment.channel!) signal = RECORDING_SET_UP.apply({ samples: signal, sampleRate: DIGIT_SAMPLE_RATE }, voiceRng).samples;
      const level = signal === recorded ? recordedLevel : backgroundRms(signal);
      const factor = v === 0 || augment.speed === 0 ? 1 : 1 + augment.speed * (2 * rng.uniform() - 1);
      const rms = v === 0 ? level : level * 2 ** (augment.noise * (2 * rng.uniform() - 1));
      const tempo = v === 0 || augment.tempo === 0 ? 1 : (1 + augment.tempo) ** (2 * rng.uniform() - 1);
      const vtlp = augment.vtlp ?? 0;
      const warp = v === 0 || vtlp === 0 ? 1 : 1 + vtlp * (2 * rng.uniform() - 1);
      return variantOf(signal, factor, tempo, rms, warp, augment.jitter, rng);
    });
  });
  let statistics: CepstralStatistics[][] | undefined;
  if (normalisation === 'speaker-cmvn') {
    const centred = (v: number) => (i: number): Float32Array => variants[i]![v]!.frames.subarray(augment.jitter * N_COEFFS, (augment.jitter + WINDOW_FRAMES) * N_COEFFS);
    const perVariant = Array.from({ length: augment.variants }, (_, v) => speakerStatistics(utterances, centred(v)));
    statistics = utterances.map((_, i) => perVariant.map((list) => list[i]!));
  }
  return { labels, variants, jitter: augment.jitter, count: utterances.length, ...(statistics ? { statistics } : {}) };
}

/** The windows of utterances `indices` of a set (shared, not copied). */
export function subsetWindows(set: WindowSet, indices: readonly number[]): WindowSet {
  return {
    labels: Int32Array.from(indices, (i) => set.labels[i]!),
    variants: indices.map((i) => set.variants[i]!),
    jitter: set.jitter,
    count: indices.length,
    ...(set.statistics ? { statistics: indices.map((i) => set.statistics![i]!) } : {}),
  };
}

/** Mixup of the training batches (Zhang et al., "mixup: Beyond empirical risk minimization", ICLR 2018). */
export interface MixupOptions {
  /** α of the mixing weight λ ~ Beta(α, α) (small α: most batches near one of their two sources). */
  alpha: number;
  /** Classes of the targets (their rows are distributions over these). */
  classes: number;
}

/**
 * One epoch of training batches, subscribed afresh every epoch: a permutation of the utterances
 * from `rng`, then for each one a variant and a shift in [−jitter, jitter] frames (also from `rng`),
 * cut and normalised by `windowInput`; the last, smaller batch is dropped. With `mixup`, each batch
 * is mixed with a permutation of itself, x = λ·x_a + (1 − λ)·x_b with one λ ~ Beta(α, α) per batch
 * (both from `rng`), and its targets are the rows λ·onehot(y_a) + (1 − λ)·onehot(y_b) [N, classes]
 * (core's `ClassNLLCriterion` takes them as distributions: λ·NLL(y_a) + (1 − λ)·NLL(y_b)).
 */
export function trainBatches(set: WindowSet, rng: Generator, batchSize: number, mixup?: MixupOptions): Observable<Batch> {
  return fromIterable(function* () {
    const order = rng.permutation(set.count);
    for (let s = 0; s + batchSize <= set.count; s += batchSize) {
      const x = new Float32Array(batchSize * INPUT_SIZE);
      const y = new Float32Array(batchSize);
      for (let b = 0; b < batchSize; b++) {
        const u = order[s + b]!;
        const variants = set.variants[u]!;
        const which = variants.length > 1 ? rng.int(variants.length) : 0;
        const v = variants[which]!;
        const shift = set.jitter > 0 ? rng.int(2 * set.jitter + 1) : 0;
        windowInput(new Tensor(v.frames, [v.frames.length / N_COEFFS, N_COEFFS]), shift, x.subarray(b * INPUT_SIZE, (b + 1) * INPUT_SIZE), set.statistics?.[u]![which]);
        y[b] = set.labels[u]!;
      }
      if (mixup && mixup.alpha > 0) {
        yield mixBatch(x, y, batchSize, mixup, rng);
        continue;
      }
      yield { x: new Tensor(x, [batchSize, INPUT_SIZE]), y: new Tensor(y, [batchSize]) };
    }
  }).pipe(prefetch(2));
}

/** A batch mixed with a permutation of itself, its targets the mixed one-hot rows ({@link trainBatches}). */
function mixBatch(x: Float32Array, y: Float32Array, n: number, mixup: MixupOptions, rng: Generator): Batch {
  const lambda = rng.beta(mixup.alpha, mixup.alpha);
  const partner = rng.permutation(n);
  const mixed = new Float32Array(x.length);
  const targets = new Float32Array(n * mixup.classes);
  for (let b = 0; b < n; b++) {
    const a = x.subarray(b * INPUT_SIZE, (b + 1) * INPUT_SIZE);
    const o = partner[b]! * INPUT_SIZE;
    for (let i = 0; i < INPUT_SIZE; i++) mixed[b * INPUT_SIZE + i] = lambda * a[i]! + (1 - lambda) * x[o + i]!;
    targets[b * mixup.classes + y[b]!] += lambda;
    targets[b * mixup.classes + y[partner[b]!]!] += 1 - lambda;
  }
  return { x: new Tensor(mixed, [n, INPUT_SIZE]), y: new Tensor(targets, [n, mixup.classes]) };
}

/** Held-out windows: each utterance padded with noise from its own seeded generator, the centred window and shifted views. */
export interface TestSet {
  /** The centred window of every utterance, [count, 1600]. */
  x: Float32Array;
  /** Windows moved by each of `shifts` frames, [count, shifts.length, 1600] (the centred one included). */
  views: Float32Array;
  shifts: readonly number[];
  labels: Int32Array;
  count: number;
}

/**
 * The test windows of `utterances`: each loaded, padded with noise at its background level
 * (`paddedFeatures`) drawn from a generator seeded by `seed` and the file name (so a file's windows
 * do not depend on the others), cut centred and moved by each of `shifts` frames.
 */
export function testWindows(utterances: readonly DigitUtterance[], shifts: readonly number[] = TEST_SHIFTS, seed = 0, normalisation: SpokenDigitNormalisation = 'window-cmvn'): TestSet {
  const n = utterances.length;
  const S = shifts.length;
  const x = new Float32Array(n * INPUT_SIZE);
  const views = new Float32Array(n * S * INPUT_SIZE);
  const labels = new Int32Array(n);
  const margin = Math.max(0, ...shifts.map(Math.abs));
  const padded = utterances.map((u) => paddedFeatures(loadUtterance(u.path, DIGIT_SAMPLE_RATE), DIGIT_SAMPLE_RATE, { rng: fileGenerator(seed, u.file), margin }));
  const statistics = normalisation === 'speaker-cmvn'
    ? speakerStatistics(utterances, (i) => padded[i]!.features.data.subarray(padded[i]!.centre * N_COEFFS, (padded[i]!.centre + WINDOW_FRAMES) * N_COEFFS) as Float32Array)
    : undefined;
  utterances.forEach((u, i) => {
    const { features, centre } = padded[i]!;
    const stats = statistics?.[i];
    windowInput(features, centre, x.subarray(i * INPUT_SIZE, (i + 1) * INPUT_SIZE), stats);
    shifts.forEach((d, k) => windowInput(features, centre + d, views.subarray((i * S + k) * INPUT_SIZE, (i * S + k + 1) * INPUT_SIZE), stats));
    labels[i] = u.digit;
  });
  return { x, views, shifts, labels, count: n };
}

/**
 * Window shifts (frames) whose posteriors are averaged to classify a test utterance: the recogniser
 * is trained on windows jittered in time, and its mean over nearby positions is steadier than one
 * window (the streaming recogniser also sees every position).
 */
export const TEST_SHIFTS: readonly number[] = Object.freeze([-4, -2, 0, 2, 4]);

/**
 * Log of the mean posterior over the shifted views of each test utterance, [count, classes]: the
 * per-view log-probabilities `viewLogProbs` [count·shifts, classes] averaged in probability.
 */
export function averageViews(viewLogProbs: Float32Array, count: number, shifts: number): Float32Array {
  const classes = viewLogProbs.length / (count * shifts);
  const out = new Float32Array(count * classes);
  for (let i = 0; i < count; i++) {
    for (let k = 0; k < classes; k++) {
      let p = 0;
      for (let v = 0; v < shifts; v++) p += Math.exp(viewLogProbs[(i * shifts + v) * classes + k]!);
      out[i * classes + k] = Math.log(p / shifts);
    }
  }
  return out;
}

/** The held-out windows in batches of `size`, in order. */
export function testBatches(set: TestSet, size = 200): Observable<Batch> {
  return fromIterable(function* () {
    for (let s = 0; s < set.count; s += size) {
      const n = Math.min(size, set.count - s);
      yield { x: new Tensor(set.x.subarray(s * INPUT_SIZE, (s + n) * INPUT_SIZE), [n, INPUT_SIZE]), y: Tensor.from(set.labels.subarray(s, s + n), [n]) };
    }
  });
}
