import type { ChartSpec } from '@eole/core/charts';
import type { Spec } from 'vega';

/** Vega-Lite's `compile`: a Vega-Lite spec as the Vega spec a `vega.View` runs. */
export function compile(spec: ChartSpec): { spec: Spec };
