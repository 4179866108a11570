/// <reference lib="dom" />
// Line charts on a plain canvas: the page's loss and accuracy curves.

/** One curve: its name, colour and (x, y) points in data units. */
export interface Series {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
}

/** Axes of a {@link drawChart}: the y range (the x range follows the data) and a title. */
export interface ChartAxes {
  title: string;
  yMin: number;
  yMax: number;
  /** Label of the x axis. */
  xLabel: string;
}

const PAD = { left: 44, right: 10, top: 22, bottom: 28 };

/**
 * Draws `series` on `canvas` with axes, five y ticks, the x range of the data and a legend.
 *
 * @example
 * drawChart(canvas, [{ label: 'loss', color: '#c33', points: [[1, 2.3], [50, 0.6]] }], { title: 'loss', yMin: 0, yMax: 2.5, xLabel: 'step' });
 */
export function drawChart(canvas: HTMLCanvasElement, series: readonly Series[], axes: ChartAxes): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  const xMax = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const px = (x: number): number => PAD.left + (x / xMax) * (w - PAD.left - PAD.right);
  const py = (y: number): number => h - PAD.bottom - ((Math.min(axes.yMax, Math.max(axes.yMin, y)) - axes.yMin) / (axes.yMax - axes.yMin)) * (h - PAD.top - PAD.bottom);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, w, h);
  ctx.font = '11px sans-serif';
  ctx.strokeStyle = '#ddd';
  ctx.fillStyle = '#555';
  ctx.textAlign = 'right';
  for (let i = 0; i <= 4; i++) {
    const y = axes.yMin + ((axes.yMax - axes.yMin) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(PAD.left, py(y));
    ctx.lineTo(w - PAD.right, py(y));
    ctx.stroke();
    ctx.fillText(y.toFixed(axes.yMax - axes.yMin < 2 ? 2 : 1), PAD.left - 4, py(y) + 4);
  }
  ctx.textAlign = 'center';
  ctx.fillText(`${axes.xLabel} (0 – ${xMax})`, (PAD.left + w - PAD.right) / 2, h - 8);
  ctx.textAlign = 'left';
  ctx.font = 'bold 12px sans-serif';
  ctx.fillText(axes.title, PAD.left, 14);
  ctx.font = '11px sans-serif';
  series.forEach((s, k) => {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    s.points.forEach(([x, y], i) => (i === 0 ? ctx.moveTo(px(x), py(y)) : ctx.lineTo(px(x), py(y))));
    ctx.stroke();
    const last = s.points[s.points.length - 1];
    ctx.fillStyle = s.color;
    ctx.fillText(`${s.label}${last ? `: ${last[1].toFixed(3)}` : ''}`, w - PAD.right - 190, 14 + 13 * k);
  });
  ctx.lineWidth = 1;
}
