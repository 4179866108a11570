/**
 * Digit stream: streaming recognition of spoken digits in a long recording with the spoken-digits
 * ConvNet. The WAV is read in 100 ms chunks, one per turn of the event loop, and flows through one
 * RxJS pipeline of @eole/speech operators:
 *
 *   chunks → mfccFrames (incremental MFCC) → slidingWindows(40) (hop 1 frame)
 *          → framePosteriors(model) (per-frame digit posteriors) → decodeDigits() (silence rule on
 *            the raw frame energy against a local noise floor, then posterior peaks with
 *            non-maximum suppression in time, or the segment's energy centroid)
 *
 * Each digit is printed as soon as it is decided, about 0.8 s after it ends (half a window, 0.2 s;
 * the noise floor's look-ahead, 0.5 s; the silence that closes it, 0.12 s), then the whole string.
 * `--out DIR/digit-stream.png` shows the log-mel spectrogram with the posteriors under it, the true
 * utterances (when known) and the decoded digits marked.
 *
 * Make a test recording from held-out FSDD utterances (repetitions 0–4, never trained on), with
 * 0.3–0.7 s of low seeded noise (−80 dBFS; `--noise-rms 0`: each recording's own background level)
 * between them; its truth goes to `FILE.json` and is scored when present:
 *   `npm run -w examples digit-stream -- --make-test-wav runs/digit-stream/test.wav --count 10`
 * Then stream it (a model from `npm run -w examples spoken-digits -- --out runs/spoken-digits`):
 *   `npm run -w examples digit-stream -- --input runs/digit-stream/test.wav --model runs/spoken-digits/spoken-digits.safetensors`
 * (`--count 0` lays all 200 held-out utterances end to end in a seeded random order.)
 *
 * RESULTS: see the README (real-time factor and digit error rate on the 200 held-out utterances).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Generator } from '@eole/core';
import { renderPng } from '@eole/core/report';
import {
  decodeWav, DIGIT_DECODER_DEFAULTS as D, DIGIT_SAMPLE_RATE, digitErrors, loadSpokenDigitModel, readDigitFolder, recordingStatistics, resample, type DecodedDigit, type DigitDecoderOptions, type ErrorCounts,
} from '@eole/speech';
import { numberFlag, optionalFlag, parseCli, runCli } from '../lib/cli.js';
import { REPO_ROOT } from '../lib/paths.js';
import { startRun } from '../lib/run.js';
import { drawDigitStream } from './plot.js';
import { streamDigits } from './recognize.js';
import { concatenateUtterances, pickUtterances, readTruth, truthPath, writeSequence, type SequencePart } from './sequence.js';

export { streamDigits, audioChunks, type StreamResult, type StreamOptions } from './recognize.js';
export { drawDigitStream } from './plot.js';
export { concatenateUtterances, pickUtterances, writeSequence, readTruth, type DigitSequence, type SequencePart } from './sequence.js';

const NAME = 'digit-stream';
/** The default `--model`, at the repository root: what `spoken-digits` writes with its default `--out`. */
const DEFAULT_MODEL = join('runs', 'spoken-digits', 'spoken-digits.safetensors');

