import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PNG } from 'pngjs';
import { BLACK, colorAt, GREYS, WHITE, type Colormap, type RGB } from './colormap.js';
import { GLYPH_ADVANCE, glyph } from './font.js';

export { colorAt, hex, viridis, VIRIDIS, GREYS, DIVERGING, PALETTE, makeColormap, type Colormap, type RGB } from './colormap.js';

/** Options of {@link Canvas.line} and {@link Canvas.polyline}. */
export interface StrokeOptions {
  /** Brush size in pixels (a square brush); default 1. */
  width?: number;
  /** Dash pattern `[on, off]` in pixels along the line; default solid. */
  dash?: readonly [number, number];
}

/** Options of {@link Canvas.text}. */
export interface TextOptions {
  /** Integer pixel scale of the 5x7 font; default 1. */
  scale?: number;
  /** Where `x` sits: the text spans [x, x + length) (left, default), is centred on x, or spans [x − length, x) (right). */
  align?: 'left' | 'center' | 'right';
  /** Rotated a quarter turn counter-clockwise (reads bottom to top, for y-axis labels). */
  vertical?: boolean;
}

/** Options of {@link Canvas.image}. */
export interface ImageOptions {
  /** The value drawn as the colormap's first entry; default 0. */
  min?: number;
  /** The value drawn as the colormap's last entry; default 1. */
  max?: number;
  /** Default {@link GREYS} (black to white). */
  colormap?: Colormap;
}

/**
 * An RGB raster for image-like pictures (filters, samples, detections; charts are Vega-Lite specs): rectangles, lines (Bresenham), circles, polylines,
 * text in a built-in 5x7 bitmap font, small images through a colormap, and PNG output. The
 * origin is the top-left pixel; x grows right, y grows down. Drawing outside the canvas (or
 * outside the clip rectangle) is ignored.
 *
 * @example
 * const c = new Canvas(200, 100);
 * c.line(10, 90, 190, 10, hex('#d62728'), { width: 2 });
 * c.text(10, 10, 'loss', BLACK, { scale: 2 });
 * c.savePNG('runs/demo/figure.png');
 */
export class Canvas {
  /** Pixels, row-major, 3 bytes (r, g, b) each. */
  readonly data: Uint8Array;
  private clipRect: { x0: number; y0: number; x1: number; y1: number } | null = null;

