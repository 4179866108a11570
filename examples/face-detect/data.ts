/**
 * The data of the face-detect example: the LFW face / non-face patches of scikit-image's
 * `lfw_subset.npy` (a fixed seeded, stratified 80/20 split), the seeded augmentation that stretches
 * 160 training patches into fresh samples every epoch, and the photo to scan, read as gray.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Observable } from 'rxjs';
import { PNG } from 'pngjs';
import { fromIterable, Generator, readNpy, Tensor, type Batch } from '@eole/core';

/** The side of the patches (and of the detector's window). */
export const PATCH = 25;
const AREA = PATCH * PATCH;

/** The file of patches inside the faces data folder, and the default photo. */
export const PATCHES_FILE = 'lfw_subset.npy';
export const PHOTO_FILE = 'astronaut.png';

/** Class indices of the classifier's output: 0 is the background, as `detectMultiscale` expects. */
export const NON_FACE = 0;
export const FACE = 1;

/** The labelled patches: pixels in [0, 1], [count, 25, 25] row-major. */
export interface PatchSet {
  pixels: Float32Array;
  labels: Int32Array;
  count: number;
}

/**
 * Reads `lfw_subset.npy` (or a file in its layout): float64 or float32 [N, 25, 25], values in
 * [0, 1], the first N/2 faces and the last N/2 non-faces. Errors name the file and what is wrong.
 *
 * @example
 * const all = readPatches(join(dataFolder('faces'), PATCHES_FILE)); // 200 patches, 100 faces
 */
export function readPatches(path: string): PatchSet {
  if (!existsSync(path)) throw new Error(`face-detect: no patch file '${path}' (expected ${PATCHES_FILE}, face and non-face patches [N, 25, 25]; see ../shared/data/faces/SOURCE.md, or give --data DIR)`);
  const { dtype, shape, data } = readNpy(path);
  const fail = (why: string): never => {
    throw new Error(`face-detect: '${path}': ${why}`);
  };
  if (dtype === 'uint8') fail(`expected float patches in [0, 1] (descr '<f8' or '<f4'), got uint8`);
  if (shape.length !== 3 || shape[1] !== PATCH || shape[2] !== PATCH) fail(`expected patches of shape [N, ${PATCH}, ${PATCH}], got [${shape.join(', ')}]`);
  const count = shape[0]!;
  if (count < 4 || count % 2 !== 0) fail(`expected an even number of patches, at least 4 (faces first, then as many non-faces), got ${count}`);
  const pixels = Float32Array.from(data);
  for (let i = 0; i < pixels.length; i++) if (!(pixels[i]! >= 0 && pixels[i]! <= 1)) fail(`value ${pixels[i]} at index ${i} is outside [0, 1]`);
  const labels = Int32Array.from({ length: count }, (_, i) => (i < count / 2 ? FACE : NON_FACE));
  return { pixels, labels, count };
}

/** A subset of a {@link PatchSet}, in the order of `indices`. */
export function subsetPatches(set: PatchSet, indices: ArrayLike<number>): PatchSet {
  const n = indices.length;
  const pixels = new Float32Array(n * AREA);
  const labels = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const i = indices[k]!;
    pixels.set(set.pixels.subarray(i * AREA, (i + 1) * AREA), k * AREA);
    labels[k] = set.labels[i]!;
  }
  return { pixels, labels, count: n };
}

/**
 * A fixed stratified split: `heldOut` of each class (a share, 0.2 for 80/20) chosen by a permutation
 * from `new Generator(seed)`, so that the same seed always holds out the same patches.
 *
 * @example
 * const { train, test } = splitPatches(all, 0.2, SPLIT_SEED); // 160 / 40, 20 faces held out
 */
export function splitPatches(set: PatchSet, heldOut: number, seed: number): { train: PatchSet; test: PatchSet; testIndices: number[] } {
  const rng = new Generator(seed);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (const label of [FACE, NON_FACE]) {
    const members = [...set.labels.keys()].filter((i) => set.labels[i] === label);
    const order = rng.permutation(members.length);
    const k = Math.round(members.length * heldOut);
    order.forEach((o, rank) => (rank < k ? testIdx : trainIdx).push(members[o]!));
  }
  testIdx.sort((a, b) => a - b);
  return { train: subsetPatches(set, trainIdx), test: subsetPatches(set, testIdx), testIndices: testIdx };
}

