/// <reference lib="dom" />
// The first layer's filters as pixels, redrawn as they learn.

/**
 * Draws `count` square filters of side `k` (weights [count, 1, k, k], flat) side by side on
 * `canvas`, each scaled to its own range (black lowest, white highest), `zoom` pixels per weight.
 *
 * @example
 * drawFilters(canvas, trainer.c1.weight.data, 6, 5, 12);
 */
export function drawFilters(canvas: HTMLCanvasElement, weights: Float32Array, count: number, k: number, zoom: number): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const gap = 6;
  canvas.width = count * (k * zoom + gap) - gap;
  canvas.height = k * zoom;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (let f = 0; f < count; f++) {
    const w = weights.subarray(f * k * k, (f + 1) * k * k);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of w) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    const span = hi - lo || 1;
    for (let i = 0; i < k * k; i++) {
      const g = Math.round(((w[i]! - lo) / span) * 255);
      ctx.fillStyle = `rgb(${g},${g},${g})`;
      ctx.fillRect(f * (k * zoom + gap) + (i % k) * zoom, Math.floor(i / k) * zoom, zoom, zoom);
    }
  }
}
