import { Tensor } from '@eole/core';

/** Embeddings as a list of rows: a Tensor [k, D] (or [D] for one) or an array of vectors. */
export type EmbeddingRows = Tensor | readonly ArrayLike<number>[];

/**
 * The rows of `embeddings` as Float64Arrays of length `dim` (checked: finite values, the same
 * dimension everywhere, at least `min` rows). Errors name `op` and `name` with the expected and
 * the actual value.
 */
export function embeddingRows(op: string, name: string, embeddings: EmbeddingRows, dim: number | null, min = 1): Float64Array[] {
  let rows: Float64Array[];
  if (embeddings instanceof Tensor) {
    if (embeddings.ndim !== 1 && embeddings.ndim !== 2) throw new RangeError(`${op}: ${name} must be a Tensor [k, D] or [D], got shape [${embeddings.shape.join(', ')}]`);
    const d = embeddings.shape[embeddings.ndim - 1]!;
    const k = embeddings.ndim === 1 ? 1 : embeddings.shape[0]!;
    rows = Array.from({ length: k }, (_, i) => Float64Array.from(embeddings.data.subarray(i * d, (i + 1) * d)));
  } else if (Array.isArray(embeddings)) {
    rows = embeddings.map((v, i) => {
      if (v === null || typeof v !== 'object' || typeof (v as ArrayLike<number>).length !== 'number') throw new TypeError(`${op}: ${name}[${i}] must be an array of numbers, got ${String(v)}`);
      return Float64Array.from(v as ArrayLike<number>);
    });
  } else {
    throw new TypeError(`${op}: ${name} must be a Tensor [k, D] or an array of vectors, got ${typeof embeddings}`);
  }
  if (rows.length < min) throw new RangeError(`${op}: ${name} needs at least ${min} embedding${min === 1 ? '' : 's'}, got ${rows.length}`);
  const d = dim ?? rows[0]!.length;
  rows.forEach((r, i) => {
    if (r.length !== d) throw new RangeError(`${op}: ${name}[${i}] has dimension ${r.length}, expected ${d}`);
    const bad = r.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new RangeError(`${op}: ${name}[${i}][${bad}] must be finite, got ${r[bad]}`);
  });
  return rows;
}

/** v/‖v‖₂ (a zero vector is returned as is: its cosine with anything is 0). */
export function l2Normalize(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const norm = Math.sqrt(s);
  return Float64Array.from(v, (x) => (norm > 0 ? x / norm : 0));
}

/**
 * Cosine similarity cos(a, b) = a·b / (‖a‖₂·‖b‖₂), in [−1, 1]; 0 when either vector is zero. The
 * scoring of cosine-distance speaker verification (Dehak et al., "Cosine similarity scoring without
 * score normalization techniques", Odyssey 2010).
 *
 * @example
 * cosineScore([1, 0], [1, 1]); // 0.7071
 * cosineScore([1, 2, 3], [-1, -2, -3]); // -1
 */
export function cosineScore(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosineScore: a and b must have the same dimension, got ${a.length} and ${b.length}`);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
