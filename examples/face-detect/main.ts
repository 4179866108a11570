/**
 * Multiscale sliding-window face detection with a ConvNet (Vaillant, Monrocq & LeCun, "Original
 * approach for the localisation of objects in images", IEE Proc. Vision, Image and Signal
 * Processing 1994; Osadchy, LeCun & Miller, "Synergistic face detection and pose estimation with
 * energy-based models", NIPS 2005 / JMLR 2007): a small ConvNet learns face / non-face on 25×25
 * patches, then, being a convolutional net, runs over a whole photo at once, at every scale of an
 * image pyramid; windows whose face probability passes a threshold, after non-maximum suppression,
 * are the detections.
 *
 * Data: scikit-image's `lfw_subset.npy` (../shared/data/faces, or `--data DIR`): 100 faces and 100
 * non-faces from Labeled Faces in the Wild, 25×25 gray. A fixed seeded stratified 80/20 split (seed
 * {@link SPLIT_SEED}, whatever `--seed`): 160 patches train, 40 (20 faces, 20 non-faces) are held
 * out, never augmented nor seen in training, and scored once at the end: `held-out accuracy`. The
 * training patches are distorted afresh every epoch, from a seeded generator (data.ts: a flip, a
 * zoom, a small rotation and shift, contrast and brightness), `--repeats` times per epoch.
 *
 * The net (model.ts): conv 4×4 → ReLU → max 2×2 → conv 4×4 → ReLU → max 2×2 → Linear → ReLU →
 * Linear → LogSoftMax, no padding, so that @eole/conv's `fullyConvolutional` makes of it a conv net
 * whose output cell (i, j) is exactly the classifier on the window at (4j, 4i). `detectMultiscale`
 * scans the photo (`--image`, default astronaut.png, converted to gray: 0.299 R + 0.587 G + 0.114 B)
 * at the scales 25/size for face sizes from `--min-face` to `--max-face` pixels, `--scale-step`
 * apart, keeps windows with P(face) > `--threshold` and suppresses overlaps (greedy NMS, `--iou`).
 *
 * A training run writes to `--out`: `face-detect.safetensors` (the net and how to build it), the
 * checkpoint (`--resume`), `events.jsonl`, `curves.png`, `detections.json` and `face-detect.png`:
 * the photo with the boxes, beside the face-probability map (the most over the scales)
 * (`--figure PATH` copies it, e.g. to docs/img/face-detect.png). `--eval CHECKPOINT` rebuilds the
 * net, scores the same held-out patches again and reruns the detection (on `--image` if given),
 * writing `face-detect-<image>.png` and `detections-<image>.json`. There is no `--test`: the only
 * labelled patches are those of `lfw_subset.npy`, whose held-out part `--eval` scores.
 *
 * Run: `npm run -w examples face-detect` (writes runs/face-detect)
 * Evaluate, or detect in another photo: `... -- --eval runs/face-detect/face-detect.safetensors --image photo.png`
 *
 * Measured (seed 1, `--threads 1`, 2 cores shared with other jobs, load average about 6): held-out
 * accuracy 100.00% (40/40 patches) after 30 epochs, 100 s of training, 1.2 s to scan the 6,588
 * windows of the 9 scales. On astronaut.png, 31 windows pass P(face) > 0.99, 9 boxes after NMS:
 * the face is the third (box 171, 80, 71×71, P 0.9995: brows to mouth, IoU 0.45 with a box marked
 * by hand); the first two and four more are on the spacesuit (the name tag, the mission patch),
 * one on her hair, one on the shuttle model. What 200
 * patches teach: the face is found at the right place and size, but a background set of 100
 * mostly flat patches cannot teach the detector what a spacesuit looks like; a real detector
 * would add negatives mined from face-free photos (bootstrapping, as Vaillant et al. and Rowley
 * et al. did), which this data does not have.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tap } from 'rxjs';
import { Adam, ClassNLLCriterion, CosineAnnealingLR, Generator, train, type Sequential } from '@eole/core';
import type { Detection } from '@eole/conv';
import { numberFlag, optionalFlag, parseCli, runCli, stringFlag } from '../lib/cli.js';
import { recordTraining, resumeRun, startRun, STOP_AFTER_FLAG, type Run } from '../lib/run.js';
import { loadSavedModel, readSavedModel, requireSettings } from '../lib/savedModel.js';
import { PATCHES_FILE, PHOTO_FILE, readPatches, readPhoto, splitPatches, testBatches, trainBatches, FACE, type Augmentation, type PatchSet, type Photo } from './data.js';
import { drawFaceFigure } from './figure.js';
import { configFromMetadata, configMetadata, detectFaces, faceNet, faceProbabilities, faceScales, type FaceNetConfig } from './model.js';

const NAME = 'face-detect';

/** The seed of the fixed 80/20 split: the held-out patches are the same for every `--seed`. */
export const SPLIT_SEED = 1994;
/** The share of each class held out. */
export const HELD_OUT = 0.2;

