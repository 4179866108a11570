import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { BLACK, Canvas, colorAt, glyph, GLYPH_ADVANCE, GREYS, hex, VIRIDIS, WHITE, type RGB } from '@eole/core/report';
import { tempDir } from '@eole/core/testing';

const RED = hex('#ff0000');

function count(c: Canvas, color: RGB): number {
  let n = 0;
  for (let i = 0; i < c.data.length; i += 3) if (c.data[i] === color[0] && c.data[i + 1] === color[1] && c.data[i + 2] === color[2]) n++;
  return n;
}

function setCells(rows: readonly string[]): number {
  return rows.join('').split('').filter((ch) => ch === '#').length;
}

test('text sets exactly the glyphs\' pixels, at the pen positions', (t) => {
  const c = new Canvas(40, 20);
  const width = c.text(2, 3, 'A1', BLACK);
  t.is(width, Canvas.textWidth('A1'));
  t.is(width, 2 * GLYPH_ADVANCE - 1);
  t.is(count(c, BLACK), setCells(glyph('A')) + setCells(glyph('1')));
  // 'A' row 3 is '#####', so x = 2..6 at y = 6 are set; its top-left corner is not.
  for (let x = 2; x <= 6; x++) t.deepEqual(c.getPixel(x, 6), BLACK);
  t.deepEqual(c.getPixel(2, 3), WHITE);
  // '1' starts one advance to the right: its row 0 is '..#..'.
  t.deepEqual(c.getPixel(2 + GLYPH_ADVANCE + 2, 3), BLACK);
});

test('text: scale, alignment, vertical text, and a box for missing glyphs', (t) => {
  const a = new Canvas(60, 30);
  a.text(1, 1, 'E', BLACK, { scale: 3 });
  t.is(count(a, BLACK), 9 * setCells(glyph('E')));
  const b = new Canvas(60, 20);
  b.text(59, 2, 'E', BLACK, { align: 'right' });
  t.deepEqual(b.getPixel(58, 2), BLACK, 'right-aligned text ends just left of x');
  t.deepEqual(b.getPixel(54, 2), BLACK);
  t.deepEqual(b.getPixel(59, 2), WHITE);
  const v = new Canvas(20, 40);
  v.text(2, 30, 'L', BLACK, { vertical: true });
  t.is(count(v, BLACK), setCells(glyph('L')));
  // 'L' is a left column and a bottom row; turned a quarter counter-clockwise from (2, 30), the column
  // lies along y = 29 (x = 2..8) and the bottom row along x = 8 (y = 25..29).
  for (let x = 2; x <= 8; x++) t.deepEqual(v.getPixel(x, 29), BLACK);
  for (let y = 25; y <= 29; y++) t.deepEqual(v.getPixel(8, y), BLACK);
  const m = new Canvas(10, 10);
  m.text(0, 0, '\u2603', BLACK);
  t.is(count(m, BLACK), 5 * 2 + 5 * 2, 'a 5x7 box outline');
});

test('line: both endpoints set, one pixel per step of the longer axis, any direction', (t) => {
  for (const [x0, y0, x1, y1] of [
    [3, 4, 50, 17],
    [50, 17, 3, 4],
    [10, 2, 14, 38],
    [20, 20, 20, 20],
  ] as const) {
    const c = new Canvas(60, 40);
    c.line(x0, y0, x1, y1, RED);
    t.deepEqual(c.getPixel(x0, y0), RED);
    t.deepEqual(c.getPixel(x1, y1), RED);
    t.is(count(c, RED), Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0)) + 1);
  }
});

test('line: width, dashes and the clip rectangle', (t) => {
  const wide = new Canvas(30, 30);
  wide.line(5, 10, 24, 10, RED, { width: 3 });
  t.is(count(wide, RED), (20 + 2) * 3, 'a 3x3 square brush, so one pixel past each end');
  const dashed = new Canvas(30, 5);
  dashed.line(0, 2, 29, 2, RED, { dash: [4, 2] });
  t.is(count(dashed, RED), 20);
  t.deepEqual(dashed.getPixel(4, 2), WHITE);
  const clipped = new Canvas(30, 30);
  clipped.clip(10, 10, 5, 5).line(0, 12, 29, 12, RED).clip().line(0, 20, 29, 20, RED);
  t.is(count(clipped, RED), 5 + 30);
  t.deepEqual(clipped.getPixel(9, 12), WHITE);
});

test('circle, point, fillRect, polyline and image', (t) => {
  const c = new Canvas(40, 40);
  c.circle(20, 20, 5, RED);
  t.deepEqual(c.getPixel(20, 20), RED);
  t.deepEqual(c.getPixel(25, 20), RED);
  t.deepEqual(c.getPixel(24, 24), WHITE);
  const ring = new Canvas(40, 40).circle(20, 20, 8, RED, false);
  t.deepEqual(ring.getPixel(20, 20), WHITE);
  t.deepEqual(ring.getPixel(28, 20), RED);
  const r = new Canvas(10, 10).fillRect(2, 3, 4, 5, RED);
  t.is(count(r, RED), 20);
  const p = new Canvas(30, 30).polyline([[1, 1], [10, 1], [10, 20], [Number.NaN, 5], [1, 20]], RED);
  t.is(count(p, RED), 10 + 20 - 1, 'a NaN point breaks the line');
  const img = new Canvas(10, 10).image(1, 1, Float32Array.from([0, 1, 0.5, 2]), 2, 2, 3);
  t.deepEqual(img.getPixel(1, 1), BLACK);
  t.deepEqual(img.getPixel(6, 3), WHITE);
  t.deepEqual(img.getPixel(1, 4), colorAt(GREYS, 0.5));
  t.deepEqual(img.getPixel(6, 6), WHITE, 'values above max are clipped');
  t.throws(() => img.image(0, 0, new Float32Array(3), 2, 2), { message: /expected 2x2 = 4 values, got 3/ });
});

test('PNG round trip keeps the size and every pixel; savePNG leaves no temporary file', (t) => {
  const c = new Canvas(37, 21);
  c.line(0, 0, 36, 20, RED).text(2, 10, 'ok', BLACK);
  const buffer = c.toPNG();
  const png = PNG.sync.read(buffer);
  t.is(png.width, 37);
  t.is(png.height, 21);
  t.deepEqual(Canvas.fromPNG(buffer).data, c.data);
  const dir = join(tempDir('canvas'), 'nested', 'dir');
  const path = c.savePNG(join(dir, 'figure.png'));
  t.true(existsSync(path));
  t.deepEqual(readdirSync(dir), ['figure.png']);
  t.true(readFileSync(path).equals(buffer));
});

test('colormaps: 256 entries from their anchors, viridis gets lighter', (t) => {
  t.is(VIRIDIS.table.length, 256 * 3);
  t.deepEqual(colorAt(VIRIDIS, 0), hex('#440154'));
  t.deepEqual(colorAt(VIRIDIS, 1), hex('#fde725'));
  t.deepEqual(colorAt(VIRIDIS, -3), colorAt(VIRIDIS, 0));
  const luma = (c: RGB): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];
  const l = [0, 0.25, 0.5, 0.75, 1].map((v) => luma(colorAt(VIRIDIS, v)));
  t.true(l.every((v, i) => i === 0 || v > l[i - 1]!), `luma ${l.join(', ')}`);
  t.throws(() => hex('blue'), { message: /expected a colour like/ });
});
