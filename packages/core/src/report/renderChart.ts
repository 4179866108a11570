import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { parse, View } from 'vega';
import { compile } from 'vega-lite';
import { writeFileAtomic } from '../io/writeFileAtomic.js';
import { CHART_FONT, type ChartSpec } from './charts/theme.js';

/** Options of {@link chartPng} and {@link renderPng}. */
export interface RenderPngOptions {
  /** Pixels per SVG unit; default 1.5 (a 520-wide plot gives a PNG about 900 pixels wide). */
  scale?: number;
}

/** The TrueType file charts are drawn with: DejaVu Sans from the `dejavu-fonts-ttf` package (free licence). */
export const CHART_FONT_FILE: string = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');

/**
 * A Vega-Lite spec as SVG text: Vega-Lite compiles it to Vega, a headless Vega `View` (renderer
 * `none`) lays it out and writes the SVG. Text widths are Vega's estimates (no canvas in Node).
 *
 * @example
 * const svg = await renderSvg(lineChart({ series: [{ name: 'loss', points: [[1, 0.5], [2, 0.3]] }] }));
 * svg.includes('loss'); // true
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * A Vega-Lite spec as PNG bytes: {@link renderSvg}, then resvg rasterises the SVG with the font
 * file core ships ({@link CHART_FONT_FILE}) and no system font, so the picture is the same on every
 * machine, fonts installed or not.
 *
 * @example
 * writeFileSync('loss.png', await chartPng(spec));
 */
export async function chartPng(spec: ChartSpec, options: RenderPngOptions = {}): Promise<Buffer> {
  const svg = await renderSvg(spec);
  const resvg = new Resvg(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: options.scale ?? 1.5 },
    font: { fontFiles: [CHART_FONT_FILE], loadSystemFonts: false, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
  });
  return resvg.render().asPng();
}

/**
 * Renders a Vega-Lite spec to a PNG file, written atomically (a temporary file, then a rename),
 * its folder made when missing; returns `path`.
 *
 * @example
 * await renderPng(curvesChart(curves, 'mnist-mlp'), 'runs/mnist-mlp/curves.png');
 */
export async function renderPng(spec: ChartSpec, path: string, options: RenderPngOptions = {}): Promise<string> {
  const png = await chartPng(spec, options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, png);
  return path;
}
