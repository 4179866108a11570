import { Observable } from 'rxjs';
import { currentGate } from './Gate.js';

/**
 * An Observable over any iterable or async iterable, produced lazily: one item per turn of the
 * event loop, waiting at the gate of a downstream `prefetch(k)` before each, so a slow consumer
 * is never flooded. A new subscription (a new epoch) iterates afresh when `items` is a function.
 *
 * @example
 * fromIterable(() => readLines('data.txt')).pipe(map(parse), batch(32), prefetch(4));
 */
export function fromIterable<T>(items: Iterable<T> | AsyncIterable<T> | (() => Iterable<T> | AsyncIterable<T>)): Observable<T> {
  return new Observable<T>((subscriber) => {
    const gate = currentGate();
    let stopped = false;
    const run = async (): Promise<void> => {
      const source = typeof items === 'function' ? items() : items;
      const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
      try {
        for (;;) {
          const wait = gate?.acquire();
          if (wait) await wait;
          else await yieldTurn();
          if (stopped) break;
          const next = await iterator.next();
          if (next.done || stopped) break;
          subscriber.next(next.value);
        }
        if (!stopped) subscriber.complete();
      } catch (error) {
        if (!stopped) subscriber.error(error);
      } finally {
        if (stopped) await iterator.return?.();
      }
    };
    void run();
    return () => {
      stopped = true;
    };
  });
}

/** An Observable over the elements of an array (or array-like), lazily, honouring backpressure. */
export function fromArray<T>(items: ArrayLike<T>): Observable<T> {
  return fromIterable(function* () {
    for (let i = 0; i < items.length; i++) yield items[i]!;
  });
}

/** Lets the event loop run (I/O, timers, an unsubscribe) between two items. */
export function yieldTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
