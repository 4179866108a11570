import { Canvas, WHITE, type RGB } from '@eole/core/report';

/** Options of {@link imageGrid}. */
export interface ImageGridOptions {
  /** Images per row (default: ⌈√n⌉). */
  cols?: number;
  /** Each pixel becomes a scale × scale block (default 2). */
  scale?: number;
  /** Pixel gap between images (default 2). */
  gap?: number;
  /** The value range drawn black to white (default [−1, 1], a tanh generator's range). */
  range?: readonly [number, number];
  /** Labels drawn left of each row (e.g. the epoch or the class), if any. */
  rowLabels?: readonly string[];
  /** A title above the grid. */
  title?: string;
  background?: RGB;
}

const LABEL_WIDTH = 8 * 6 + 6;

/**
 * Grayscale images [N, H·W] (or [N, 1, H, W]) laid out as a grid on a canvas, as DCGAN's sample
 * figures: white digits on black in MNIST's convention, values over `range` (default [−1, 1]).
 *
 * @example
 * imageGrid(g.forward(fixedNoise).data, 100, 28, 28, { cols: 10 }).savePNG('runs/dcgan/samples.png');
 * imageGrid(digits, 16, 28, 28, { range: [0, 1], rowLabels: ['real'] });
 */
export function imageGrid(pixels: ArrayLike<number>, n: number, h: number, w: number, options: ImageGridOptions = {}): Canvas {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`imageGrid: n must be a positive integer, got ${n}`);
  if (pixels.length !== n * h * w) throw new RangeError(`imageGrid: pixels has ${pixels.length} values, n·h·w = ${n}·${h}·${w} = ${n * h * w}`);
  const cols = options.cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const scale = options.scale ?? 2;
  const gap = options.gap ?? 2;
  const [lo, hi] = options.range ?? [-1, 1];
  const left = gap + (options.rowLabels ? LABEL_WIDTH : 0);
  const top = gap + (options.title ? 16 : 0);
  const canvas = new Canvas(left + cols * (w * scale + gap), top + rows * (h * scale + gap), options.background ?? WHITE);
  if (options.title) canvas.text(gap + 2, 4, options.title);
  for (let i = 0; i < n; i++) {
    const x = left + (i % cols) * (w * scale + gap);
    const y = top + Math.floor(i / cols) * (h * scale + gap);
    canvas.image(x, y, Array.prototype.slice.call(pixels, i * h * w, (i + 1) * h * w) as number[], w, h, scale, { min: lo, max: hi });
  }
  options.rowLabels?.forEach((label, r) => {
    if (r < rows) canvas.text(gap, top + r * (h * scale + gap) + (h * scale) / 2 - 4, label.slice(0, 8));
  });
  return canvas;
}
