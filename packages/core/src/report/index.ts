/**
 * `@eole/core/report`: presentation kept out of core's main entry, so a program that trains without
 * pictures never loads it. Charts are Vega-Lite specs (the builders of `@eole/core/charts`, re-exported
 * here) that {@link renderPng} writes as PNG (vega lays out an SVG, resvg rasterises it with the font
 * core ships); image-like pictures (filters, samples, heatmaps of pixels) are drawn on a small raster
 * {@link Canvas} with colormaps. The stream consumers that present a training run:
 * {@link progressBar} (a terminal bar, or plain lines elsewhere) and {@link plotCurves} (loss and
 * accuracy curves rewritten as a PNG after every epoch).
 *
 * @example
 * import { train } from '@eole/core';
 * import { plotCurves, progressBar } from '@eole/core/report';
 * train(net, criterion, optimizer, data, { epochs: 5 }).pipe(progressBar(), plotCurves('out/curves.png')).subscribe();
 *
 * @packageDocumentation
 */
export { Canvas, type StrokeOptions, type TextOptions, type ImageOptions } from './Canvas.js';
export { hex, colorAt, viridis, makeColormap, WHITE, BLACK, GREY, LIGHT_GREY, PALETTE, VIRIDIS, GREYS, DIVERGING, type RGB, type Colormap } from './colormap.js';
export { glyph, hasGlyph, GLYPH_WIDTH, GLYPH_ADVANCE, GLYPH_HEIGHT, LINE_HEIGHT } from './font.js';
export { progressBar, type ProgressBarOptions, type ProgressMode } from './progressBar.js';
export { plotCurves, type PlotCurvesOptions } from './plotCurves.js';
export * from './charts/index.js';
export { renderSvg, chartPng, renderPng, CHART_FONT_FILE, type RenderPngOptions } from './renderChart.js';
export { ChartFile } from './ChartFile.js';
export { drawChart } from './drawChart.js';