/** How the training patches are distorted (every draw from the epoch's generator). */
export interface Augmentation {
  /** Largest shift in pixels, each axis. */
  shift: number;
  /** Largest zoom factor: zoom drawn log-uniformly in [1/scale, scale]. */
  scale: number;
  /** Largest rotation, degrees. */
  rotate: number;
  /** Contrast factor drawn log-uniformly in [1/contrast, contrast] around the patch mean. */
  contrast: number;
  /** Brightness offset drawn uniformly in [−brightness, brightness]. */
  brightness: number;
}

/**
 * Samples `src` (25×25, row-major) through an affine map about its centre: output pixel p reads
 * src at R(−θ)·(p − c)/zoom + c + (dx, dy), bilinear, the border pixels repeated outside.
 */
export function warpPatch(src: ArrayLike<number>, out: Float32Array, zoom: number, theta: number, dx: number, dy: number, flip: boolean): void {
  const c = (PATCH - 1) / 2;
  const cos = Math.cos(theta) / zoom;
  const sin = Math.sin(theta) / zoom;
  const at = (x: number, y: number): number => src[Math.min(PATCH - 1, Math.max(0, y)) * PATCH + Math.min(PATCH - 1, Math.max(0, x))]!;
  for (let i = 0; i < PATCH; i++) {
    for (let j = 0; j < PATCH; j++) {
      const u = (flip ? PATCH - 1 - j : j) - c;
      const v = i - c;
      const x = cos * u + sin * v + c + dx;
      const y = -sin * u + cos * v + c + dy;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const a = x - x0;
      const b = y - y0;
      out[i * PATCH + j] = (1 - a) * (1 - b) * at(x0, y0) + a * (1 - b) * at(x0 + 1, y0) + (1 - a) * b * at(x0, y0 + 1) + a * b * at(x0 + 1, y0 + 1);
    }
  }
}

/** One augmented copy of a patch into `out`: a random flip, zoom, rotation and shift, then contrast and brightness, clamped to [0, 1]. */
export function augmentPatch(src: ArrayLike<number>, out: Float32Array, rng: Generator, a: Augmentation): void {
  const flip = rng.uniform() < 0.5;
  const zoom = Math.exp(rng.uniform(-Math.log(a.scale), Math.log(a.scale)));
  const theta = (rng.uniform(-a.rotate, a.rotate) * Math.PI) / 180;
  const dx = rng.uniform(-a.shift, a.shift);
  const dy = rng.uniform(-a.shift, a.shift);
  warpPatch(src, out, zoom, theta, dx, dy, flip);
  jitterIntensity(out, rng, a);
}

/**
 * One augmented copy of a non-face: backgrounds have no upright, so any quarter turn, a flip, and
 * zooms up to twice the faces' (`scale`²), then the same shift, rotation and intensity jitter.
 */
export function augmentBackground(src: ArrayLike<number>, out: Float32Array, rng: Generator, a: Augmentation): void {
  const flip = rng.uniform() < 0.5;
  const range = 2 * Math.log(a.scale);
  const zoom = Math.exp(rng.uniform(-range, range));
  const theta = (rng.int(4) * Math.PI) / 2 + (rng.uniform(-a.rotate, a.rotate) * Math.PI) / 180;
  warpPatch(src, out, zoom, theta, rng.uniform(-a.shift, a.shift), rng.uniform(-a.shift, a.shift), flip);
  jitterIntensity(out, rng, a);
}

/** The kinds of negatives {@link syntheticNegative} makes from a face. */
export const SYNTHETIC_KINDS = ['part', 'offset', 'inverted', 'scrambled'] as const;

/**
 * A non-face made from a face patch, a harder negative than the background patches of the set
 * (which are mostly flat or a single edge): `part`, a quarter of the face zoomed 2–3× (an eye, a
 * mouth); `offset`, the face shifted by 8–12 pixels (a window half off the face: what a detector
 * must not fire on around the true window); `inverted`, the face upside down (a blob of the same
 * statistics, the layout wrong); `scrambled`, its 5×5 blocks shuffled. The kind and every parameter
 * come from `rng`; then the same contrast and brightness jitter as the faces.
 */
