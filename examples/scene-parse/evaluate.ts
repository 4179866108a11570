/**
 * Labelling whole images with a trained net and scoring the labels as Farabet et al. do: pixel
 * accuracy and mean class accuracy over the classes present in the truth (conv's
 * `segmentationScores`).
 */
import { noGrad, Tensor } from '@eole/core';
import { segmentationScores, type DetectionSample, type MultiscaleConvNet, type SegmentationScores } from '@eole/conv';
import { BORDER, CLASSES, sideMultiple } from './net.js';

/** The gray values of an image as the net reads them: v / 255. */
export const INPUT_SCALE = 1 / 255;

/** `side` rounded up to a multiple of `m`. */
function roundUp(side: number, m: number): number {
  return Math.ceil(side / m) * m;
}

/** What {@link predictMasks} returns. */
export interface Prediction {
  /** One uint8 label mask per sample, of its size: every pixel's own most likely label. */
  masks: Uint8Array[];
  /** The same after {@link voteComponents}: one digit per connected piece of digit pixels. */
  voted: Uint8Array[];
  /** With `weights`: the class-weighted NLL of the truth over all pixels (as `PixelNLLCriterion`); else NaN. */
  loss: number;
}

/** What {@link predictMasks} takes besides the net and the samples. */
export interface PredictOptions {
  /** Images through the net at a time (default 8). */
  batch?: number;
  /** Class weights: with them (and masks on every sample), the loss of the truth too. */
  weights?: readonly number[];
  /** `--split-pixels`: how the vote splits touching digits (default: never). */
  split?: VoteSplit | null;
  /**
   * Test-time translations `[dy, dx]` (pixels, ≥ 0): the net labels the image shifted by each (black
   * enters at the top and left), and every pixel's class probabilities are averaged over them
   * (default `[[0, 0]]`, the image alone). {@link shiftGrid} makes the usual sets.
   */
  shifts?: readonly (readonly [number, number])[];
}

/**
 * The translations of a `k`×`k` grid with `step` pixels between them: `[[0, 0], [0, step], …]`.
 * With the context path's 8-pixel pooling grid, `shiftGrid(2, 4)` puts a pixel at both phases of
 * every pooling window in both directions.
 *
 * @example
 * shiftGrid(2, 4); // [[0, 0], [0, 4], [4, 0], [4, 4]]
 */
export function shiftGrid(k: number, step: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out.push([i * step, j * step]);
  return out;
}

/**
 * The label (argmax of the class probabilities) of every pixel of every sample, as uint8 masks of
 * the samples' sizes. Images of the same size go through the net `batch` at a time, in evaluate
 * mode and without the graph; an image is padded with zeros (black, like the background) on the
 * bottom and right to sides divisible by `sideMultiple(scales, 3)` (after its shift, with
 * `shifts`), and its labels cropped back. With `shifts`, p(class) is the mean over the shifted
 * images (test-time augmentation). With class `weights` (and masks on every sample), the
 * class-weighted NLL of the truth under those probabilities.
 *
 * @example
 * const { masks } = predictMasks(net, clutterValidation(100, 1));
 * masks[0].length; // 128 * 128
 */
