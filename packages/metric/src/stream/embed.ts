import { Observable } from 'rxjs';
import { concat, describeValue, formatShape, Module, noGrad, ShapeError, Tensor } from '@eole/core';
import { checkCount } from '../validation/check.js';

/** A batch that {@link embed} maps: inputs `x`, optional labels `y` (core's `Batch` fits). */
export interface EmbedInput {
  x: Tensor;
  y?: Tensor;
}

/** What {@link embed} emits for a batch: the net's outputs and the batch's labels (its `y`). */
export interface Embedded {
  embeddings: Tensor;
  labels?: Tensor;
}

/** Options of {@link embed}. */
export interface EmbedOptions {
  /** Rows per forward pass: a larger item is embedded in slices of this many rows (default: whole items). */
  batchSize?: number;
}

/** The output type of {@link embed} for an input item type. */
export type EmbedOutput<T> = T extends Tensor ? Tensor : Embedded;

/** Every module of a tree with its training flag, to put back afterwards. */
function trainingStates(net: Module): [Module, boolean][] {
  const out: [Module, boolean][] = [[net, net.training]];
  for (const child of net.children()) out.push(...trainingStates(child));
  return out;
}

/** net(x) in evaluation mode without the graph, in slices of `batchSize` rows; restores every module's mode. */
function embedTensor(net: Module, x: Tensor, batchSize: number | undefined): Tensor {
  if (!(x instanceof Tensor)) throw new TypeError(`embed: each item must be a Tensor or a batch { x: Tensor, y? }, got x = ${describeValue(x)}`);
  const saved = trainingStates(net);
  net.evaluate();
  try {
    return noGrad(() => {
      const n = x.shape[0] ?? 1;
      if (batchSize === undefined || x.ndim === 0 || n <= batchSize) return net.forward(x).detach();
      const parts: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) parts.push(net.forward(x.narrow(0, start, Math.min(batchSize, n - start))));
      return concat(parts, 0);
    });
  } finally {
    for (const [m, on] of saved) m.training = on;
  }
}

/**
 * An RxJS operator that maps a stream to embeddings G_W(x) of a trained net (DESIGN.md, layer 6:
 * packages expose their stages as operators): a tensor item becomes its embedding tensor; a batch
 * `{ x, y? }` becomes `{ embeddings: net(x), labels: y }` (x is dropped, so a long stream does not
 * hold its inputs). It runs like core's `forward(net)` operator, without recording the graph, but
 * also in evaluation mode (Dropout off, BatchNorm on running statistics), restoring each module's
 * train/evaluate mode after every item. `batchSize` slices large items to bound memory.
 *
 * @example
 * const { embeddings, labels } = await collectEmbeddings(testBatches$.pipe(embed(net)));
 * const index = new NearestNeighbors(embeddings, labels);
 */
export function embed(net: Module, options: EmbedOptions = {}): <T extends Tensor | EmbedInput>(source: Observable<T>) => Observable<EmbedOutput<T>> {
  if (!(net instanceof Module)) throw new TypeError(`embed: net must be a Module, got ${describeValue(net)}`);
  const batchSize = options.batchSize === undefined ? undefined : checkCount('embed', 'batchSize', options.batchSize);
  return <T extends Tensor | EmbedInput>(source: Observable<T>) =>
    new Observable<EmbedOutput<T>>((subscriber) =>
      source.subscribe({
        next: (item) => {
          let out: Tensor | Embedded;
          try {
            if (item instanceof Tensor) {
              out = embedTensor(net, item, batchSize);
            } else {
              const embeddings = embedTensor(net, item?.x, batchSize);
              out = item.y === undefined ? { embeddings } : { embeddings, labels: item.y };
            }
          } catch (error) {
            subscriber.error(error);
            return;
          }
          subscriber.next(out as EmbedOutput<T>);
        },
        error: (e) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

/** Everything a stream of embeddings held, in order: rows [total, ...] and integer labels. */
export interface CollectedEmbeddings {
  embeddings: Tensor;
  /** One label per row; empty when the items carried none. */
  labels: Int32Array;
}

/**
 * Subscribes to a stream of embeddings (what {@link embed} emits) and resolves with all rows
 * joined along dimension 0 and their labels as integers (empty when no item had labels). Rejects
 * on a stream error, an empty stream, rows of differing shapes, or labels on only some items.
 *
 * @example
 * const train = await collectEmbeddings(trainBatches$.pipe(embed(net, { batchSize: 256 })));
 * new NearestNeighbors(train.embeddings, train.labels);
 */
export function collectEmbeddings(source: Observable<Embedded | Tensor>): Promise<CollectedEmbeddings> {
  return new Promise((resolve, reject) => {
    const rows: Tensor[] = [];
    const labels: number[] = [];
    let labelled: boolean | null = null;
    const take = (item: Embedded | Tensor): void => {
      const e = item instanceof Tensor ? item : item?.embeddings;
      if (!(e instanceof Tensor) || e.ndim < 1) throw new TypeError(`collectEmbeddings: item ${rows.length} must be a Tensor [n, ...] or { embeddings: Tensor, labels? }, got ${describeValue(item)}`);
      const first = rows[0];
      if (first && (first.ndim !== e.ndim || first.shape.some((d, i) => i > 0 && d !== e.shape[i]))) {
        throw new ShapeError('collectEmbeddings', `item ${rows.length} has embeddings ${formatShape(e.shape)}, expected [n, ${first.shape.slice(1).join(', ')}] like item 0`);
      }
      const y = item instanceof Tensor ? undefined : item.labels;
      if (labelled !== null && labelled !== (y !== undefined)) throw new Error(`collectEmbeddings: item ${rows.length} ${y ? 'has' : 'lacks'} labels, unlike item 0`);
      labelled = y !== undefined;
      if (y) {
        if (y.size !== e.shape[0]) throw new ShapeError('collectEmbeddings', `item ${rows.length} has ${y.size} labels for ${e.shape[0]} embeddings`);
        for (const v of y.data) {
          if (!Number.isInteger(v)) throw new TypeError(`collectEmbeddings: labels must be integers, got ${v} in item ${rows.length}`);
          labels.push(v);
        }
      }
      rows.push(e);
    };
    let failed = false;
    const subscription = source.subscribe({
      next: (item) => {
        if (failed) return;
        try {
          take(item);
        } catch (error) {
          failed = true;
          reject(error);
          queueMicrotask(() => subscription.unsubscribe());
        }
      },
      error: reject,
      complete: () => {
        if (failed) return;
        if (rows.length === 0) return reject(new Error('collectEmbeddings: the stream completed without any item'));
        const total = rows.reduce((s, r) => s + r.shape[0]!, 0);
        const data = new Float32Array(rows.reduce((s, r) => s + r.size, 0));
        let offset = 0;
        for (const r of rows) {
          data.set(r.data, offset);
          offset += r.size;
        }
        resolve({ embeddings: new Tensor(data, [total, ...rows[0]!.shape.slice(1)]), labels: Int32Array.from(labels) });
      },
    });
  });
}
