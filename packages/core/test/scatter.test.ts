import test from 'ava';
import { PNG } from 'pngjs';
import { BLACK, Canvas, hex, PALETTE, scatterPlot, WHITE, type RGB } from '@eole/core/report';

function same(a: RGB, b: RGB): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/** Pixels of `color` inside the rectangle [x0, x1) × [y0, y1). */
function countIn(c: Canvas, color: RGB, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(c.height, y1); y++) for (let x = Math.max(0, x0); x < Math.min(c.width, x1); x++) if (same(c.getPixel(x, y), color)) n++;
  return n;
}

test('scatterPlot: each point lands at its data position in its class colour, through a PNG round trip', (t) => {
  const points = Float32Array.from([-1, -1, 1, 1, 0.5, -0.5, -0.8, 0.9]);
  const labels = Int32Array.from([0, 1, 2, 1]);
  const fig = scatterPlot({ points, labels, title: 'embedding', xLabel: 'z1', yLabel: 'z2', xRange: [-2, 2], yRange: [-2, 2], radius: 3 });
  const decoded = Canvas.fromPNG(fig.toPNG());
  const png = PNG.sync.read(fig.toPNG());
  t.is(png.width, 640);
  t.is(png.height, 560);
  const { axes } = fig;
  for (let i = 0; i < labels.length; i++) {
    const x = Math.round(axes.px(points[2 * i]!));
    const y = Math.round(axes.py(points[2 * i + 1]!));
    const color = PALETTE[labels[i]!]!;
    // The centre and the disc around it (radius 3: at least the 5×5 square inside it) carry the colour.
    t.deepEqual(decoded.getPixel(x, y), color, `point ${i} at (${x}, ${y})`);
    t.is(countIn(decoded, color, x - 2, y - 2, x + 3, y + 3), 25);
  }
  // Data y grows up: the point at y = 1 is drawn above the one at y = −1.
  t.true(axes.py(1) < axes.py(-1));
  // No colour of an absent class inside the plot.
  t.is(countIn(decoded, PALETTE[3]!, axes.box.x, axes.box.y, axes.box.x + axes.box.w, axes.box.y + axes.box.h), 0);
});

test('scatterPlot: the legend right of the plot names each class next to a dot of its colour', (t) => {
  const points = Float32Array.from([0, 0, 1, 1, 2, 0]);
  const labels = [0, 1, 2];
  const fig = scatterPlot({ points, labels, classNames: ['zero', 'one', 'two', 'three'], radius: 2 });
  const { box } = fig.axes;
  const left = box.x + box.w + 20;
  t.true(left < fig.width - 40, 'room for the legend');
  // The legend lists every named class, the absent 'three' included, one 14-pixel row each.
  for (let c = 0; c < 4; c++) {
    const cy = box.y + 10 + 14 * c;
    t.deepEqual(fig.getPixel(left + 14, cy), PALETTE[c]!, `legend dot of class ${c}`);
    t.true(countIn(fig, BLACK, left + 28, cy - 3, fig.width, cy + 5) > 10, `legend text of class ${c}`);
  }
  t.deepEqual(fig.getPixel(left + 1, box.y + 1), WHITE, 'the legend box is white inside');
  const none = scatterPlot({ points, labels, legend: 'none' });
  t.is(countIn(none, PALETTE[0]!, none.axes.box.x + none.axes.box.w + 1, 0, none.width, none.height), 0, 'no legend');
});

test('scatterPlot: equal aspect widens the shorter range about its centre; default ranges hold every point', (t) => {
  const points = Float32Array.from([0, 0, 10, 1, 5, 0.5]);
  const fig = scatterPlot({ points, labels: [0, 0, 1] });
  const { axes } = fig;
  const perPixelX = (axes.xRange[1] - axes.xRange[0]) / (axes.box.w - 1);
  const perPixelY = (axes.yRange[1] - axes.yRange[0]) / (axes.box.h - 1);
  t.true(Math.abs(perPixelX - perPixelY) < 1e-9 * perPixelX, `${perPixelX} vs ${perPixelY}`);
  t.true(Math.abs((axes.yRange[0] + axes.yRange[1]) / 2 - 0.5) < 1e-9, 'centred on the data');
  for (let i = 0; i < 3; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    t.true(x > axes.xRange[0] && x < axes.xRange[1] && y > axes.yRange[0] && y < axes.yRange[1]);
  }
  const stretched = scatterPlot({ points, labels: [0, 0, 1], equalAspect: false });
  t.true(stretched.axes.yRange[1] - stretched.axes.yRange[0] < 2, 'without equal aspect y keeps its own extent');
  const custom = scatterPlot({ points, labels: [0, 0, 1], colors: [hex('#000080'), hex('#800000')], xRange: [0, 10], yRange: [0, 10], equalAspect: false });
  t.deepEqual(custom.getPixel(Math.round(custom.axes.px(5)), Math.round(custom.axes.py(0.5))), hex('#800000'));
});

test('scatterPlot: non-finite points are skipped; bad shapes and labels are named', (t) => {
  const fig = scatterPlot({ points: [0, 0, Number.NaN, 1, 1, Number.POSITIVE_INFINITY], labels: [0, 1, 2] });
  t.true(Number.isFinite(fig.axes.xRange[0]) && Number.isFinite(fig.axes.yRange[1]));
  t.throws(() => scatterPlot({ points: [0, 0, 1], labels: [0, 1] }), { message: /points must hold 2 values per label \(shape \[2, 2\] = 4 values\), got 3/ });
  t.throws(() => scatterPlot({ points: [0, 0, 1, 1], labels: [0, 1.5] }), { message: /labels\[1\] must be an integer in \[0, 2\), got 1.5/ });
  t.throws(() => scatterPlot({ points: [0, 0, 1, 1], labels: [0, 3], classNames: ['a', 'b'] }), { message: /labels\[1\] must be an integer in \[0, 2\), got 3/ });
  t.throws(() => scatterPlot({ points: [0, 0], labels: [-1] }), { message: /labels\[0\] must be an integer/ });
  t.throws(() => scatterPlot({ points: [0, 0], labels: [0], width: 120, height: 80 }), { message: /leaves no room/ });
});