export function predictMasks(net: MultiscaleConvNet, samples: readonly DetectionSample[], options: PredictOptions = {}): Prediction {
  const batch = options.batch ?? 8;
  const weights = options.weights;
  const shifts = options.shifts ?? [[0, 0]];
  if (shifts.length === 0 || shifts.some(([dy, dx]) => !(Number.isInteger(dy) && Number.isInteger(dx) && dy >= 0 && dx >= 0))) {
    throw new RangeError(`predictMasks: shifts must be a non-empty list of [dy, dx] with integers ≥ 0, got ${JSON.stringify(shifts)}`);
  }
  let lossSum = 0;
  let weightSum = 0;
  const m = sideMultiple(net.scales, 3); // enough for either context path
  const masks: Uint8Array[] = new Array<Uint8Array>(samples.length);
  const voted: Uint8Array[] = new Array<Uint8Array>(samples.length);
  net.evaluate();
  let first = 0;
  while (first < samples.length) {
    const { width, height } = samples[first]!;
    let end = first + 1;
    while (end < samples.length && end - first < batch && samples[end]!.width === width && samples[end]!.height === height) end++;
    const n = end - first;
    const plane = width * height;
    // p[k][class][pixel], the mean over the shifts (classes: 11, or 12 for a net with the border class)
    let p = new Float32Array(0);
    let classes = 0;
    for (const [dy, dx] of shifts) {
      const W = roundUp(width + dx, m);
      const H = roundUp(height + dy, m);
      const x = new Float32Array(n * H * W);
      for (let k = 0; k < n; k++) {
        const image = samples[first + k]!.image;
        for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) x[(k * H + r + dy) * W + c + dx] = image[r * width + c]! * INPUT_SCALE;
      }
      const output = noGrad(() => net.forward(new Tensor(x, [n, 1, H, W])));
      if (classes === 0) {
        classes = output.shape[1]!;
        if (classes !== CLASSES && classes !== BORDER + 1) throw new RangeError(`predictMasks: the net outputs ${classes} planes, expected ${CLASSES} (or ${BORDER + 1} with the border class)`);
        p = new Float32Array(n * classes * plane);
      }
      const out = output.data;
      for (let kc = 0; kc < n * classes; kc++) {
        for (let r = 0; r < height; r++) {
          const from = (kc * H + r + dy) * W + dx;
          const to = kc * plane + r * width;
          for (let c = 0; c < width; c++) p[to + c] = p[to + c]! + Math.exp(out[from + c]!) / shifts.length;
        }
      }
    }
    const border = classes > CLASSES;
    for (let k = 0; k < n; k++) {
      const mask = new Uint8Array(plane);
      const truth = samples[first + k]!.mask;
      const base = k * classes * plane;
      const probability = (q: number, cls: number): number => p[base + cls * plane + q]!;
      for (let q = 0; q < plane; q++) {
        let best = 0;
        let bestValue = p[base + q]!;
        for (let cls = 1; cls < classes; cls++) {
          const v = p[base + cls * plane + q]!;
          if (v > bestValue) {
            bestValue = v;
            best = cls;
          }
        }
        mask[q] = best;
        if (weights !== undefined && truth !== undefined) {
          const y = truth[q]!;
          // with the border class, its probability counts for every digit (the truth has no border)
          const py = p[base + y * plane + q]! + (border && y !== 0 ? p[base + BORDER * plane + q]! : 0);
          lossSum -= weights[y]! * Math.log(Math.max(py, 1e-30));
          weightSum += weights[y]!;
        }
      }
      if (border) {
        voted[first + k] = voteWithBorder(mask, width, height, probability, options.split ?? null);
        masks[first + k] = mask.map((label, q) => (label === BORDER ? bestDigit(q, probability) : label));
      } else {
        masks[first + k] = mask;
        voted[first + k] = voteComponents(mask, width, height, probability, options.split ?? null);
      }
    }
    first = end;
  }
  return { masks, voted, loss: weights !== undefined && weightSum > 0 ? lossSum / weightSum : Number.NaN };
}

/**
 * One digit per connected piece of digit pixels, after the superpixel vote of Farabet et al.
 * (PAMI 2013, section 3.2: the class distributions of a segment's pixels are averaged and the segment
 * takes the winner): the 4-connected components of the pixels labelled as some digit (≠ 0) each take
 * the digit d ∈ 1…10 with the largest Σ p(d) over their pixels; background pixels stay background.
 * `probability(q, d)` is the net's p(d) at pixel q (row-major).
 *
 * With `split` (`--split-pixels`), a component in which two or more digits each hold a 4-connected
 * run of at least `minPixels` pixels of their own label is taken for touching digits (on the
 * validation images, three quarters of the voted errors were in components that covered two true
 * digits): it is not voted whole; its large runs keep their labels and grow through it breadth
 * first, every other pixel taking the label of the run that reaches it first.
 *
 * @example
 * voteComponents(Uint8Array.of(2, 3, 3, 0), 4, 1, (q, d) => (d === 3 ? 0.6 : 0.1)); // [3, 3, 3, 0]
 * voteComponents(Uint8Array.of(2, 2, 5, 3, 3, 3), 6, 1, () => 0.1, { minPixels: 2 }); // [2, 2, 2, 3, 3, 3]
 */
