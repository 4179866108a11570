/**
 * Training windows for the digit detector, cut from digits-in-clutter images the way the detector
 * will see them: the whole image is rescaled (`rescaleImage`, as `detectMultiscale` does) and a
 * 32×32 window is read at whole-pixel positions. A digit's size is the longer side of its box
 * (MNIST digits are 20 px on their longer side in a 28-px frame), and a window at scale s sees it
 * at size·s pixels; the detector is trained to fire when that is about {@link CANONICAL_SIZE} and
 * the digit's centre is near the window's, and to regress the box from there (OverFeat).
 */
import { encodeBox, rescaleImage, type Box, type DetectionSample } from '@eole/conv';
import { Generator, noGrad, Tensor, type Batch } from '@eole/core';
import { WINDOW } from './model.js';

/** The size (longer box side) of a digit the detector sees at its own scale, in window pixels. */
export const CANONICAL_SIZE = 20;

/** How windows are labelled and drawn. */
export interface WindowPolicy {
  /** A window is a digit's when size·s / {@link CANONICAL_SIZE} is in [1/ratio, ratio]… */
  positiveRatio: number;
  /** …and the digit's centre is within this many window pixels of the window's centre on each axis. */
  positiveOffset: number;
  /** A window is background when, for every digit, the ratio is outside [1/r, r] with this r or the centre is farther than `negativeOffset`; in between, only its box is taught. */
  negativeRatio: number;
  negativeOffset: number;
  /** Windows drawn per digit: at its scale near its centre (positives), at its scale off its centre, and centred at a wrong scale (hard negatives). */
  positivesPerDigit: number;
  /** Windows per digit anywhere in its negative band (mostly regression-only windows, see {@link labelWindow}). */
  bandPerDigit: number;
  offCentrePerDigit: number;
  wrongScalePerDigit: number;
  /** Windows per image at one random scale and random places (mostly background). */
  randomPerImage: number;
  /** The range of random scales. */
  minScale: number;
  maxScale: number;
}

/** The policy of the default run (see RECIPE in main.ts). */
export const DEFAULT_POLICY: WindowPolicy = {
  positiveRatio: 1.2,
  positiveOffset: 4,
  negativeRatio: 1.6,
  negativeOffset: 8,
  positivesPerDigit: 3,
  bandPerDigit: 1,
  offCentrePerDigit: 1,
  wrongScalePerDigit: 1,
  randomPerImage: 4,
  minScale: 0.3,
  maxScale: 1.5,
};

/** A labelled window: its pixels and the target row [class, dx, dy, dw, dh]. */
interface LabelledWindow {
  pixels: Float32Array;
  target: [number, number, number, number, number];
}

/** The sample's image as a [1, 1, H, W] tensor in [0, 1]. */
export function imageTensor(sample: DetectionSample): Tensor {
  return Tensor.from(Float32Array.from(sample.image, (v) => v / 255), [1, 1, sample.height, sample.width]);
}

/** A digit's size: the longer side of its box. */
export function digitSize(bbox: Box): number {
  return Math.max(bbox[2], bbox[3]);
}

/**
 * The label of the window at (px, py) of the image rescaled by s: [class, deltas] for a digit's
 * window (positive band), [0, 0, 0, 0, 0] for background (every digit beyond the negative band),
 * and [−1, deltas] in between: no class is taught there, but the box is, so that a window near a
 * digit that fires anyway regresses onto it (and NMS merges it with the best one). The deltas are
 * those of the nearest digit.
 */
export function labelWindow(sample: DetectionSample, s: number, px: number, py: number, policy: WindowPolicy): LabelledWindow['target'] {
  const centre = WINDOW / 2;
  const window: Box = [px / s, py / s, WINDOW / s, WINDOW / s];
  let between: LabelledWindow['target'] | null = null;
  let nearest = Infinity;
  for (const { bbox, categoryId } of sample.boxes) {
    const ox = Math.abs((bbox[0] + bbox[2] / 2) * s - (px + centre));
    const oy = Math.abs((bbox[1] + bbox[3] / 2) * s - (py + centre));
    const logRatio = Math.abs(Math.log((digitSize(bbox) * s) / CANONICAL_SIZE));
    if (ox <= policy.positiveOffset && oy <= policy.positiveOffset && logRatio <= Math.log(policy.positiveRatio)) return [categoryId, ...encodeBox(bbox, window)];
    if (ox <= policy.negativeOffset && oy <= policy.negativeOffset && logRatio <= Math.log(policy.negativeRatio) && Math.max(ox, oy) < nearest) {
      nearest = Math.max(ox, oy);
      between = [-1, ...encodeBox(bbox, window)];
    }
  }
  return between ?? [0, 0, 0, 0, 0];
}

