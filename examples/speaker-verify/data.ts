/**
 * The data side of speaker-verify: utterances of a spoken-digit folder turned into MFCC features
 * once, the split by repetition index (and by speaker for `--holdout-speaker`), the windows an
 * utterance is seen through, and the pair batches of one training epoch.
 */
import { bufferCount, filter, map, type Observable } from 'rxjs';
import { fromArray, Generator, noGrad, prefetch, shuffle, Tensor, type Batch, type Module } from '@eole/core';
import {
  addNoise, bandLimit, composeAugmentations, DIGIT_SAMPLE_RATE, loadUtterance, mfcc, N_COEFFS, noiseFloor, padWithNoise, randomEqualizer, randomGain, reverberate, speechCentre,
  warpVocalTract, WINDOW_FRAMES, windowInput, type Augmentation, type DigitUtterance, type MfccOptions,
} from '@eole/speech';
import { gatherTriplets, hardNegativeTriplets, randomTriplets, siameseBatch } from '@eole/metric';

/** Values in one model input window (40 coefficients × 40 frames). */
export const WINDOW_SIZE = WINDOW_FRAMES * N_COEFFS;

/** An utterance with its features: the MFCC of the recording padded with noise at its own level. */
export interface SpeakerUtterance extends DigitUtterance {
  /** MFCC [T, 40] of the noise-padded recording ({@link speakerFeatures}). */
  features: Tensor;
  /** The window start that centres the speech. */
  centre: number;
  /** Training windows start anywhere in centre ± reach (within the features). */
  reach: number;
  /**
   * Training only: the features of channel-augmented copies of the same recording (same shape and
   * centre; {@link featuriseTraining}); a training window reads one of `features` and these at random.
   */
  variants?: Tensor[];
}

/**
 * The front end of speaker-verify, pinned here so that its figures do not move when the
 * spoken-digit model of @eole/speech retunes its own: 40 mel filters and 40 cepstral coefficients
 * of 25 ms frames every 10 ms, the FFT the smallest power of two that holds a frame (256 at 8 kHz).
 */
export const SPEAKER_MFCC: Readonly<MfccOptions> = Object.freeze({ nMels: 40, nCoeffs: N_COEFFS, winMs: 25, hopMs: 10 });

/**
 * A seed from a file name (32-bit FNV-1a), so the padding noise of an utterance is the same
 * whichever folder, order or run it is read in: `--eval` on a copy of the held-out files sees
 * exactly the features the training run evaluated.
 *
 * @example
 * fileSeed('7_jackson_32.wav'); // a fixed 32-bit number
 */