export function voteComponents(mask: Uint8Array, width: number, height: number, probability: (q: number, digit: number) => number, split: VoteSplit | null = null): Uint8Array {
  const out = Uint8Array.from(mask);
  const sums = new Float64Array(CLASSES);
  const pieces = split ? new PieceSizes(mask, width, height) : null;
  forPieces(mask, width, height, () => true, (members, count) => {
    if (pieces && pieces.majors(members, count, split!).length >= 2) {
      // Two or more digits touch: the pieces of the major digits grow through the component
      // (breadth first, 4-connected), each pixel taking the label of the piece that reaches it first.
      pieces.grow(members, count, split!, out, width, height);
      return;
    }
    sums.fill(0);
    for (let i = 0; i < count; i++) for (let d = 1; d < CLASSES; d++) sums[d] += probability(members[i]!, d);
    let best = 1;
    for (let d = 2; d < CLASSES; d++) if (sums[d]! > sums[best]!) best = d;
    for (let i = 0; i < count; i++) out[members[i]!] = best;
  });
  return out;
}

/** The digit label (1…10) with the largest `probability(q, d)` at pixel `q`. */
function bestDigit(q: number, probability: (q: number, digit: number) => number): number {
  let best = 1;
  for (let d = 2; d < CLASSES; d++) if (probability(q, d) > probability(q, best)) best = d;
  return best;
}

/**
 * The vote of a net with the border class (`--border`): pixels labelled {@link BORDER} (a digit
 * next to another digit) are left out of the pieces, so touching digits fall into pieces of their
 * own, which {@link voteComponents} labels; then the border pixels take the label of the voted digit
 * pixel that reaches them first (breadth first, 4-connected, through border pixels only), and those
 * no digit pixel reaches their own likeliest digit. The result holds labels 0…10 only.
 *
 * @example
 * // a 3 and a 5 joined by one border pixel: two pieces, each voting alone
 * voteWithBorder(Uint8Array.of(4, 4, 11, 6, 6), 5, 1, (q, d) => (d === 4 && q < 2) || (d === 6 && q > 2) ? 0.9 : 0.01); // [4, 4, 4, 6, 6]
 */
export function voteWithBorder(mask: Uint8Array, width: number, height: number, probability: (q: number, digit: number) => number, split: VoteSplit | null = null): Uint8Array {
  const cut = mask.map((label) => (label === BORDER ? 0 : label));
  const out = voteComponents(cut, width, height, probability, split);
  const queue = new Int32Array(mask.length);
  let head = 0;
  let tail = 0;
  for (let q = 0; q < mask.length; q++) if (out[q] !== 0) queue[tail++] = q;
  const reached = new Uint8Array(mask.length);
  while (head < tail) {
    const q = queue[head++]!;
    forNeighbours(q, width, height, (nb) => {
      if (mask[nb] === BORDER && !reached[nb]) {
        reached[nb] = 1;
        out[nb] = out[q]!;
        queue[tail++] = nb;
      }
    });
  }
  for (let q = 0; q < mask.length; q++) if (mask[q] === BORDER && !reached[q]) out[q] = bestDigit(q, probability);
  return out;
}

/** When {@link voteComponents} splits a component: digits whose largest same-label piece in it has at least `minPixels` pixels. */
export interface VoteSplit {
  minPixels: number;
}

/**
 * Calls `fn` with each 4-neighbour of pixel `q` inside the image. Pieces are 4-connected: two
 * digits touching at a corner stay apart (chosen on the validation images against 8-connected
 * pieces, with --split-pixels 150 and 2×2 shifts: 200 images 85.45 → 86.00% multiscale, 83.99 →
 * 84.07% single scale; 500 images 84.94 → 85.39%, 85.02 → 85.16%).
 */
function forNeighbours(q: number, width: number, height: number, fn: (n: number) => void): void {
  const r = Math.floor(q / width);
  const c = q % width;
  if (r > 0) fn(q - width);
  if (c > 0) fn(q - 1);
  if (c + 1 < width) fn(q + 1);
  if (r + 1 < height) fn(q + width);
}

