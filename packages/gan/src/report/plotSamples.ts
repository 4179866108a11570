import { existsSync, readFileSync } from 'node:fs';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { writeFileAtomic, type Tensor, type TrainEvent } from '@eole/core';
import { imageGrid } from './imageGrid.js';

/** Options of {@link plotSamples}. */
export interface PlotSamplesOptions {
  /** The strip: one row per epoch of the first `stripCols` samples (default `<path>` with `-strip.png`). */
  strip?: string;
  /** Samples per strip row (default 10). */
  stripCols?: number;
  /** Grid columns (default 10). */
  cols?: number;
  /** The JSON file that keeps the strip's rows for a resumed run (default: the strip with `.json`). */
  store?: string;
  /** Image height and width (default 28 × 28). */
  size?: readonly [number, number];
  title?: string;
}

interface StripRow {
  epoch: number;
  pixels: number[];
}

/**
 * Draws samples from fixed noise after every epoch, passing events through: `path` holds the
 * current grid of `sample()`'s images, and the strip one row per epoch (epoch 0, before training,
 * first) of the first samples, so one picture shows the generator learning, like LeNet's filter
 * strip. The strip's rows are kept in a JSON file so a resumed run draws the earlier epochs. The
 * samples are computed synchronously after the epoch event (the generator as it ended the epoch).
 *
 * @example
 * adversarialTrain(options).pipe(plotSamples('runs/dcgan/samples.png', () => generator.evaluate().forward(fixedNoise)));
 */
export function plotSamples(path: string, sample: () => Tensor, options: PlotSamplesOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  const strip = options.strip ?? path.replace(/\.png$/, '') + '-strip.png';
  const store = options.store ?? strip.replace(/\.png$/, '') + '.json';
  const stripCols = options.stripCols ?? 10;
  const [h, w] = options.size ?? [28, 28];
  return (source) =>
    new Observable<TrainEvent>((subscriber) => {
      let rows: StripRow[] = [];
      const draw = (epoch: number): void => {
        const images = sample();
        const n = images.shape[0]!;
        imageGrid(images.data, n, h, w, { cols: options.cols ?? 10, title: `${options.title ?? 'samples'}, epoch ${epoch}` }).savePNG(path);
        const k = Math.min(stripCols, n);
        rows = [...rows.filter((r) => r.epoch < epoch), { epoch, pixels: Array.from(images.data.subarray(0, k * h * w)) }];
        const all = rows.flatMap((r) => r.pixels);
        imageGrid(all, rows.length * k, h, w, { cols: k, rowLabels: rows.map((r) => `ep ${r.epoch}`), title: options.title ?? 'samples from fixed noise' }).savePNG(strip);
        writeFileAtomic(store, new TextEncoder().encode(JSON.stringify(rows)));
      };
      return source.subscribe({
        next: (event) => {
          try {
            if (event.type === 'start') {
              rows = event.startEpoch > 1 && existsSync(store) ? (JSON.parse(readFileSync(store, 'utf8')) as StripRow[]).filter((r) => r.epoch < event.startEpoch) : [];
              if (event.startEpoch === 1) draw(0);
            }
            subscriber.next(event);
            if (event.type === 'epoch') draw(event.epoch);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}