export function syntheticNegative(face: ArrayLike<number>, out: Float32Array, rng: Generator, a: Augmentation): void {
  const kind = SYNTHETIC_KINDS[rng.int(SYNTHETIC_KINDS.length)]!;
  const flip = rng.uniform() < 0.5;
  const angle = rng.uniform() * 2 * Math.PI;
  if (kind === 'part') {
    const r = rng.uniform(4, 8);
    warpPatch(face, out, rng.uniform(2, 3), 0, r * Math.cos(angle), r * Math.sin(angle), flip);
  } else if (kind === 'offset') {
    const r = rng.uniform(8, 12);
    warpPatch(face, out, Math.exp(rng.uniform(-Math.log(a.scale), Math.log(a.scale))), 0, r * Math.cos(angle), r * Math.sin(angle), flip);
  } else if (kind === 'inverted') {
    warpPatch(face, out, 1, Math.PI + (rng.uniform(-a.rotate, a.rotate) * Math.PI) / 180, 0, 0, flip);
  } else {
    const order = rng.permutation(25);
    for (let b = 0; b < 25; b++) {
      const from = order[b]!;
      for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) out[(5 * Math.floor(b / 5) + i) * PATCH + 5 * (b % 5) + j] = face[(5 * Math.floor(from / 5) + i) * PATCH + 5 * (from % 5) + j]!;
    }
  }
  jitterIntensity(out, rng, a);
}

/** Contrast (about the patch mean) and brightness jitter, clamped to [0, 1]. */
function jitterIntensity(out: Float32Array, rng: Generator, a: Augmentation): void {
  const contrast = Math.exp(rng.uniform(-Math.log(a.contrast), Math.log(a.contrast)));
  const brightness = rng.uniform(-a.brightness, a.brightness);
  let mean = 0;
  for (let k = 0; k < AREA; k++) mean += out[k]!;
  mean /= AREA;
  for (let k = 0; k < AREA; k++) out[k] = Math.min(1, Math.max(0, (out[k]! - mean) * contrast + mean + brightness));
}

/**
 * The net's input for a `width`×`height` image of pixels in [0, 1]: with `lcn` > 0, its
 * {@link localContrast} at σ = `lcn` pixels; with 0, the pixels centred on 0 (pixel − ½). A patch
 * and each scale of the photo go through the same map.
 */
export function netInput(pixels: ArrayLike<number>, width: number, height: number, lcn: number): Float32Array {
  return lcn > 0 ? localContrast(pixels, width, height, lcn) : Float32Array.from(pixels, (v) => v - 0.5);
}

/** {@link netInput} of every 25×25 patch of `pixels` ([n, 25, 25]). */
export function patchInputs(pixels: Float32Array, lcn: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let k = 0; k < pixels.length; k += AREA) out.set(netInput(pixels.subarray(k, k + AREA), PATCH, PATCH, lcn), k);
  return out;
}

/**
 * One epoch of training batches, subscribed afresh every epoch: `repeats` passes, each over every
 * patch plus `synthetic` negatives per face ({@link syntheticNegative}, made from that face) in a
 * fresh permutation from `rng`, every patch freshly augmented; the last, smaller batch is dropped.
 */
export function trainBatches(set: PatchSet, rng: Generator, batchSize: number, repeats: number, augmentation: Augmentation, synthetic: number, lcn: number): Observable<Batch> {
  // entries ≥ set.count stand for a synthetic negative made from face (entry − set.count) % faces.length
  const faces = [...set.labels.keys()].filter((i) => set.labels[i] === FACE);
  const items = set.count + synthetic * faces.length;
  return fromIterable(function* () {
    const order: number[] = [];
    for (let r = 0; r < repeats; r++) order.push(...rng.permutation(items));
    const patch = new Float32Array(AREA);
    for (let s = 0; s + batchSize <= order.length; s += batchSize) {
      const x = new Float32Array(batchSize * AREA);
      const y = new Float32Array(batchSize);
      for (let b = 0; b < batchSize; b++) {
        const item = order[s + b]!;
        const i = item < set.count ? item : faces[(item - set.count) % faces.length]!;
        const src = set.pixels.subarray(i * AREA, (i + 1) * AREA);
        if (item < set.count && set.labels[i] === FACE) augmentPatch(src, patch, rng, augmentation);
        else if (item < set.count) augmentBackground(src, patch, rng, augmentation);
        else syntheticNegative(src, patch, rng, augmentation);
        x.set(netInput(patch, PATCH, PATCH, lcn), b * AREA);
        y[b] = item < set.count ? set.labels[i]! : NON_FACE;
      }
      yield { x: new Tensor(x, [batchSize, 1, PATCH, PATCH]), y: new Tensor(y, [batchSize]) };
    }
  });
}