  constructor(readonly width: number, readonly height: number, background: RGB = WHITE) {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
      throw new RangeError(`Canvas: width and height must be positive integers, got ${width}x${height}`);
    }
    this.data = new Uint8Array(width * height * 3);
    this.fillRect(0, 0, width, height, background);
  }

  /** Restricts drawing to a rectangle (pass nothing to draw everywhere again). */
  clip(x?: number, y?: number, w?: number, h?: number): this {
    if (x === undefined || y === undefined || w === undefined || h === undefined) this.clipRect = null;
    else this.clipRect = { x0: Math.round(x), y0: Math.round(y), x1: Math.round(x + w), y1: Math.round(y + h) };
    return this;
  }

  /** Sets one pixel (coordinates rounded to the nearest integer). */
  setPixel(x: number, y: number, color: RGB): void {
    const px = Math.round(x);
    const py = Math.round(y);
    if (px < 0 || py < 0 || px >= this.width || py >= this.height) return;
    const c = this.clipRect;
    if (c && (px < c.x0 || py < c.y0 || px >= c.x1 || py >= c.y1)) return;
    const i = 3 * (py * this.width + px);
    this.data[i] = color[0];
    this.data[i + 1] = color[1];
    this.data[i + 2] = color[2];
  }

  /** The colour of one pixel. */
  getPixel(x: number, y: number): RGB {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new RangeError(`getPixel: (${x}, ${y}) is outside the ${this.width}x${this.height} canvas`);
    }
    const i = 3 * (y * this.width + x);
    return [this.data[i]!, this.data[i + 1]!, this.data[i + 2]!];
  }

  /** Fills the rectangle with top-left corner (x, y) and size w x h. */
  fillRect(x: number, y: number, w: number, h: number, color: RGB): this {
    const x0 = Math.round(x);
    const y0 = Math.round(y);
    for (let py = y0; py < y0 + Math.round(h); py++) {
      for (let px = x0; px < x0 + Math.round(w); px++) this.setPixel(px, py, color);
    }
    return this;
  }

  /** Outlines the rectangle with top-left corner (x, y) and size w x h (1 pixel wide). */
  strokeRect(x: number, y: number, w: number, h: number, color: RGB): this {
    const x1 = x + w - 1;
    const y1 = y + h - 1;
    return this.line(x, y, x1, y, color).line(x1, y, x1, y1, color).line(x1, y1, x, y1, color).line(x, y1, x, y, color);
  }

  /** A straight line from (x0, y0) to (x1, y1), both ends included (Bresenham's algorithm). */
  line(x0: number, y0: number, x1: number, y1: number, color: RGB, options: StrokeOptions = {}): this {
    this.stroke(x0, y0, x1, y1, color, options, 0);
    return this;
  }

  /** Connected line segments through `points` ([x, y] pairs); non-finite points break the line. Dashes run on across vertices. */
  polyline(points: readonly (readonly [number, number])[], color: RGB, options: StrokeOptions = {}): this {
    let phase = 0;
    for (let i = 1; i < points.length; i++) {
      const [ax, ay] = points[i - 1]!;
      const [bx, by] = points[i]!;
      if ([ax, ay, bx, by].every(Number.isFinite)) phase = this.stroke(ax, ay, bx, by, color, options, phase);
    }
    return this;
  }

  /** A circle of radius r centred on (cx, cy), filled by default, else a 1-pixel outline. */
  circle(cx: number, cy: number, r: number, color: RGB, fill = true): this {
    const x0 = Math.round(cx);
    const y0 = Math.round(cy);
    const ri = Math.ceil(r + 0.5);
    for (let dy = -ri; dy <= ri; dy++) {
      for (let dx = -ri; dx <= ri; dx++) {
        const d = Math.hypot(dx, dy);
        if (fill ? d <= r + 0.35 : Math.abs(d - r) < 0.5) this.setPixel(x0 + dx, y0 + dy, color);
      }
    }
    return this;
  }

  /** A data point: a filled disc of radius 2 with an optional outline colour. */
  point(x: number, y: number, color: RGB, radius = 2, outline?: RGB): this {
    this.circle(x, y, radius, color, true);
    if (outline) this.circle(x, y, radius + 1, outline, false);
    return this;
  }

  /**
   * Text in the 5x7 bitmap font; (x, y) is the top of the capital letters at the `align` edge
   * (for vertical text, the bottom end of the text at the left of the glyphs). Returns the text's
   * length in pixels.
   */
  text(x: number, y: number, text: string, color: RGB = BLACK, options: TextOptions = {}): number {
    const scale = Math.max(1, Math.round(options.scale ?? 1));
    const length = Canvas.textWidth(text, scale);
    const shift = options.align === 'center' ? length / 2 : options.align === 'right' ? length : 0;
    let pen = Math.round(options.vertical ? y + shift : x - shift);
    for (const ch of text) {
      const rows = glyph(ch);
      rows.forEach((row, r) => {
        for (let c = 0; c < row.length; c++) {
          if (row[c] !== '#') continue;
          if (options.vertical) this.fillRect(x + r * scale, pen - (c + 1) * scale, scale, scale, color);
          else this.fillRect(pen + c * scale, y + r * scale, scale, scale, color);
        }
      });
      pen += (options.vertical ? -1 : 1) * GLYPH_ADVANCE * scale;
    }
    return length;
  }

  /** The length in pixels of `text` drawn at `scale`. */
  static textWidth(text: string, scale = 1): number {
    const n = [...text].length;
    return n === 0 ? 0 : (n * GLYPH_ADVANCE - 1) * scale;
  }

  /**
   * Draws a w x h single-channel image (row-major, e.g. an MNIST digit or a filter) with its
   * top-left corner at (x, y), each value a `scale` x `scale` block coloured through a colormap
   * over [min, max] (default: black 0 to white 1).
   */
  image(x: number, y: number, pixels: ArrayLike<number>, w: number, h: number, scale = 1, options: ImageOptions = {}): this {
    if (pixels.length !== w * h) throw new RangeError(`image: expected ${w}x${h} = ${w * h} values, got ${pixels.length}`);
    const lo = options.min ?? 0;
    const hi = options.max ?? 1;
    const span = hi - lo || 1;
    const map = options.colormap ?? GREYS;
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        this.fillRect(x + c * scale, y + r * scale, scale, scale, colorAt(map, (pixels[r * w + c]! - lo) / span));
      }
    }
    return this;
  }

  /** The canvas encoded as an 8-bit RGB PNG. */
  toPNG(): Buffer {
    const png = new PNG({ width: this.width, height: this.height });
    for (let i = 0, j = 0; i < this.data.length; i += 3, j += 4) {
      png.data[j] = this.data[i]!;
      png.data[j + 1] = this.data[i + 1]!;
      png.data[j + 2] = this.data[i + 2]!;
      png.data[j + 3] = 255;
    }
    return PNG.sync.write(png, { colorType: 2 });
  }

  /**
   * The PNG as a `data:` URL, for a chart's image layer (a Vega-Lite `image` mark), so pixel
   * pictures such as spectrograms sit on a chart's axes.
   */
  toDataURL(): string {
    return `data:image/png;base64,${this.toPNG().toString('base64')}`;
  }

  /** Writes the PNG atomically (a temporary file in the same folder, then a rename); returns `path`. */
  savePNG(path: string): string {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    try {
      writeFileSync(tmp, this.toPNG());
      renameSync(tmp, path);
    } catch (error) {
      rmSync(tmp, { force: true });
      throw error;
    }
    return path;
  }

  /** Decodes a PNG (alpha is dropped) into a canvas. */
  static fromPNG(buffer: Buffer): Canvas {
    const png = PNG.sync.read(buffer);
    const canvas = new Canvas(png.width, png.height);
    for (let i = 0, j = 0; i < canvas.data.length; i += 3, j += 4) {
      canvas.data[i] = png.data[j]!;
      canvas.data[i + 1] = png.data[j + 1]!;
      canvas.data[i + 2] = png.data[j + 2]!;
    }
    return canvas;
  }

  /** Bresenham from (x0, y0) to (x1, y1), the dash pattern starting `phase` steps in; returns the phase at the end. */
  private stroke(x0: number, y0: number, x1: number, y1: number, color: RGB, options: StrokeOptions, phase: number): number {
    const width = Math.max(1, Math.round(options.width ?? 1));
    const [on, off] = options.dash ?? [1, 0];
    let x = Math.round(x0);
    let y = Math.round(y0);
    const xe = Math.round(x1);
    const ye = Math.round(y1);
    const dx = Math.abs(xe - x);
    const dy = -Math.abs(ye - y);
    const sx = x < xe ? 1 : -1;
    const sy = y < ye ? 1 : -1;
    let err = dx + dy;
    for (let step = phase; ; step++) {
      if (off === 0 || step % (on + off) < on) this.brush(x, y, width, color);
      if (x === xe && y === ye) return step;
      const e2 = 2 * err;
      if (e2 >= dy) {
        err += dy;
        x += sx;
      }
      if (e2 <= dx) {
        err += dx;
        y += sy;
      }
    }
  }

  private brush(x: number, y: number, width: number, color: RGB): void {
    if (width === 1) {
      this.setPixel(x, y, color);
      return;
    }
    const half = Math.floor((width - 1) / 2);
    this.fillRect(x - half, y - half, width, width, color);
  }
}
