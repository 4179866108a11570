import { Tensor } from './Tensor.js';
import { formatShape } from './shape.js';

/**
 * What a value is, for an error message about a wrong argument: `Tensor [2, 3]`,
 * `Float32Array(5)`, `Array(3)`, `null`, a class name (`Object`, `Linear`), or the `typeof`
 * (`number`, `string`, `undefined`).
 *
 * @example
 * if (!(x instanceof Tensor)) throw new TypeError(`myOp: x must be a Tensor, got ${describeValue(x)}`);
 * describeValue(Tensor.zeros([2, 3])); // 'Tensor [2, 3]'
 * describeValue([1, 2]);              // 'Array(2)'
 */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) return `Tensor ${formatShape(v.shape)}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(v)) return `Array(${v.length})`;
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