const CLI = {
  name: NAME,
  summary: 'streaming spoken-digit recognition in a long WAV: MFCC → sliding windows → ConvNet posteriors → decoded digits',
  seed: 1,
  uses: ['data'],
  flags: {
    input: optionalFlag('the WAV to recognise (any PCM/float WAV; resampled to 8 kHz)', 'FILE'),
    model: optionalFlag(`a spoken-digits model or training checkpoint (default ${DEFAULT_MODEL} at the repository root)`, 'CHECKPOINT'),
    'chunk-ms': numberFlag(100, 'audio chunk length fed to the stream, in ms', { min: 1 }),
    'window-hop': numberFlag(1, 'frames between two model windows (2 halves the work)', { integer: true, min: 1 }),
    'make-test-wav': optionalFlag('write a test recording of held-out utterances (repetitions 0–4 of --data) with noise between them to FILE, its truth to FILE.json, and recognise it when --model is given', 'FILE'),
    count: numberFlag(8, 'utterances in --make-test-wav (random digits, speakers and repetitions from --seed); 0: every held-out utterance once', { integer: true, min: 0 }),
    'gap-min-ms': numberFlag(300, 'shortest silence between two utterances of --make-test-wav, in ms', { min: 0 }),
    'gap-max-ms': numberFlag(700, 'longest silence between two utterances of --make-test-wav, in ms', { min: 0 }),
    'noise-rms': numberFlag(1e-4, 'RMS of the noise filling the silences of --make-test-wav (1e-4: −80 dBFS); 0: the background level of the quieter neighbouring recording', { min: 0 }),
    'snr-db': numberFlag(D.snrDb, 'decoder: a frame is speech this many dB above the noise floor', { min: 0.1 }),
    'floor-radius': numberFlag(D.floorRadius, 'decoder: the noise floor of a frame is the 5th-percentile energy of the frames this close (look-ahead, in frames)', { integer: true, min: 0 }),
    'min-gap': numberFlag(D.minGap, 'decoder: frames of silence that end a digit', { integer: true, min: 1 }),
    'min-speech': numberFlag(D.minSpeech, 'decoder: fewest speech frames of a digit', { integer: true, min: 0 }),
    pool: numberFlag(D.pool, 'decoder: frames either side averaged into a posterior', { integer: true, min: 0 }),
    'min-score': numberFlag(D.minScore, 'decoder: posterior below which a segment is blank', { min: 0, max: 1 }),
    radius: numberFlag(D.radius, 'decoder: non-maximum suppression radius in frames (two digits in one segment)', { integer: true, min: 0 }),
    threshold: numberFlag(D.threshold, 'decoder: posterior a second digit in one segment needs', { min: 0, max: 1 }),
  },
} as const;

