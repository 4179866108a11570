import type { Config } from 'vega-lite';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';

/** The font family every chart names; Node renders it from the DejaVu Sans file core ships with. */
export const CHART_FONT = 'DejaVu Sans';

/** Ten distinguishable series colours (the matplotlib "tab10" cycle), as CSS colours. */
export const SERIES_COLORS: readonly string[] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** The Vega-Lite config of every Eole chart: white background, one font, light grid. */
export const CHART_CONFIG: Config = {
  font: CHART_FONT,
  background: 'white',
  padding: 8,
  view: { stroke: '#888' },
  axis: { gridColor: '#e1e1e1', labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 360 },
  title: { fontSize: 14, anchor: 'middle' },
};

/** Vega-Lite's schema address, written into each spec so other tools (the online editor) read it. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A complete Vega-Lite spec, as `vegaLite.compile` (then a `vega.View` in a page) and `renderPng` take it. */
export type { TopLevelSpec as ChartSpec } from 'vega-lite';

/** A Vega-Lite spec without `$schema` and `config`: a panel of a composed chart (`hconcat`, `layer`). */
export type { NonNormalizedSpec as PanelSpec } from 'vega-lite/types_unstable/spec/index.js';

/** One layer of a layered chart: a single mark, or a stack of layers (the overlays of a heatmap). */
export type LayerPanel = LayerSpec<Field> | UnitSpec<Field>;

/** A stack of layers on shared axes (what `linePanel` builds): a panel of `hconcat`, or a chart with `$schema` and `config` added. */
export type LayeredPanel = LayerSpec<Field>;
