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

/**
 * A short JSON-like preview of a value read from a file, for an error message: nesting beyond
 * `depth` levels and arrays or objects beyond 8 entries are elided, strings are cut, and the
 * whole text is at most `maxLength` characters, so a hostile value (an array nested 100,000 deep, a
 * megabyte string) cannot blow the stack or the message up. Numbers print as JavaScript writes
 * them (`Infinity` for a parsed `1e400`).
 *
 * @example
 * previewValue([2, 3]);                                  // '[2, 3]'
 * previewValue(JSON.parse('[[[[[[1]]]]]]'));             // '[[[[[…]]]]]'
 * previewValue({ dtype: 'F32', shape: [1, 2] });         // '{"dtype": "F32", "shape": [1, 2]}'
 */
export function previewValue(v: unknown, maxLength = 80, depth = 4): string {
  const text = preview(v, depth);
  return text.length <= maxLength ? text : `${text.slice(0, maxLength - 1)}…`;
}

const MAX_ENTRIES = 8;
const MAX_STRING = 40;

function preview(v: unknown, depth: number): string {
  if (typeof v === 'string') return JSON.stringify(v.length <= MAX_STRING ? v : `${v.slice(0, MAX_STRING)}…`);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (typeof v !== 'object') return typeof v;
  const array = Array.isArray(v);
  const entries = array ? (v as unknown[]).slice(0, MAX_ENTRIES + 1) : Object.entries(v as object).slice(0, MAX_ENTRIES + 1);
  const [open, close] = array ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  if (depth <= 0) return `${open}…${close}`;
  const shown = entries.slice(0, MAX_ENTRIES).map((e) => (array ? preview(e, depth - 1) : `${JSON.stringify((e as [string, unknown])[0])}: ${preview((e as [string, unknown])[1], depth - 1)}`));
  if (entries.length > MAX_ENTRIES) shown.push(`… (${array ? (v as unknown[]).length : Object.keys(v as object).length} in all)`);
  return `${open}${shown.join(', ')}${close}`;
}