export function fileSeed(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The features of one recording at 8 kHz, from @eole/speech's parts: the signal padded on both
 * sides with white noise at its {@link noiseFloor} (the RMS of its quietest 10 ms stretches; many
 * FSDD utterances are shorter than a 40-frame window), so that a window centred on the speech
 * ({@link speechCentre}) and moved by up to `jitter` frames either way lies inside; then `mfcc`
 * with {@link SPEAKER_MFCC}. Returns the MFCC [T, 40], the centred window start and the number of
 * frames of the recording itself.
 *
 * @example
 * const { features, centre } = speakerFeatures(loadUtterance(path), 8, new Generator(1));
 */
export function speakerFeatures(signal: Float32Array, jitter: number, rng: Generator): { features: Tensor; centre: number; frames: number } {
  const rate = DIGIT_SAMPLE_RATE;
  const hop = Math.round((SPEAKER_MFCC.hopMs! * rate) / 1000);
  const win = Math.round((SPEAKER_MFCC.winMs! * rate) / 1000);
  const span = win + (WINDOW_FRAMES - 1) * hop;
  const pad = Math.ceil(span / 2) + (jitter + 1) * hop;
  const features = mfcc(padWithNoise(signal, pad, pad, noiseFloor(signal, rate), rng), rate, SPEAKER_MFCC);
  const T = features.shape[0]!;
  const centre = Math.min(T - WINDOW_FRAMES, Math.max(0, Math.round((pad + speechCentre(signal, rate) - span / 2) / hop)));
  return { features, centre, frames: Math.max(0, Math.floor((signal.length - win) / hop) + 1) };
}

/**
 * Reads and featurises utterances: `loadUtterance` (resampled to 8 kHz), then
 * {@link speakerFeatures} with the padding noise seeded by {@link fileSeed}; training windows may
 * start `jitter` frames either side of the centre, or anywhere over a recording longer than a window.
 *
 * @example
 * const utts = featurise(readDigitFolder(dir), 8);
 */
export function featurise(utterances: readonly DigitUtterance[], jitter: number): SpeakerUtterance[] {
  return utterances.map((u) => {
    const { features, centre, frames } = speakerFeatures(loadUtterance(u.path, DIGIT_SAMPLE_RATE), jitter, new Generator(fileSeed(u.file)));
    return { ...u, features, centre, reach: Math.max(jitter, Math.ceil((frames - WINDOW_FRAMES) / 2)) };
  });
}

/**
 * The channel augmentation of training copies (@eole/speech's waveform augmentations, composed): a
 * random equaliser (3 peaking bands ±10 dB, shelves ±6 dB), then with probability ½ a synthetic
 * room (RT60 0.1–0.5 s), ½ white or pink noise at 10–30 dB SNR, ⅓ a telephone-like band limit,
 * and a gain of ±10 dB. Each changes the recording set-up and keeps the voice.
 */
export function channelAugmentation(): Augmentation {
  return composeAugmentations([
    randomEqualizer(),
    { augmentation: reverberate({ rt60: [0.1, 0.5] }), probability: 0.5 },
    { augmentation: addNoise({ snrDb: [10, 30] }), probability: 0.5 },
    { augmentation: bandLimit(), probability: 1 / 3 },
    randomGain(),
  ]);
}

/** Options of {@link featuriseTraining}. */
export interface TrainingFeatureOptions {
  /** Vocal-tract warp factors α; every speaker under each α ≠ 1 is a pseudo-speaker `name~α` (default [1]). */
  warps?: readonly number[];
  /** Channel-augmented copies of every (recording, warp), kept as {@link SpeakerUtterance.variants} (default 0). */
  augment?: number;
}

const trainingCache = new Map<string, SpeakerUtterance>();

/**
 * The training utterances with pseudo-speakers and channel copies: each recording under each
 * vocal-tract warp α (`warpVocalTract` of @eole/speech, a phase-vocoder VTLP that moves every
 * frequency f to about α·f: a talker with a vocal tract 1/α as long) is an utterance of the
 * identity `speaker~α` (α = 1: the speaker itself), so three speakers under five warps give fifteen
 * identities (pseudo-speakers, after the data augmentation of Jaitly & Hinton, ICML WDLASL 2013,
 * used for identities rather than for invariance); with `augment` = K, K copies of each warped
 * recording through {@link channelAugmentation} (seeded by the file name, the warp and the copy)
 * join it as `variants`. Everything is seeded by the file name, and cached by path, warp and
 * jitter for the rest of the process (a leave-one-speaker-out run featurises each recording once).
 *
 * @example
 * const train = featuriseTraining(split.train, 8, { warps: [0.9, 1, 1.1], augment: 2 }); // 3 identities per speaker
 */
export function featuriseTraining(utterances: readonly DigitUtterance[], jitter: number, options: TrainingFeatureOptions = {}): SpeakerUtterance[] {
  const warps = options.warps ?? [1];
  const augment = options.augment ?? 0;
  const channel = channelAugmentation();
  const out: SpeakerUtterance[] = [];
  for (const u of utterances) {
    let signal: Float32Array | null = null;
    for (const alpha of warps) {
      const key = `${u.path}|${alpha}|${augment}|${jitter}`;
      let item = trainingCache.get(key);
      if (item === undefined) {
        signal ??= loadUtterance(u.path, DIGIT_SAMPLE_RATE);
        const seed = fileSeed(u.file);
        const warped = alpha === 1 ? signal : warpVocalTract(signal, DIGIT_SAMPLE_RATE, alpha);
        const { features, centre, frames } = speakerFeatures(warped, jitter, new Generator(seed));
        const variants = Array.from({ length: augment }, (_, k) => {
          const rng = new Generator(fileSeed(`${u.file}|${alpha}|${k}`));
          const copy = channel.apply({ samples: warped, sampleRate: DIGIT_SAMPLE_RATE }, rng).samples;
          return speakerFeatures(copy, jitter, rng).features;
        });
        item = {
          ...u,
          speaker: alpha === 1 ? u.speaker : `${u.speaker}~${alpha}`,
          features,
          centre,
          reach: Math.max(jitter, Math.ceil((frames - WINDOW_FRAMES) / 2)),
          ...(augment > 0 ? { variants } : {}),
        };
        trainingCache.set(key, item);
      }
      out.push(item);
    }
  }
  return out;
}

/** The split of a folder for training and evaluation. */
export interface Split {
  /** Utterances to train on. */
  train: DigitUtterance[];
  /** Utterances to embed for the trials. */
  evaluation: DigitUtterance[];
  /** Whether the pair (i, j) of `evaluation` is a trial (default: every pair). */
  trial?: (a: DigitUtterance, b: DigitUtterance) => boolean;
  /** One line describing the split. */
  description: string;
}

/**
 * The FSDD split by repetition index: indices ≥ `heldOut` train, indices below are held out (the
 * dataset's own test split: 0–4). With `holdoutSpeaker`, that speaker is left out of training
 * entirely; the evaluation set is every utterance of that speaker plus the held-out utterances of
 * the others, and the trials are the pairs that involve the unseen speaker (same: two of its
 * utterances; different: one of its utterances against another speaker's).
 *
 * @example
 * const { train, evaluation } = splitByIndex(readDigitFolder(dir));
 */
export function splitByIndex(all: readonly DigitUtterance[], options: { heldOut?: number; holdoutSpeaker?: string } = {}): Split {
  const heldOut = options.heldOut ?? 5;
  const speakers = [...new Set(all.map((u) => u.speaker))];
  const unseen = options.holdoutSpeaker;
  if (unseen === undefined) {
    const train = all.filter((u) => u.index >= heldOut);
    const evaluation = all.filter((u) => u.index < heldOut);
    if (train.length === 0 || evaluation.length === 0) throw new Error(`speaker-verify: the index split (indices < ${heldOut} held out) leaves ${train.length} training and ${evaluation.length} held-out utterances`);
    return { train, evaluation, description: `${train.length} training utterances (indices ≥ ${heldOut}), ${evaluation.length} held out (indices < ${heldOut}) of ${speakers.length} speakers` };
  }
  if (!speakers.includes(unseen)) throw new Error(`speaker-verify: --holdout-speaker '${unseen}' is not a speaker of the folder (speakers: ${speakers.join(', ')})`);
  const train = all.filter((u) => u.speaker !== unseen && u.index >= heldOut);
  const evaluation = all.filter((u) => u.speaker === unseen || u.index < heldOut);
  const trained = speakers.filter((s) => s !== unseen);
  if (trained.length < 2) throw new Error(`speaker-verify: --holdout-speaker leaves ${trained.length} speaker to train on; contrastive training needs at least 2`);
  return {
    train,
    evaluation,
    trial: (a, b) => a.speaker === unseen || b.speaker === unseen,
    description: `${train.length} training utterances of ${trained.join(', ')} (indices ≥ ${heldOut}); unseen speaker ${unseen}: its ${evaluation.filter((u) => u.speaker === unseen).length} utterances against the ${evaluation.filter((u) => u.speaker !== unseen).length} held-out ones of the others`,
  };
}

/**
 * `count` window starts of an utterance, evenly spread over centre ± spread (clipped to its
 * features); one window is the centred one.
 *
 * @example
 * windowStarts(u, 3, 8); // [centre − 8, centre, centre + 8]
 */
export function windowStarts(u: SpeakerUtterance, count: number, spread: number): number[] {
  const last = u.features.shape[0]! - WINDOW_FRAMES;
  const clip = (s: number): number => Math.min(last, Math.max(0, Math.round(s)));
  if (count === 1) return [clip(u.centre)];
  return Array.from({ length: count }, (_, i) => clip(u.centre - spread + (2 * spread * i) / (count - 1)));
}

/** A window start drawn uniformly in centre ± reach (clipped to the features). */
export function randomStart(u: SpeakerUtterance, rng: Generator): number {
  const last = u.features.shape[0]! - WINDOW_FRAMES;
  const lo = Math.max(0, Math.min(last, u.centre - u.reach));
  const hi = Math.max(lo, Math.min(last, u.centre + u.reach));
  return lo + rng.int(hi - lo + 1);
}

/**
 * How a window is normalised: `window` is @eole/speech's `windowInput` (every coefficient centred
 * and scaled over the window's own 40 frames: it removes the long-term spectrum, channel and
 * loudness, and with them part of the speaker); `global` subtracts a fixed per-coefficient mean and
 * divides by a fixed standard deviation (over the training frames), so the utterance's average
 * spectrum, where much of a voice lies (and the microphone), stays in the input.
 */
export type FeatureNorm = { kind: 'window' } | { kind: 'global'; mean: Float32Array; std: Float32Array };

/**
 * The per-coefficient mean and standard deviation of the MFCC frames of `utterances`, over the
 * frames their training windows can cover (centre ± reach).
 *
 * @example
 * const norm = globalNorm(trainSet); // { kind: 'global', mean, std }, 40 values each
 */
export function globalNorm(utterances: readonly SpeakerUtterance[]): FeatureNorm {
  const sum = new Float64Array(N_COEFFS);
  const sq = new Float64Array(N_COEFFS);
  let n = 0;
  for (const u of utterances) {
    const T = u.features.shape[0]!;
    const first = Math.max(0, u.centre - u.reach);
    const end = Math.min(T, u.centre + u.reach + WINDOW_FRAMES);
    for (let f = first; f < end; f++, n++) {
      for (let c = 0; c < N_COEFFS; c++) {
        const v = u.features.data[f * N_COEFFS + c]!;
        sum[c]! += v;
        sq[c]! += v * v;
      }
    }
  }
  if (n === 0) throw new Error('globalNorm: no frames');
  const mean = Float32Array.from(sum, (s) => s / n);
  const std = Float32Array.from(sq, (s, c) => Math.sqrt(Math.max(s / n - mean[c]! ** 2, 0) + 1e-3));
  return { kind: 'global', mean, std };
}

/**
 * One model input of an utterance: frames start … start+39 as a 40×40 coefficient-major window
 * (the layout of `windowInput`), normalised as `norm` says. Writes into `out` when given.
 *
 * @example
 * const x = featureWindow(u, u.centre, { kind: 'window' }); // = windowInput(u.features, u.centre)
 */
export function featureWindow(u: SpeakerUtterance, start: number, norm: FeatureNorm, out: Float32Array = new Float32Array(WINDOW_SIZE)): Float32Array {
  if (norm.kind === 'window') return windowInput(u.features, start, out);
  const T = u.features.shape[0]!;
  if (!Number.isInteger(start) || start < 0 || start + WINDOW_FRAMES > T) throw new RangeError(`featureWindow: start must be an integer in [0, ${T - WINDOW_FRAMES}] for ${T} frames, got ${start}`);
  const x = u.features.data;
  for (let c = 0; c < N_COEFFS; c++) {
    const m = norm.mean[c]!;
    const k = 1 / norm.std[c]!;
    for (let f = 0; f < WINDOW_FRAMES; f++) out[c * WINDOW_FRAMES + f] = (x[(start + f) * N_COEFFS + c]! - m) * k;
  }
  return out;
}

/** How a training batch chooses its pairs: `random`, or `hard` (@eole/metric's pair mining). */
export type Mining = 'random' | 'hard';

/** Options of {@link pairBatches}. */
export interface PairBatchOptions {
  /** Utterances per batch (the pairs are mined among them). */
  batch: number;
  /** Pairs per batch for random mining. */
  pairs: number;
  /** Fraction of same-speaker pairs for random mining. */
  positiveFraction: number;
  /** `random` pairs, or `hard` ones (each utterance with its farthest same-speaker and closest other-speaker utterance, by the current net). */
  mining: Mining;
  /** The embedding net being trained (hard mining embeds the batch's windows with it, without the graph). */
  net: Module;
  /** Window normalisation. */
  norm: FeatureNorm;
  /** `pairs` for the DrLIM loss ([2, P, 1600], targets [P]), or `triplets` for the triplet loss ([3, P, 1600]; default pairs). */
  loss?: 'pairs' | 'triplets';
}

/**
 * One epoch of Siamese training batches: the training utterances → `shuffle(rng)` → groups of
 * `batch` → one random window per utterance (start in centre ± reach, from `rng`; {@link featureWindow}) → pairs mined
 * in the group by their speaker labels (@eole/metric's `siameseBatch`: `randomPairs` from `rng`, or
 * `hardPairs` by the current net; same speaker = similar, target 0) → { x: [2, P, 1600] the two
 * windows of each pair, y: [P] the DrLIM targets } → `prefetch(2)`. The last, smaller group and a
 * group with a single speaker are skipped.
 *
 * @example
 * train({ model: siameseWithDistance, criterion, optimizer, data: pairBatches(utts, speakers, rng, opts), epochs });
 */
export function pairBatches(utterances: readonly SpeakerUtterance[], speakerId: ReadonlyMap<string, number>, rng: Generator, options: PairBatchOptions): (epoch: number) => Observable<Batch> {
  const order = Array.from(utterances.keys());
  return () =>
    fromArray(order).pipe(
      shuffle(rng),
      bufferCount(options.batch),
      filter((group) => group.length === Math.min(options.batch, order.length)),
      map((group) => pairBatch(group.map((i) => utterances[i]!), speakerId, rng, options)),
      filter((b): b is Batch => b !== null),
      prefetch(2),
    );
}

/** The utterance itself or one of its channel-augmented {@link SpeakerUtterance.variants}, uniformly (no draw without variants). */
function pickVariant(u: SpeakerUtterance, rng: Generator): SpeakerUtterance {
  if (!u.variants || u.variants.length === 0) return u;
  const k = rng.int(u.variants.length + 1);
  return k === 0 ? u : { ...u, features: u.variants[k - 1]! };
}

function pairBatch(group: readonly SpeakerUtterance[], speakerId: ReadonlyMap<string, number>, rng: Generator, options: PairBatchOptions): Batch | null {
  const labels = group.map((u) => speakerId.get(u.speaker)!);
  if (new Set(labels).size < 2) return null;
  const windows = new Float32Array(group.length * WINDOW_SIZE);
  group.forEach((u, i) => featureWindow(pickVariant(u, rng), randomStart(u, rng), options.norm, windows.subarray(i * WINDOW_SIZE, (i + 1) * WINDOW_SIZE)));
  const batch = { x: new Tensor(windows, [group.length, WINDOW_SIZE]), y: Tensor.from(labels) };
  if (options.loss === 'triplets') {
    // random triplets, or batch-hard ones (each anchor with its farthest positive and closest negative; Hermans, Beyer & Leibe 2017)
    const triplets = options.mining === 'hard'
      ? hardNegativeTriplets(noGrad(() => options.net.forward(batch.x)), labels, rng, { batchHard: true })
      : randomTriplets(labels, options.pairs, rng);
    const p = triplets.anchor.length;
    return { x: noGrad(() => gatherTriplets(batch.x, triplets)), y: Tensor.zeros([p]), samples: p };
  }
  return siameseBatch(batch, options.net, { mining: options.mining, pairs: options.pairs, positiveFraction: options.positiveFraction, rng });
}
