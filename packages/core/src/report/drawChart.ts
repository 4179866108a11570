import { concat, defer, EMPTY, ignoreElements, tap, type MonoTypeOperatorFunction } from 'rxjs';
import type { ChartSpec } from './charts/theme.js';
import { ChartFile } from './ChartFile.js';

/**
 * An RxJS operator that keeps a PNG chart of a stream up to date: after each value for which
 * `chartOf` returns a spec, the chart is redrawn into `path` (in the background, newest spec wins;
 * see {@link ChartFile}). Values pass through unchanged and at once; completion waits until the last
 * chart is written, and a render error errors the stream there.
 *
 * @example
 * const curves = emptyCurves();
 * train(options).pipe(drawChart('runs/mlp/curves.png', (e) => (collectCurves(curves, e) ? curvesChart(curves) : null)));
 */
export function drawChart<T>(path: string, chartOf: (value: T) => ChartSpec | null): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      const file = new ChartFile(path);
      const drawn = source.pipe(
        tap((value) => {
          const spec = chartOf(value);
          if (spec) file.draw(spec);
        }),
      );
      return concat(drawn, defer(() => file.flush()).pipe(ignoreElements()), EMPTY);
    });
}