/** The image rescaled by about `scale`, with the exact factors of its size (width and height). */
function rescaled(image: Tensor, scale: number): { pixels: Float32Array; width: number; height: number; sx: number; sy: number } {
  const r = rescaleImage(image, scale);
  const [height, width] = r.shape.slice(-2) as [number, number];
  return { pixels: r.data, width, height, sx: width / image.shape[3]!, sy: height / image.shape[2]! };
}

function crop(pixels: Float32Array, width: number, px: number, py: number): Float32Array {
  const out = new Float32Array(WINDOW * WINDOW);
  for (let r = 0; r < WINDOW; r++) out.set(pixels.subarray((py + r) * width + px, (py + r) * width + px + WINDOW), r * WINDOW);
  return out;
}

/** Windows of one image at one scale, at the given top-left corners (kept when labelled and inside). */
function windowsAt(sample: DetectionSample, image: Tensor, scale: number, corners: (width: number, height: number, s: number) => [number, number][], policy: WindowPolicy): LabelledWindow[] {
  const r = rescaled(image, scale);
  if (r.width < WINDOW || r.height < WINDOW) return [];
  const s = r.sx;
  const out: LabelledWindow[] = [];
  for (const [px, py] of corners(r.width, r.height, s)) {
    if (px < 0 || py < 0 || px + WINDOW > r.width || py + WINDOW > r.height) continue;
    out.push({ pixels: crop(r.pixels, r.width, px, py), target: labelWindow(sample, s, px, py, policy) });
  }
  return out;
}

/**
 * One epoch of labelled windows from `samples`, drawn from `rng`: per digit, at one scale that
 * shows it at about the canonical size, windows centred on it up to the positive offset
 * (positives) and windows off its centre, and windows centred on it at a wrong scale (hard
 * negatives); per image, windows at one random scale and random places (mostly background).
 * Shuffled.
 */
export function sampleWindows(samples: readonly DetectionSample[], rng: Generator, policy: WindowPolicy = DEFAULT_POLICY): { x: Float32Array; y: Float32Array; count: number } {
  const windows: LabelledWindow[] = [];
  const centre = WINDOW / 2;
  const logUniform = (lo: number, hi: number): number => Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
  for (const sample of samples) {
    const image = imageTensor(sample);
    for (const { bbox } of sample.boxes) {
      const cx = bbox[0] + bbox[2] / 2;
      const cy = bbox[1] + bbox[3] / 2;
      const size = digitSize(bbox);
      // corners of windows whose centre is `from`–`to` window pixels from the digit's, in a random direction
      const near = (count: number, from: number, to: number) => (_w: number, _h: number, s: number) =>
        Array.from({ length: count }, (): [number, number] => {
          const angle = rng.uniform(0, 2 * Math.PI);
          const radius = rng.uniform(from, to);
          return [Math.round(cx * s - centre + radius * Math.cos(angle)), Math.round(cy * s - centre + radius * Math.sin(angle))];
        });
      // one scale showing the digit at about the canonical size: positives around it, and windows off its centre
      const ratio = logUniform(1 / policy.positiveRatio, policy.positiveRatio);
      const scale = (CANONICAL_SIZE * ratio) / size;
      windows.push(...windowsAt(sample, image, scale, near(policy.positivesPerDigit, 0, policy.positiveOffset), policy));
      const bandRatio = logUniform(1 / policy.negativeRatio, policy.negativeRatio);
      windows.push(...windowsAt(sample, image, (CANONICAL_SIZE * bandRatio) / size, near(policy.bandPerDigit, 0, policy.negativeOffset), policy));
      windows.push(...windowsAt(sample, image, scale, near(policy.offCentrePerDigit, policy.negativeOffset + 1, 2 * policy.negativeOffset), policy));
      // the digit centred but much too small or too large
      for (let k = 0; k < policy.wrongScalePerDigit; k++) {
        const wrong = rng.uniform() < 0.5 ? logUniform(0.35, 1 / policy.negativeRatio) : logUniform(policy.negativeRatio, 2.5);
        windows.push(...windowsAt(sample, image, (CANONICAL_SIZE * wrong) / size, near(1, 0, policy.positiveOffset), policy));
      }
    }
    const randomScale = logUniform(policy.minScale, policy.maxScale);
    windows.push(...windowsAt(sample, image, randomScale, (w, h) => Array.from({ length: policy.randomPerImage }, (): [number, number] => [rng.int(w - WINDOW + 1), rng.int(h - WINDOW + 1)]), policy));
  }
  const order = rng.permutation(windows.length);
  const x = new Float32Array(windows.length * WINDOW * WINDOW);
  const y = new Float32Array(windows.length * 5);
  order.forEach((from, to) => {
    x.set(windows[from]!.pixels, to * WINDOW * WINDOW);
    y.set(windows[from]!.target, to * 5);
  });
  return { x, y, count: windows.length };
}