// RECIPE, measured with seed 1 (20 epochs unless said). Held-out accuracy is 97.5% or 100% for every
// setting below, so the settings were chosen on the photo, by the windows with P(face) > 0.5 (of 6,588)
// and the rank of the first box overlapping the face (IoU ≥ 0.4 with a box marked by hand,
// [175, 75, 100, 105]): settings tuned on the one test photo, so read its result as a demonstration,
// not a measurement of a detector. Net 8,16 maps, 32 hidden: no synthetic negatives 3,810 windows, the
// face not among the 10 best; 1 per face 449; 3 per face 252 (dropout 0: 296, face 8th). 16,32 maps,
// 64 hidden, 3 synthetic: 185, face 4th. Local contrast normalisation (σ 6) on top: 130, face 6th with
// 8,16 maps; 129, face 3rd with 16,32 maps and 30 epochs (the default). Without synthetic negatives,
// σ 4: 2,993. Non-faces turned and zoomed freely (augmentBackground) did not change these much.
const CLI = {
  name: NAME,
  summary: 'face / non-face ConvNet on 25×25 LFW patches, run fully convolutionally over an image pyramid: multiscale face detection (Vaillant, Monrocq & LeCun 1994)',
  seed: 1,
  epochs: 30,
  uses: ['data', 'eval', 'resume'],
  flags: {
    lr: numberFlag(2e-3, 'initial Adam learning rate (cosine schedule to 0 over --epochs)', { min: 0 }),
    'weight-decay': numberFlag(0, 'L2 weight decay', { min: 0 }),
    batch: numberFlag(32, 'patches per batch', { integer: true, min: 1 }),
    repeats: numberFlag(8, 'augmented passes over the training patches (160 of lfw_subset.npy) per epoch', { integer: true, min: 1 }),
    planes: stringFlag('16,32', 'feature maps of the two convolutions', { metavar: 'P1,P2' }),
    hidden: numberFlag(64, 'units of the hidden fully connected layer', { integer: true, min: 1 }),
    dropout: numberFlag(0.25, 'dropout before the last layer', { min: 0, max: 0.9 }),
    lcn: numberFlag(6, 'σ in pixels of the local contrast normalisation of the input, patches and every scale of the photo alike (0: none, pixels − ½)', { min: 0, max: 12 }),
    synthetic: numberFlag(3, 'synthetic negatives per training face per pass (face parts, off-centre, upside-down, scrambled faces)', { integer: true, min: 0 }),
    shift: numberFlag(2, 'augmentation: largest shift, pixels', { min: 0, max: 12 }),
    zoom: numberFlag(1.1, 'augmentation: largest zoom factor (drawn in [1/zoom, zoom])', { min: 1, max: 3 }),
    rotate: numberFlag(10, 'augmentation: largest rotation, degrees', { min: 0, max: 180 }),
    contrast: numberFlag(1.5, 'augmentation: largest contrast factor (drawn in [1/contrast, contrast])', { min: 1, max: 10 }),
    brightness: numberFlag(0.15, 'augmentation: largest brightness offset (pixels in [0, 1])', { min: 0, max: 1 }),
    image: optionalFlag(`the photo to scan for faces, a PNG (default: ${PHOTO_FILE} of the data folder)`, 'FILE'),
    'min-face': numberFlag(60, 'smallest face size to look for, pixels', { min: 25 }),
    'max-face': numberFlag(250, 'largest face size to look for, pixels', { min: 25 }),
    'scale-step': numberFlag(2 ** 0.25, 'ratio of consecutive face sizes scanned (2^(1/4): four scales an octave)', { min: 1.01, max: 4 }),
    threshold: numberFlag(0.99, 'keep windows whose P(face) is above this', { min: 0, max: 1 }),
    iou: numberFlag(0.3, 'non-maximum suppression: drop a window overlapping a better one by more than this IoU', { min: 0, max: 1 }),
    'max-detections': numberFlag(20, 'report at most this many detections', { integer: true, min: 1 }),
    figure: optionalFlag('also copy the figure face-detect.png to this path (e.g. docs/img/face-detect.png)', 'FILE'),
    'stop-after': STOP_AFTER_FLAG,
  },
} as const;

