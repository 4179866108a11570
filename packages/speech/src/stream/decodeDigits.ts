import { Observable, type OperatorFunction } from 'rxjs';
import { DigitDecoder, resolveDecoderOptions, type DecodedDigit, type DigitDecoderOptions, type FramePosterior } from './DigitDecoder.js';

/**
 * Decodes per-frame posteriors into digits with a {@link DigitDecoder} (energy-based silence rule
 * with a local noise floor, then posterior peaks with non-maximum suppression in time, or the
 * segment's energy centroid). Each digit is emitted as soon as it is decided: once `minGap` silent
 * frames follow its segment and the floor's look-ahead (`floorRadius` frames) has passed them, or
 * when the stream ends. The audio-to-digit pipeline, one `.pipe`:
 *
 * @example
 * chunks$.pipe(mfccFrames(8000, DIGIT_MFCC), slidingWindows(40), framePosteriors(net), decodeDigits())
 *   .subscribe((d) => console.log(d.digit, d.time.toFixed(2)));
 */
export function decodeDigits(options: DigitDecoderOptions = {}): OperatorFunction<FramePosterior, DecodedDigit> {
  resolveDecoderOptions(options);
  return (source) =>
    new Observable<DecodedDigit>((subscriber) => {
      const decoder = new DigitDecoder(options);
      const emit = (digits: DecodedDigit[]): void => {
        for (const d of digits) if (!subscriber.closed) subscriber.next(d);
      };
      return source.subscribe({
        next: (p) => {
          try {
            emit(decoder.push(p));
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          emit(decoder.flush());
          subscriber.complete();
        },
      });
    });
}
