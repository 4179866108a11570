/**
 * The elastic exchange of EASGD (Zhang, Choromanska & LeCun, "Deep learning with Elastic Averaging
 * SGD", NIPS 2015, Algorithm 1): a worker's parameters xⁱ and the centre variable x̃ move toward
 * each other by the same step,
 *
 *   d = α·(xⁱ − x̃);   xⁱ ← xⁱ − d;   x̃ ← x̃ + d,
 *
 * with the moving rate α = β/p (p workers, β = 0.9 in the paper). It is symmetric, so xⁱ + x̃ is
 * kept (up to float32 rounding); α = 0 changes nothing and α = ½ meets halfway. In place on flat
 * float32 arrays, element by element in float32 arithmetic (`Math.fround`), so every store that
 * holds the centre (in process, shared memory, a Redis script) can apply the same rounding.
 *
 * @example
 * const worker = Float32Array.of(1, 2);
 * const center = Float32Array.of(0, 0);
 * elasticExchange(worker, center, 0.25); // worker [0.75, 1.5], center [0.25, 0.5]
 */
export function elasticExchange(worker: Float32Array, center: Float32Array, alpha: number): void {
  if (!(worker instanceof Float32Array) || !(center instanceof Float32Array)) {
    throw new TypeError(`elasticExchange: worker and center must be Float32Arrays, got ${worker?.constructor?.name ?? typeof worker} and ${center?.constructor?.name ?? typeof center}`);
  }
  if (worker.length !== center.length) throw new RangeError(`elasticExchange: worker has ${worker.length} values, center ${center.length}; they must be the same parameters`);
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) throw new RangeError(`elasticExchange: alpha must be a number in [0, 1] (β/p), got ${String(alpha)}`);
  if (alpha === 0) return;
  const a = Math.fround(alpha);
  for (let i = 0; i < worker.length; i++) {
    const d = Math.fround(a * Math.fround(worker[i]! - center[i]!));
    worker[i] = worker[i]! - d;
    center[i] = center[i]! + d;
  }
}