/** The held-out patches as they are (no augmentation), in batches of `size`. */
export function testBatches(set: PatchSet, lcn: number, size = 100): Observable<Batch> {
  return fromIterable(function* () {
    for (let s = 0; s < set.count; s += size) {
      const n = Math.min(size, set.count - s);
      yield { x: new Tensor(patchInputs(set.pixels.subarray(s * AREA, (s + n) * AREA), lcn), [n, 1, PATCH, PATCH]), y: Tensor.from(Float32Array.from(set.labels.subarray(s, s + n)), [n]) };
    }
  });
}

/**
 * Local contrast normalisation of a `width`×`height` image (row-major), in place of a global one:
 * each pixel minus the Gaussian-weighted mean of its neighbourhood (σ = `sigma` pixels), over the
 * Gaussian-weighted standard deviation there (at least `floor`), as in the subtractive and
 * divisive normalisation of Jarrett, Kavukcuoglu, Ranzato & LeCun 2009. At the borders the
 * weights are renormalised over the pixels inside, so a 25×25 patch and the same window of a large
 * image are normalised nearly alike (exactly, at least `3σ` from the patch's borders).
 */
export function localContrast(pixels: ArrayLike<number>, width: number, height: number, sigma: number, floor = 0.05): Float32Array {
  const mean = gaussianBlur(pixels, width, height, sigma);
  const centred = Float32Array.from(pixels, (v, k) => v - mean[k]!);
  const variance = gaussianBlur(Float32Array.from(centred, (v) => v * v), width, height, sigma);
  return Float32Array.from(centred, (v, k) => v / Math.max(floor, Math.sqrt(variance[k]!)));
}

/** A separable Gaussian blur, the weights renormalised over the pixels inside the image. */
function gaussianBlur(src: ArrayLike<number>, width: number, height: number, sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const taps = Float32Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const pass = (input: ArrayLike<number>, along: number, across: number, step: number, stride: number): Float32Array => {
    const out = new Float32Array(width * height);
    for (let a = 0; a < across; a++) {
      for (let i = 0; i < along; i++) {
        let sum = 0;
        let weight = 0;
        for (let k = Math.max(-radius, -i); k <= Math.min(radius, along - 1 - i); k++) {
          const t = taps[k + radius]!;
          sum += t * input[a * stride + (i + k) * step]!;
          weight += t;
        }
        out[a * stride + i * step] = sum / weight;
      }
    }
    return out;
  };
  return pass(pass(src, width, height, 1, width), height, width, width, 1);
}

/** A photo: its RGB bytes (for the figure) and its luminance in [0, 1] (for the detector). */
export interface Photo {
  width: number;
  height: number;
  /** Row-major r, g, b bytes. */
  rgb: Uint8Array;
  /** Row-major luminance 0.299 R + 0.587 G + 0.114 B, over 255. */
  gray: Float32Array;
}

/**
 * Reads a PNG (any colour type pngjs decodes: gray, RGB, palette, with or without alpha; alpha is
 * dropped) as a {@link Photo}. Errors name the file.
 *
 * @example
 * const photo = readPhoto('../shared/data/faces/astronaut.png'); // 512×512
 */
export function readPhoto(path: string): Photo {
  if (!existsSync(path)) throw new Error(`face-detect: no image '${path}' (--image takes a PNG file)`);
  let png: PNG;
  try {
    png = PNG.sync.read(readFileSync(path));
  } catch (e) {
    throw new Error(`face-detect: '${path}' is not a PNG image pngjs can read (${(e as Error).message})`, { cause: e });
  }
  const { width, height, data } = png;
  if (width < PATCH || height < PATCH) throw new Error(`face-detect: '${path}' is ${width}×${height}, smaller than the ${PATCH}×${PATCH} window`);
  const rgb = new Uint8Array(width * height * 3);
  const gray = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    const r = data[4 * p]!;
    const g = data[4 * p + 1]!;
    const b = data[4 * p + 2]!;
    rgb.set([r, g, b], 3 * p);
    gray[p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  }
  return { width, height, rgb, gray };
}
