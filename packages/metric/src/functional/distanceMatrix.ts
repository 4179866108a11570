import { formatShape, matmul, noGrad, ShapeError, Tensor } from '@eole/core';
import { assertTensor } from '../validation/check.js';

/** The distance a retrieval uses: Euclidean `l2`, or `cosine` (1 − cos). */
export type Metric = 'l2' | 'cosine';

/** Checks the metric name. */
export function checkMetric(op: string, metric: unknown): Metric {
  if (metric !== 'l2' && metric !== 'cosine') throw new TypeError(`${op}: metric must be 'l2' or 'cosine', got ${JSON.stringify(metric)}`);
  return metric;
}

/** Checks that `x` is a 2-D tensor [rows, D] (with `D` columns when given) and returns it. */
export function checkMatrix(op: string, name: string, x: unknown, columns?: number): Tensor {
  assertTensor(op, name, x);
  if (x.ndim !== 2 || (columns !== undefined && x.shape[1] !== columns)) {
    throw new ShapeError(op, `${name} must be [rows, ${columns ?? 'D'}], got ${formatShape(x.shape)}`);
  }
  return x;
}

/**
 * The reference side of a distance computation, prepared once: for `l2` the transposed rows yᵀ
 * [D, N] and their squared norms; for `cosine` the transposed unit rows.
 */
export interface PreparedRows {
  readonly metric: Metric;
  readonly count: number;
  readonly dim: number;
  readonly transposed: Tensor;
  readonly squaredNorms: Float32Array;
}

/** Prepares the rows of y [N, D] for {@link distancesTo}. */
export function prepareRows(y: Tensor, metric: Metric): PreparedRows {
  const [count, dim] = y.shape as [number, number];
  const rows = metric === 'cosine' ? unitRows(y) : y.detach();
  return noGrad(() => ({ metric, count, dim, transposed: rows.t(), squaredNorms: squaredNorms(rows) }));
}

/**
 * Distances from the rows of x [M, D] to prepared rows, as a flat row-major [M, N] array, through
 * one matrix product: ‖x − y‖ = √max(0, ‖x‖² − 2·x·y + ‖y‖²) for `l2`, 1 − x̂·ŷ for `cosine`.
 */
export function distancesTo(x: Tensor, rows: PreparedRows): Float32Array {
  const q = rows.metric === 'cosine' ? unitRows(x) : x.detach();
  const dots = noGrad(() => matmul(q, rows.transposed)).data;
  const m = x.shape[0]!;
  const n = rows.count;
  const out = new Float32Array(m * n);
  if (rows.metric === 'cosine') {
    for (let i = 0; i < out.length; i++) out[i] = Math.max(0, 1 - dots[i]!);
    return out;
  }
  const qq = squaredNorms(q);
  const yy = rows.squaredNorms;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const k = i * n + j;
      out[k] = Math.sqrt(Math.max(0, qq[i]! - 2 * dots[k]! + yy[j]!));
    }
  }
  return out;
}

/**
 * All distances between the rows of x [M, D] and y [N, D], as `torch.cdist` (p = 2) for `l2` or
 * 1 − cos for `cosine`: out[i, j] = d(xᵢ, yⱼ), computed from one matrix product
 * (‖x‖² − 2·x·yᵀ + ‖y‖², clamped at 0 before the root). No gradient: for mining and retrieval.
 *
 * @example
 * distanceMatrix(queries, database).shape;           // [M, N]
 * distanceMatrix(e, e, 'cosine').data[0];            // ≈ 0 (a row against itself)
 */
export function distanceMatrix(x: Tensor, y: Tensor, metric: Metric = 'l2'): Tensor {
  checkMetric('distanceMatrix', metric);
  checkMatrix('distanceMatrix', 'x', x);
  checkMatrix('distanceMatrix', 'y', y, x.shape[1]);
  return new Tensor(distancesTo(x, prepareRows(y, metric)), [x.shape[0]!, y.shape[0]!]);
}

function squaredNorms(x: Tensor): Float32Array {
  const [m, d] = x.shape as [number, number];
  const out = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x.data[i * d + j]! ** 2;
    out[i] = s;
  }
  return out;
}

/** Rows scaled to unit length (a zero row stays zero). */
function unitRows(x: Tensor): Tensor {
  const [m, d] = x.shape as [number, number];
  const norms = squaredNorms(x);
  const out = new Float32Array(x.size);
  for (let i = 0; i < m; i++) {
    const s = 1 / Math.max(Math.sqrt(norms[i]!), 1e-12);
    for (let j = 0; j < d; j++) out[i * d + j] = x.data[i * d + j]! * s;
  }
  return new Tensor(out, [m, d]);
}
