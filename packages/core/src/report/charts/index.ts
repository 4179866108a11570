/**
 * `@eole/core/charts`: Eole's charts as Vega-Lite specs, with no Node module, so a page draws them
 * with vega (`new View(parse(compile(spec).spec))`, as examples/web's pages do) and Node writes them
 * as PNG with `renderPng` of `@eole/core/report` — one chart
 * grammar for both. Learning curves ({@link curvesChart}), curves and dots ({@link lineChart}),
 * labelled embeddings ({@link scatterChart}) and grids ({@link heatmapChart}).
 *
 * @example
 * import { collectCurves, curvesChart, emptyCurves } from '@eole/core/charts';
 * const curves = emptyCurves();
 * events.forEach((e) => collectCurves(curves, e));
 * const view = new View(parse(compile(curvesChart(curves, 'mnist-mlp')).spec), { renderer: 'svg', container: '#curves' });
 * await view.runAsync(); // vega's View and parse, vega-lite's compile
 *
 * @packageDocumentation
 */
export { CHART_CONFIG, CHART_FONT, SERIES_COLORS, VEGA_LITE_SCHEMA, type ChartSpec, type LayeredPanel, type LayerPanel, type PanelSpec } from './theme.js';
export { lineChart, linePanel, type ChartSeries, type LineChartOptions, type Point, type Range, type SeriesRow } from './lineChart.js';
export { collectCurves, curvesChart, emptyCurves, type Curves } from './curvesChart.js';
export { scatterChart, type ScatterChartOptions, type ScatterRow } from './scatterChart.js';
export { heatmapChart, type HeatmapCell, type HeatmapChartOptions } from './heatmapChart.js';