/**
 * The 4-connected pieces of the nonzero pixels of `mask` whose neighbouring pixels `join(a, b)`:
 * `piece(members, count)` for each, in the order of its first pixel (the members' buffer is reused).
 */
function forPieces(mask: Uint8Array, width: number, height: number, join: (a: number, b: number) => boolean, piece: (members: Int32Array, count: number) => void): void {
  const seen = new Uint8Array(mask.length);
  const stack = new Int32Array(mask.length);
  const members = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] === 0 || seen[start]) continue;
    let top = 0;
    let count = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const q = stack[--top]!;
      members[count++] = q;
      forNeighbours(q, width, height, (n) => {
        if (mask[n] !== 0 && !seen[n] && join(q, n)) {
          seen[n] = 1;
          stack[top++] = n;
        }
      });
    }
    piece(members, count);
  }
}

/** The size of the 4-connected piece of equal labels each pixel of a mask belongs to. */
class PieceSizes {
  private readonly size: Int32Array;

  constructor(private readonly mask: Uint8Array, width: number, height: number) {
    const size = new Int32Array(mask.length);
    forPieces(mask, width, height, (a, b) => mask[a] === mask[b], (members, count) => {
      for (let i = 0; i < count; i++) size[members[i]!] = count;
    });
    this.size = size;
  }

  /** Labels `members` (one component) by growing its pieces of at least `minPixels` pixels through it. */
  grow(members: Int32Array, count: number, split: VoteSplit, out: Uint8Array, width: number, height: number): void {
    const inside = new Set<number>();
    for (let i = 0; i < count; i++) inside.add(members[i]!);
    const queue = new Int32Array(count);
    let head = 0;
    let tail = 0;
    const reached = new Set<number>();
    for (let i = 0; i < count; i++) {
      const q = members[i]!;
      if (this.size[q]! >= split.minPixels) {
        out[q] = this.mask[q]!;
        reached.add(q);
        queue[tail++] = q;
      }
    }
    while (head < tail) {
      const q = queue[head++]!;
      forNeighbours(q, width, height, (n) => {
        if (inside.has(n) && !reached.has(n)) {
          reached.add(n);
          out[n] = out[q]!;
          queue[tail++] = n;
        }
      });
    }
  }

  /** The labels among `members` with a piece of at least `minPixels` pixels. */
  majors(members: Int32Array, count: number, split: VoteSplit): number[] {
    const largest = new Int32Array(CLASSES);
    for (let i = 0; i < count; i++) {
      const q = members[i]!;
      const label = this.mask[q]!;
      if (this.size[q]! > largest[label]!) largest[label] = this.size[q]!;
    }
    const out: number[] = [];
    for (let d = 1; d < CLASSES; d++) if (largest[d]! >= split.minPixels) out.push(d);
    return out;
  }
}

/**
 * Pixel accuracy, mean class accuracy (over the classes present in the truth) and the confusion
 * matrix of predicted masks against the samples' masks, over all their pixels together.
 *
 * @example
 * scoreMasks(predictMasks(net, samples).masks, samples).meanClassAccuracy; // 0.9...
 */
export function scoreMasks(predicted: readonly Uint8Array[], samples: readonly DetectionSample[]): SegmentationScores {
  const total = samples.reduce((s, x) => s + x.width * x.height, 0);
  const p = new Uint8Array(total);
  const t = new Uint8Array(total);
  let at = 0;
  samples.forEach((s, i) => {
    if (s.mask === undefined) throw new Error(`scoreMasks: sample ${i} has no label mask`);
    p.set(predicted[i]!, at);
    t.set(s.mask, at);
    at += s.mask.length;
  });
  return segmentationScores(p, t, CLASSES);
}

/** The share of the pixels of `samples` in each class (the background's is about 0.96). */
export function classShares(samples: readonly DetectionSample[]): number[] {
  const counts = new Array<number>(CLASSES).fill(0);
  let total = 0;
  for (const s of samples) {
    for (const v of s.mask ?? []) counts[v]!++;
    total += s.mask?.length ?? 0;
  }
  return counts.map((c) => c / Math.max(total, 1));
}
