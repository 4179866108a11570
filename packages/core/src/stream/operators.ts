import { Observable, type MonoTypeOperatorFunction, type OperatorFunction } from 'rxjs';
import { Tensor } from '../tensor/Tensor.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Generator } from '../random/Generator.js';
import type { Module } from '../nn/Module.js';
import { noGrad } from '../autograd/gradMode.js';
import { currentConsumer, currentGate, Gate, withConsumer, withGate } from './Gate.js';
import { yieldTurn } from './sources.js';

/** A sample: named fields, each a tensor, a flat array or a number (a label). */
export type Sample = Record<string, Tensor | Float32Array | number>;

/** A batch of samples: each field stacked along a new first axis. */
export type Batched<S extends Sample> = { [K in keyof S]: Tensor };

/**
 * Emits the upstream items in a random order drawn from `rng`, a new order on every subscription
 * (every epoch). It holds one epoch of items (indices or small records, typically), then emits
 * them one at a time, honouring a downstream `prefetch`.
 *
 * @example
 * fromArray(indices).pipe(shuffle(rng), map(toSample), batch(32))
 */
export function shuffle<T>(rng: Generator): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const gate = currentGate();
      const items: T[] = [];
      let stopped = false;
      const emit = async (): Promise<void> => {
        const order = rng.permutation(items.length);
        for (const i of order) {
          const wait = gate?.acquire();
          if (wait) await wait;
          if (stopped) return;
          subscriber.next(items[i]!);
        }
        subscriber.complete();
      };
      const upstream = withGate(null, () =>
        source.subscribe({
          next: (v) => items.push(v),
          error: (e) => subscriber.error(e),
          complete: () => void emit().catch((e) => subscriber.error(e)),
        }),
      );
      return () => {
        stopped = true;
        upstream.unsubscribe();
      };
    });
}

/**
 * Stacks every `size` samples into one batch: a number field becomes a [n] tensor, a
 * Float32Array of length L an [n, L] tensor, a tensor of shape S an [n, ...S] tensor. The last,
 * smaller batch is kept unless `dropLast`. Fields must agree in shape across samples.
 *
 * @example
 * samples$.pipe(batch(32)) // Observable<{ x: Tensor [32, 784], y: Tensor [32] }>
 */
export function batch<S extends Sample>(size: number, options: { dropLast?: boolean } = {}): OperatorFunction<S, Batched<S>> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch: size must be a positive integer, got ${size}`);
  return (source) =>
    new Observable<Batched<S>>((subscriber) => {
      let pending: S[] = [];
      const emitStacked = (samples: S[]): boolean => {
        let stacked: Batched<S>;
        try {
          stacked = stack(samples);
        } catch (error) {
          subscriber.error(error);
          return false;
        }
        subscriber.next(stacked);
        return true;
      };
      return source.subscribe({
        next: (sample) => {
          pending.push(sample);
          if (pending.length < size) return;
          const full = pending;
          pending = [];
          emitStacked(full);
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          if (pending.length > 0 && !options.dropLast && !emitStacked(pending)) return;
          subscriber.complete();
        },
      });
    });
}

/** Stacks samples field by field. */
export function stack<S extends Sample>(samples: readonly S[]): Batched<S> {
  const first = samples[0]!;
  const out: Record<string, Tensor> = {};
  for (const key of Object.keys(first)) {
    const shape = fieldShape(first[key]!);
    const width = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(samples.length * width);
    samples.forEach((s, i) => {
      const v = s[key];
      if (v === undefined) throw new ShapeError('batch', `sample ${i} has no field '${key}'`);
      const vs = fieldShape(v);
      if (vs.length !== shape.length || vs.some((d, j) => d !== shape[j])) {
        throw new ShapeError('batch', `sample ${i} field '${key}' has shape ${fmt(vs)}, expected ${fmt(shape)} like sample 0`);
      }
      if (typeof v === 'number') data[i] = v;
      else data.set(v instanceof Tensor ? v.data : v, i * width);
    });
    out[key] = new Tensor(data, [samples.length, ...shape]);
  }
  return out as Batched<S>;
}

function fieldShape(v: Tensor | Float32Array | number): number[] {
  if (typeof v === 'number') return [];
  if (v instanceof Tensor) return [...v.shape];
  return [v.length];
}

/**
 * Bounded read-ahead with pull-based backpressure: upstream Eole sources produce only while fewer
 * than `k` items wait for the consumer, so a fast producer never runs more than `k` items (batches,
 * when placed after `batch`) ahead. A consumer that pulls (`pull`, `train`) marks an item consumed
 * when it takes it; a plain subscriber consumes an item when its `next` returns.
 *
 * @example
 * const batches = samples$.pipe(batch(32), prefetch(4));
 */
export function prefetch<T>(k: number): MonoTypeOperatorFunction<T> {
  return (source) =>
    new Observable<T>((subscriber) => {
      const gate = new Gate(k);
      const consumer = currentConsumer();
      consumer?.register(gate);
      const upstream = withConsumer(null, () =>
        withGate(gate, () =>
          source.subscribe({
            next: (v) => {
              gate.produced();
              subscriber.next(v);
              if (!consumer) gate.consumed();
            },
            error: (e) => subscriber.error(e),
            complete: () => subscriber.complete(),
          }),
        ),
      );
      return () => {
        gate.open();
        upstream.unsubscribe();
      };
    });
}

/**
 * Pulls an Observable as an async iterator, one item per `next()`: the pulling end of a pipeline
 * (what `train` uses). Taking an item tells an upstream `prefetch` it was consumed; leaving the
 * loop early (`break`, `return`) unsubscribes, which stops the producer.
 *
 * @example
 * for await (const b of pull(batches)) step(b);
 */
export async function* pull<T>(source: Observable<T>): AsyncGenerator<T> {
  const queue: T[] = [];
  let done = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  const gates: Gate[] = [];
  const signal = (): void => {
    wake?.();
    wake = null;
  };
  const subscription = withConsumer({ register: (g) => gates.push(g) }, () =>
    source.subscribe({
      next: (v) => {
        queue.push(v);
        signal();
      },
      error: (e) => {
        failure = { error: e };
        signal();
      },
      complete: () => {
        done = true;
        signal();
      },
    }),
  );
  try {
    for (;;) {
      if (queue.length > 0) {
        const item = queue.shift()!;
        for (const g of gates) g.consumed();
        yield item;
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if (done) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    subscription.unsubscribe();
  }
}

/**
 * Runs a module on every item, without recording the graph (inference in a pipeline). Items are
 * tensors, or batches whose `x` field is the input (the output is added as `output`).
 *
 * @example
 * batches$.pipe(forward(net)) // each batch gains `output`
 */
export function forward(net: Module): <T extends Tensor | { x: Tensor }>(source: Observable<T>) => Observable<T extends Tensor ? Tensor : T & { output: Tensor }> {
  return (source) =>
    new Observable((subscriber) =>
      source.subscribe({
        next: (item) => {
          try {
            const out = noGrad(() => net.forward(item instanceof Tensor ? item : item.x));
            subscriber.next((item instanceof Tensor ? out : { ...item, output: out }) as never);
          } catch (error) {
            subscriber.error(error);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

export { yieldTurn };