/** What {@link main} returns. */
export interface DigitStreamSummary {
  /** The WAV recognised (or written, without a model). */
  input: string;
  /** The decoded digits, and each one's details. */
  digits: number[];
  decoded: DecodedDigit[];
  /** The true digits when the WAV has a truth file (`FILE.json`), and the errors against them. */
  truth: number[] | null;
  errors: ErrorCounts | null;
  /** Audio seconds, wall seconds of the stream, and their ratio (audio seconds per wall second). */
  audioSeconds: number;
  seconds: number;
  speed: number;
  /** The figure, or null when only a test WAV was written. */
  png: string | null;
}

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<DigitStreamSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags, { data: ['fsdd', 'recordings'] });
  let input = flags.input;
  let parts: SequencePart[] | null = null;
  if (flags['make-test-wav'] !== undefined) {
    const file = flags['make-test-wav'];
    const dir = run.data;
    if (!existsSync(dir)) throw new Error(`${NAME}: no data folder '${dir}' for --make-test-wav (give --data DIR with {digit}_{speaker}_{index}.wav files, or set EOLE_DATA)`);
    if (flags['gap-max-ms'] < flags['gap-min-ms']) throw new Error(`${NAME}: --gap-max-ms (${flags['gap-max-ms']}) must be >= --gap-min-ms (${flags['gap-min-ms']})`);
    const heldOut = readDigitFolder(dir).filter((u) => u.index < 5);
    if (heldOut.length === 0) throw new Error(`${NAME}: no held-out utterance (repetition 0–4) in '${dir}'`);
    const rng = new Generator(flags.seed);
    const seq = concatenateUtterances(pickUtterances(heldOut, flags.count, rng), { rng, gapMs: [flags['gap-min-ms'], flags['gap-max-ms']], noiseRms: flags['noise-rms'] });
    mkdirSync(dirname(file) || '.', { recursive: true });
    writeSequence(file, seq);
    parts = seq.parts;
    const speakers = new Set(seq.parts.map((p) => p.file.split('_')[1]));
    log(`${NAME}: wrote ${file} (${(seq.samples.length / seq.sampleRate).toFixed(1)} s, ${seq.digits.length} held-out utterances of ${speakers.size} speakers) and its truth ${truthPath(file)}: ${seq.digits.join(' ')}`);
    if (input === undefined && flags.model === undefined) {
      return { input: file, digits: [], decoded: [], truth: seq.digits, errors: null, audioSeconds: seq.samples.length / seq.sampleRate, seconds: 0, speed: 0, png: null };
    }
    input ??= file;
  }
  if (input === undefined) throw new Error(`${NAME}: give --input FILE (a WAV), or --make-test-wav FILE to build one from held-out digits`);
  const modelPath = flags.model ?? join(REPO_ROOT, DEFAULT_MODEL);
  if (!existsSync(modelPath)) {
    throw new Error(`${NAME}: no model checkpoint '${modelPath}'; train one first with \`npm run -w examples spoken-digits -- --out runs/spoken-digits\` at the repository root (it writes ${DEFAULT_MODEL}, the default --model)`);
  }
  if (!existsSync(input)) throw new Error(`${NAME}: no input WAV '${input}'`);
  const { model, features } = loadSpokenDigitModel(modelPath);
  const wav = decodeWav(readFileSync(input));
  const samples = wav.sampleRate === DIGIT_SAMPLE_RATE ? wav.samples : resample(wav.samples, wav.sampleRate, DIGIT_SAMPLE_RATE);
  const truth = readTruth(input);
  parts ??= readParts(input);
  log(`${NAME}: ${input}: ${(samples.length / DIGIT_SAMPLE_RATE).toFixed(1)} s at ${wav.sampleRate} Hz${wav.sampleRate !== DIGIT_SAMPLE_RATE ? ` (resampled to ${DIGIT_SAMPLE_RATE})` : ''}, ${flags['chunk-ms']} ms chunks; model ${modelPath}`);

  const decoder: DigitDecoderOptions = {
    snrDb: flags['snr-db'], floorRadius: flags['floor-radius'], minGap: flags['min-gap'], minSpeech: flags['min-speech'], pool: flags.pool,
    minScore: flags['min-score'], radius: flags.radius, threshold: flags.threshold,
  };
  // a model normalised by speaker statistics reads the statistics of this recording's speech (a first pass over the file)
  const statistics = features.normalisation === 'speaker-cmvn' ? recordingStatistics(samples) : undefined;
  if (statistics) log(`${NAME}: the model is normalised by speaker statistics: those of the recording's speech frames (a first pass over the file)`);
  const heard: number[] = [];
  const result = await streamDigits(samples, DIGIT_SAMPLE_RATE, model, {
    ...(statistics ? { statistics } : {}),
    chunkMs: flags['chunk-ms'],
    windowHop: flags['window-hop'],
    decoder,
    onDigit: (d) => {
      heard.push(d.digit);
      log(`  ${d.time.toFixed(2).padStart(7)} s  ${d.digit}  (p ${d.score.toFixed(2)})   ${heard.join(' ')}`);
    },
  });
  const digits = result.digits.map((d) => d.digit);
  const speed = result.audioSeconds / Math.max(1e-9, result.seconds);
  log(`streamed ${result.audioSeconds.toFixed(1)} s of audio in ${result.seconds.toFixed(2)} s: ${speed.toFixed(1)}× real time (${result.frames} frames, ${result.posteriors.length} windows)`);
  const png = run.file(`${NAME}.png`);
  await renderPng(drawDigitStream({ ...result, ...(parts ? { truth: parts } : {}), title: `${NAME}: ${digits.join(' ') || '(nothing heard)'}` }), png);
  let errors: ErrorCounts | null = null;
  if (truth) {
    errors = digitErrors(truth, digits);
    log(`truth:  ${truth.join(' ')}`);
    log(`digit error rate: ${(errors.rate * 100).toFixed(2)}% (${errors.substitutions} substituted, ${errors.deletions} missed, ${errors.insertions} inserted of ${truth.length})`);
  }
  log(`wrote ${png}`);
  log(`digits: ${digits.join(' ')}`);
  return { input, digits, decoded: result.digits, truth, errors, audioSeconds: result.audioSeconds, seconds: result.seconds, speed, png };
}

/** The utterance spans of a WAV written by `writeSequence`, for the figure (null without a truth file). */
function readParts(wav: string): SequencePart[] | null {
  if (!existsSync(truthPath(wav))) return null;
  const parsed = JSON.parse(readFileSync(truthPath(wav), 'utf8')) as { parts?: SequencePart[] };
  return Array.isArray(parsed.parts) ? parsed.parts : null;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
