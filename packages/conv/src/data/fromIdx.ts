import type { Observable } from 'rxjs';
import { fromIterable, readMnistIdx } from '@eole/core';

/** One MNIST-style sample: the image as a flat row of pixels in [0, 1], and its class index. */
// A type alias, not an interface, so that it satisfies `Sample`'s index signature (for `batch`).
export type DigitSample = { x: Float32Array; y: number };

/**
 * A file source: the samples of an MNIST pair in the IDX format (images magic 0x00000803, labels
 * 0x00000801, plain or gzipped), `{ x: Float32Array(rows·cols) in [0, 1], y }`, one at a time and
 * honouring a downstream `prefetch`. The files are read and validated (see `readMnistIdx`) when the
 * Observable is subscribed, afresh for every subscription (every epoch); a bad file ends the stream
 * with an error naming it.
 *
 * @example
 * const test$ = fromIdx('t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz').pipe(batch(1000));
 * const metrics = await evaluateBatches(net, new ClassNLLCriterion(), test$);
 */
export function fromIdx(imagesPath: string, labelsPath: string): Observable<DigitSample> {
  return fromIterable(function* () {
    const { images, labels } = readMnistIdx(imagesPath, labelsPath);
    const [n, width] = images.shape as [number, number];
    for (let i = 0; i < n; i++) yield { x: images.data.subarray(i * width, (i + 1) * width), y: labels.data[i]! };
  });
}
