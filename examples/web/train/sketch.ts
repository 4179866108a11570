/// <reference lib="dom" />
// A canvas to draw a digit on with the mouse, and the MNIST preprocessing of what was drawn.

/** Width in canvas pixels of the pen (the canvas is 280×280: 10 canvas pixels per MNIST pixel). */
export const PEN_WIDTH = 20;

/**
 * Turns a drawing (ink in [0, 1], `side`×`side`, row-major) into an MNIST digit as the dataset
 * was made (LeCun et al. 1998): the ink's bounding box scaled so its longer side is 20 pixels (by
 * averaging the canvas pixels under each target pixel), then placed in a 28×28 image with its
 * centre of mass at the centre. Returns null when nothing was drawn.
 *
 * @example
 * const digit = toMnist(ink, 280); // Float32Array(784) or null
 */
export function toMnist(ink: Float32Array, side: number): Float32Array | null {
  let [x0, y0, x1, y1] = [side, side, -1, -1];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (ink[y * side + x]! > 0.05) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  if (x1 < 0) return null;
  const box = Math.max(x1 - x0, y1 - y0) + 1;
  const left = (x0 + x1 + 1) / 2 - box / 2;
  const top = (y0 + y1 + 1) / 2 - box / 2;
  const small = new Float32Array(400);
  const hits = new Float32Array(400);
  for (let y = Math.max(0, Math.floor(top)); y < Math.min(side, Math.ceil(top + box)); y++) {
    for (let x = Math.max(0, Math.floor(left)); x < Math.min(side, Math.ceil(left + box)); x++) {
      const i = Math.min(19, Math.floor(((y - top) / box) * 20));
      const j = Math.min(19, Math.floor(((x - left) / box) * 20));
      if (i < 0 || j < 0) continue;
      small[i * 20 + j] += ink[y * side + x]!;
      hits[i * 20 + j] += 1;
    }
  }
  let [mass, cy, cx, peak] = [0, 0, 0, 0];
  small.forEach((v, k) => {
    const value = hits[k]! > 0 ? v / hits[k]! : 0;
    small[k] = value;
    [mass, cy, cx, peak] = [mass + value, cy + value * Math.floor(k / 20), cx + value * (k % 20), Math.max(peak, value)];
  });
  const dy = Math.round(14 - cy / mass - 0.5);
  const dx = Math.round(14 - cx / mass - 0.5);
  const out = new Float32Array(784);
  small.forEach((v, k) => {
    const y = Math.floor(k / 20) + dy;
    const x = (k % 20) + dx;
    if (y >= 0 && y < 28 && x >= 0 && x < 28) out[y * 28 + x] = v / peak;
  });
  return out;
}

/**
 * The drawing canvas: white ink on black like MNIST, drawn with the mouse (or a pen or finger
 * through pointer events); calls `onChange` with the 28×28 digit after every stroke.
 *
 * @example
 * const pad = new SketchPad(canvas, (digit) => digit && showScores(digit));
 * pad.clear();
 */
export class SketchPad {
  /** Strokes drawn since the page opened (a stroke ends when the button is released). */
  strokes = 0;
  private last: [number, number] | null = null;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (digit: Float32Array | null) => void,
  ) {
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      this.last = this.at(e);
      this.line(this.last, this.last);
    });
    canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const next = this.at(e);
      this.line(this.last, next);
      this.last = next;
    });
    const end = (): void => {
      if (!this.last) return;
      this.last = null;
      this.strokes++;
      this.onChange(this.digit());
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointerleave', end);
    this.clear();
  }

  /** Wipes the canvas. */
  clear(): void {
    const ctx = this.context();
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.onChange(null);
  }

  /** What is drawn, as an MNIST digit (null when the canvas is empty). */
  digit(): Float32Array | null {
    const side = this.canvas.width;
    const rgba = this.context().getImageData(0, 0, side, side).data;
    const ink = new Float32Array(side * side);
    for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4]! / 255;
    return toMnist(ink, side);
  }

  private at(e: PointerEvent): [number, number] {
    const r = this.canvas.getBoundingClientRect();
    return [((e.clientX - r.left) / r.width) * this.canvas.width, ((e.clientY - r.top) / r.height) * this.canvas.height];
  }

  private line(from: [number, number], to: [number, number]): void {
    const ctx = this.context();
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = 'round';
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(to[0], to[1]);
    ctx.stroke();
  }

  private context(): CanvasRenderingContext2D {
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('SketchPad: no 2d context');
    return ctx;
  }
}