type Flags = ReturnType<typeof parseCli<typeof CLI.flags>>;

/** What {@link main} returns. */
export interface FaceDetectSummary {
  mode: 'train' | 'eval';
  /** Accuracy on the held-out patches (NaN when `--eval` finds no patch file). */
  accuracy: number;
  /** Held-out patches scored. */
  heldOut: number;
  /** The detections in the photo, best first: bbox [x, y, w, h] in its pixels, score = P(face). */
  detections: Detection[];
  /** The scales scanned. */
  scales: number[];
  /** The photo scanned. */
  image: string;
  imageSize: readonly [number, number];
  /** The classifier (in evaluation mode). */
  model: Sequential;
  /** Seconds: training (0 for --eval), detection. */
  seconds: { train: number; detect: number };
  files: string[];
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

export async function main(argv: string[], log: (line: string) => void = console.log): Promise<FaceDetectSummary> {
  const flags = parseCli(argv, CLI);
  if (flags['min-face'] > flags['max-face']) throw new Error(`${NAME}: --min-face ${flags['min-face']} is larger than --max-face ${flags['max-face']}`);
  const run = startRun(flags, { data: ['faces'] });
  if (flags.eval !== undefined) return evaluate(flags.eval, flags, run, log);
  return trainAndDetect(flags, run, log);
}

/** The config of `--planes`, `--hidden`, `--dropout`. */
function configOf(flags: Flags): FaceNetConfig {
  const planes = flags.planes.split(',').map((s) => Number(s.trim()));
  if (planes.length !== 2 || !planes.every((p) => Number.isInteger(p) && p >= 1)) throw new Error(`${NAME}: --planes: expected two positive integers like 8,16, got '${flags.planes}'`);
  return { planes: [planes[0]!, planes[1]!], hidden: flags.hidden, dropout: flags.dropout, lcn: flags.lcn };
}

/** Accuracy of the classifier on patches, and the counts per class. */
function scorePatches(model: Sequential, set: PatchSet, lcn: number): { accuracy: number; faces: number; faceCount: number; nonFaces: number; nonFaceCount: number } {
  const p = faceProbabilities(model, set.pixels, lcn);
  let faces = 0;
  let nonFaces = 0;
  let faceCount = 0;
  for (let i = 0; i < set.count; i++) {
    const isFace = set.labels[i] === FACE;
    if (isFace) faceCount++;
    if (isFace && p[i]! > 0.5) faces++;
    if (!isFace && p[i]! <= 0.5) nonFaces++;
  }
  return { accuracy: (faces + nonFaces) / set.count, faces, faceCount, nonFaces, nonFaceCount: set.count - faceCount };
}

function logAccuracy(model: Sequential, test: PatchSet, lcn: number, log: (line: string) => void): number {
  const s = scorePatches(model, test, lcn);
  log(`held-out accuracy: ${pct(s.accuracy)} (${s.faces + s.nonFaces}/${test.count} patches: ${s.faces}/${s.faceCount} faces, ${s.nonFaces}/${s.nonFaceCount} non-faces; fixed split, seed ${SPLIT_SEED})`);
  return s.accuracy;
}

/** Detection on the photo, the detections printed, the figure and the JSON written. */
function detectAndDraw(model: Sequential, lcn: number, photo: Photo, imagePath: string, flags: Flags, files: { figure: string; json: string }, note: string, log: (line: string) => void): Pick<FaceDetectSummary, 'detections' | 'scales'> & { seconds: number } {
  const scales = faceScales(flags['min-face'], flags['max-face'], flags['scale-step']);
  const started = performance.now();
  const { detections, heatmaps, detector } = detectFaces(model, photo, { scales, threshold: flags.threshold, iou: flags.iou, maxDetections: flags['max-detections'], lcn });
  const seconds = (performance.now() - started) / 1000;
  log(`${NAME}: ${imagePath} (${photo.width}×${photo.height}, gray), window ${detector.window.join('×')}, stride ${detector.stride}, ${scales.length} scales ${scales.map((s) => s.toFixed(3)).join(' ')} (faces of ${flags['min-face']}-${flags['max-face']} px): ${detections.length} detection${detections.length === 1 ? '' : 's'} with P(face) > ${flags.threshold} after NMS at IoU ${flags.iou} (${seconds.toFixed(2)} s)`);
  detections.forEach((d, k) => log(`  #${k + 1}  box x ${d.bbox[0].toFixed(1)}, y ${d.bbox[1].toFixed(1)}, ${d.bbox[2].toFixed(1)}×${d.bbox[3].toFixed(1)}  P(face) ${d.score.toFixed(4)}`));
  const windows = heatmaps.reduce((n, h) => n + h.shape[1] * h.shape[2], 0);
  const above = heatmaps.reduce((n, h) => n + h.probabilities.subarray(FACE * h.shape[1] * h.shape[2], (FACE + 1) * h.shape[1] * h.shape[2]).filter((p) => p > flags.threshold).length, 0);
  log(`  windows scanned: ${windows}; with P(face) > ${flags.threshold} before NMS: ${above}`);
  const title = `${NAME}: ConvNet face detector over ${scales.length} scales of ${basename(imagePath)}`;
  drawFaceFigure({ photo, detections, heatmaps, stride: detector.stride, title, footnote: `${note}; P(face) > ${flags.threshold}, NMS IoU ${flags.iou}` }).savePNG(files.figure);
  writeFileSync(files.json, `${JSON.stringify({ image: imagePath, threshold: flags.threshold, iou: flags.iou, scales, detections: detections.map((d) => ({ bbox: d.bbox.map((v) => Number(v.toFixed(2))), score: d.score })) }, null, 1)}\n`);
  log(`wrote ${files.figure}, ${files.json}`);
  if (flags.figure !== undefined) {
    mkdirSync(join(flags.figure, '..'), { recursive: true });
    copyFileSync(files.figure, flags.figure);
    log(`copied the figure to ${flags.figure}`);
  }
  return { detections, scales, seconds };
}

async function trainAndDetect(flags: Flags, run: Run, log: (line: string) => void): Promise<FaceDetectSummary> {
  const config = configOf(flags);
  const all = readPatches(join(run.data, PATCHES_FILE));
  const imagePath = flags.image ?? join(run.data, PHOTO_FILE);
  const photo = readPhoto(imagePath);
  const { train: trainSet, test } = splitPatches(all, HELD_OUT, SPLIT_SEED);
  const rng = new Generator(flags.seed + 1);
  const dropoutRng = new Generator(flags.seed + 2);
  const model = faceNet(config, new Generator(flags.seed), dropoutRng);
  const optimizer = new Adam(model.parameters(), { lr: flags.lr, weightDecay: flags['weight-decay'] });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(1, flags.epochs) });
  const rngs = { data: rng, dropout: dropoutRng };
  const start = resumeRun(run.out, { model, optimizer, scheduler, rngs }, flags.resume);
  const augmentation: Augmentation = { shift: flags.shift, scale: flags.zoom, rotate: flags.rotate, contrast: flags.contrast, brightness: flags.brightness };
  log(`${NAME}: ${all.count} patches of ${run.data}: ${trainSet.count} train (augmented, ${flags.repeats} passes an epoch), ${test.count} held out; seed ${flags.seed}, backend ${flags.backend}`);
  if (start.resumed) log(`resuming from ${run.file('checkpoint.safetensors')} at epoch ${start.startEpoch} of ${flags.epochs}`);
  if (start.startEpoch === 1) log(model.toString());
  const weights = run.file(`${NAME}.safetensors`);
  const metadata = { example: NAME, ...configMetadata(config), splitSeed: String(SPLIT_SEED), heldOut: String(HELD_OUT), seed: String(flags.seed), epochs: String(flags.epochs) };
  const stepsPerEpoch = Math.floor(((trainSet.count + flags.synthetic * trainSet.count / 2) * flags.repeats) / flags.batch);
  const started = performance.now();
  const done = await recordTraining(
    train({ model, criterion: new ClassNLLCriterion(), optimizer, scheduler, rngs, data: () => trainBatches(trainSet, rng, flags.batch, flags.repeats, augmentation, flags.synthetic, config.lcn), validation: () => testBatches(test, config.lcn), epochs: flags.epochs, startEpoch: start.startEpoch }),
    {
      out: run.out,
      start,
      weights: { path: weights, module: model, metadata },
      stepsPerEpoch,
      curves: `${NAME}: loss; held-out patches`,
      stopAfter: flags['stop-after'],
      log,
      name: NAME,
      after: tap((e) => {
        if (e.type === 'validation' && (e.epoch % 5 === 0 || e.epoch === flags.epochs)) log(`epoch ${e.epoch}: held-out loss ${e.metrics.loss.toFixed(4)}, accuracy ${pct(e.metrics.accuracy ?? Number.NaN)}`);
      }),
    },
  );
  const trainSeconds = (performance.now() - started) / 1000;
  model.evaluate();
  const accuracy = logAccuracy(model, test, config.lcn, log);
  const figure = run.file(`${NAME}.png`);
  const json = run.file('detections.json');
  const found = detectAndDraw(model, config.lcn, photo, imagePath, flags, { figure, json }, `held-out patch accuracy ${pct(accuracy)} (${test.count} patches)`, log);
  log(`${NAME}: training ${trainSeconds.toFixed(1)} s (${done.lastEpoch - done.startEpoch + 1} epochs), detection ${found.seconds.toFixed(2)} s`);
  return { mode: 'train', accuracy, heldOut: test.count, detections: found.detections, scales: found.scales, image: imagePath, imageSize: [photo.width, photo.height], model, seconds: { train: trainSeconds, detect: found.seconds }, files: [...done.files, figure, json] };
}