/** Batches of `batch` windows (the last partial batch dropped). */
export function windowBatches(windows: { x: Float32Array; y: Float32Array; count: number }, batch: number): Batch[] {
  const out: Batch[] = [];
  const size = WINDOW * WINDOW;
  for (let i = 0; i + batch <= windows.count; i += batch) {
    out.push({ x: Tensor.from(windows.x.slice(i * size, (i + batch) * size), [batch, 1, WINDOW, WINDOW]), y: Tensor.from(windows.y.slice(i * 5, (i + batch) * 5), [batch, 5]) });
  }
  return out;
}

/** Options of {@link hardNegatives}. */
export interface HardNegativeOptions {
  scales: readonly number[];
  stride: number;
  /** A window counts as a false alarm when its best digit is more probable than this. */
  threshold: number;
  /** At most this many windows per image (the most confident first). */
  perImage: number;
}

/**
 * Bootstrapping (Vaillant, Monrocq & LeCun 1994; Rowley, Baluja & Kanade 1998): scans `samples`
 * with the current detector at every scale, and returns the windows that fire (best digit above
 * the threshold) although {@link labelWindow} calls them background, labelled background, so the
 * next epoch learns them: parts of digits at the wrong scale, clutter that looks like a digit.
 */
export function hardNegatives(detect: (image: Tensor) => { scores: Tensor }, samples: readonly DetectionSample[], options: HardNegativeOptions, policy: WindowPolicy = DEFAULT_POLICY): { x: Float32Array; y: Float32Array; count: number } {
  const windows: Float32Array[] = [];
  noGrad(() => {
    for (const sample of samples) {
      const image = imageTensor(sample);
      const alarms: { score: number; pixels: Float32Array }[] = [];
      for (const scale of options.scales) {
        const r = rescaled(image, scale);
        if (r.width < WINDOW || r.height < WINDOW) continue;
        const scores = detect(Tensor.from(r.pixels, [1, 1, r.height, r.width])).scores;
        const [, K, H, W] = scores.shape as [number, number, number, number];
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < W; j++) {
            let best = 0;
            for (let c = 1; c < K; c++) best = Math.max(best, Math.exp(scores.data[c * H * W + i * W + j]!));
            if (best <= options.threshold) continue;
            const [px, py] = [j * options.stride, i * options.stride];
            if (labelWindow(sample, r.sx, px, py, policy)[0] === 0) alarms.push({ score: best, pixels: crop(r.pixels, r.width, px, py) });
          }
        }
      }
      alarms.sort((a, b) => b.score - a.score);
      for (const a of alarms.slice(0, options.perImage)) windows.push(a.pixels);
    }
  });
  const x = new Float32Array(windows.length * WINDOW * WINDOW);
  windows.forEach((w, i) => x.set(w, i * WINDOW * WINDOW));
  return { x, y: new Float32Array(windows.length * 5), count: windows.length };
}

/** The windows of `a` and `b` in one set, shuffled by `rng`. */
export function mergeWindows(a: { x: Float32Array; y: Float32Array; count: number }, b: { x: Float32Array; y: Float32Array; count: number }, rng: Generator): { x: Float32Array; y: Float32Array; count: number } {
  const count = a.count + b.count;
  const size = WINDOW * WINDOW;
  const x = new Float32Array(count * size);
  const y = new Float32Array(count * 5);
  rng.permutation(count).forEach((from, to) => {
    const [set, k] = from < a.count ? [a, from] : [b, from - a.count];
    x.set(set.x.subarray(k * size, (k + 1) * size), to * size);
    y.set(set.y.subarray(k * 5, (k + 1) * 5), to * 5);
  });
  return { x, y, count };
}