/** The classifier a saved `face-detect.safetensors` (or its run's checkpoint) describes, its weights loaded, in evaluation mode. */
export function loadFaceModel(path: string): { model: Sequential; config: FaceNetConfig; metadata: Readonly<Record<string, string>> } {
  const saved = readSavedModel(path, NAME);
  requireSettings(saved, NAME, ['planes', 'hidden', 'dropout', 'lcn', 'splitSeed', 'heldOut']);
  const config = configFromMetadata(saved.metadata);
  const model = faceNet(config, new Generator(0));
  loadSavedModel(saved, model);
  model.evaluate();
  return { model, config, metadata: saved.metadata };
}

function evaluate(path: string, flags: Flags, run: Run, log: (line: string) => void): FaceDetectSummary {
  const { model, config, metadata } = loadFaceModel(path);
  const imagePath = flags.image ?? join(run.data, PHOTO_FILE);
  const photo = readPhoto(imagePath);
  log(`${NAME}: ${path} (epoch ${metadata['epoch'] ?? '?'}, seed ${metadata['seed'] ?? '?'})`);
  let accuracy = Number.NaN;
  let heldOut = 0;
  const patches = join(run.data, PATCHES_FILE);
  try {
    const { test } = splitPatches(readPatches(patches), Number(metadata['heldOut']), Number(metadata['splitSeed']));
    accuracy = logAccuracy(model, test, config.lcn, log);
    heldOut = test.count;
  } catch (e) {
    log(`(no held-out accuracy: ${(e as Error).message})`);
  }
  mkdirSync(run.out, { recursive: true });
  const stem = basename(imagePath, extname(imagePath));
  const files = { figure: run.file(`${NAME}-${stem}.png`), json: run.file(`detections-${stem}.json`) };
  const note = Number.isNaN(accuracy) ? `model ${basename(path)}` : `held-out patch accuracy ${pct(accuracy)} (${heldOut} patches)`;
  const found = detectAndDraw(model, config.lcn, photo, imagePath, flags, files, note, log);
  return { mode: 'eval', accuracy, heldOut, detections: found.detections, scales: found.scales, image: imagePath, imageSize: [photo.width, photo.height], model, seconds: { train: 0, detect: found.seconds }, files: [files.figure, files.json] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
