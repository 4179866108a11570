import type { Ast } from './gpujsInternals.js';

/**
 * Which locals of a kernel function can live in an i32 wasm local rather than the f32 one gpu.js
 * 2.24.1 gives them, with no change to any result.
 *
 * gpu.js decays every integer-initialised local to f32 on its bytecode pass (the literal `0` of
 * `let k = 0` was typed Integer by the analysis pass, and an Integer initialiser decays to a float
 * declaration), so every index built from such a local pays an `i32.trunc_sat_f32_s`. A local is
 * promoted here when, for every input:
 * - each value it is given is an exact integer expression: integer literals, `this.thread.x/y/z`,
 *   `this.output.*`, integer-valued scalar constants, other promoted locals, joined by `+ - *`
 *   (its assignments are `=`, `+=`, `-=`, `*=` of such expressions, or `++`/`--`);
 * - every read of it reaches, through `+ - *` and unary `-` only, an array subscript, a comparison,
 *   or the value of another promoted local. There an integer and the float that holds it agree:
 *   a subscript truncates to i32 and a comparison ignores the sign of zero.
 * The f32 local and the i32 local then hold the same integer while it stays below 2^24 in
 * magnitude (beyond it the f32 local rounds, the i32 one does not).
 */
export interface IntegerLocals {
  /** The promoted locals. */
  readonly names: ReadonlySet<string>;
  /** Of those, the ones declared with `let`/`const` and never assigned after their declaration. */
  readonly fixed: ReadonlySet<string>;
  /**
   * Locals whose value is known from their declaration alone, whether promoted or not: declared
   * once with `let`/`const`, never assigned, initialised by an exact integer expression over
   * thread ids, constants, output sizes and earlier such locals (never over a local that changes).
   * An index may use the initialiser in place of the local. Maps each to its initialiser.
   */
  readonly known: ReadonlyMap<string, Ast>;
}

/** What the analysis needs to know of the kernel beyond its source. */
export interface IntegerContext {
  readonly argumentNames: readonly string[];
  /** A scalar constant's value when it is an integer that fits an i32, else undefined. */
  constant(name: string): number | undefined;
  /** The output size along an axis, when the output has that axis. */
  outputSize(axis: string): number | undefined;
}

const INTEGER_OPS = new Set(['+', '-', '*']);
const COMPARISONS = new Set(['<', '>', '<=', '>=', '==', '===', '!=', '!==']);
const INTEGER_ASSIGNMENTS = new Set(['=', '+=', '-=', '*=']);
const I32_MAX = 2147483647;

/** `this.<group>.<name>` → name, for group `thread`, `output` or `constants`. */
export function thisMember(ast: Ast, group: 'thread' | 'output' | 'constants'): string | undefined {
  if (ast.type !== 'MemberExpression' || ast.computed) return undefined;
  const object = ast.object;
  if (!object || object.type !== 'MemberExpression' || object.computed) return undefined;
  if (object.object?.type !== 'ThisExpression' || object.property?.name !== group) return undefined;
  return ast.property?.type === 'Identifier' ? ast.property.name : undefined;
}

/** An integer literal (or a negated nonzero one) that fits an i32, else undefined. */
export function integerLiteral(ast: Ast): number | undefined {
  if (ast.type === 'Literal' && typeof ast.value === 'number' && Number.isInteger(ast.value) && Math.abs(ast.value) <= I32_MAX) {
    return ast.value;
  }
  if (ast.type === 'UnaryExpression' && ast.operator === '-' && ast.argument?.type === 'Literal') {
    const value = integerLiteral(ast.argument);
    return value !== undefined && value !== 0 ? -value : undefined;
  }
  return undefined;
}

/** A compile-time integer: a literal, an integer constant or an output size. */
export function staticInteger(ast: Ast, context: IntegerContext): number | undefined {
  const literal = integerLiteral(ast);
  if (literal !== undefined) return literal;
  const constant = thisMember(ast, 'constants');
  if (constant !== undefined) return context.constant(constant);
  const axis = thisMember(ast, 'output');
  return axis !== undefined ? context.outputSize(axis) : undefined;
}

/**
 * True when `ast` is an exact integer expression (see {@link IntegerLocals}) whose locals are in
 * `names` or `known`.
 */
export function isExactInteger(ast: Ast, names: ReadonlySet<string>, context: IntegerContext, known?: ReadonlyMap<string, Ast>): boolean {
  switch (ast.type) {
    case 'Identifier':
      return names.has(ast.name ?? '') || known?.has(ast.name ?? '') === true;
    case 'BinaryExpression':
      return INTEGER_OPS.has(ast.operator ?? '') && isExactInteger(ast.left!, names, context, known) && isExactInteger(ast.right!, names, context, known);
    case 'MemberExpression': {
      const axis = thisMember(ast, 'thread');
      if (axis === 'x' || axis === 'y' || axis === 'z') return true;
      return staticInteger(ast, context) !== undefined;
    }
    default:
      return integerLiteral(ast) !== undefined;
  }
}

interface Frame {
  node: Ast;
  key: string;
}

/** Where a read value ends up: the first node above it that is not `+ - *` or unary `- +`. */
interface Read {
  consumer: Ast | undefined;
  key: string;
}

interface Declaration {
  init: Ast | null | undefined;
  kind: string;
  /** Position in the source, for declaration order. */
  start: number;
}

interface Facts {
  declarations: Map<string, Declaration[]>;
  assignments: Map<string, Ast[]>;
  updated: Set<string>;
  reads: Map<string, Read[]>;
}

const SKIPPED_KEYS = new Set(['loc', 'start', 'end', 'range', 'parent']);

function isFunction(ast: Ast): boolean {
  return ast.type === 'FunctionDeclaration' || ast.type === 'FunctionExpression' || ast.type === 'ArrowFunctionExpression';
}

function isAst(value: unknown): value is Ast {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}

function children(ast: Ast): [string, Ast][] {
  const out: [string, Ast][] = [];
  for (const key of Object.keys(ast)) {
    if (SKIPPED_KEYS.has(key)) continue;
    const value = ast[key];
    if (Array.isArray(value)) {
      for (const item of value) if (isAst(item)) out.push([key, item]);
    } else if (isAst(value)) {
      out.push([key, value]);
    }
  }
  return out;
}

function push<T>(map: Map<string, T[]>, name: string, value: T): void {
  const list = map.get(name);
  if (list) list.push(value);
  else map.set(name, [value]);
}

/** Where the value read at the top of `frames` ends up, past any `+ - *` and unary `- +`. */
function readAt(frames: Frame[]): Read {
  let i = frames.length - 1;
  for (; i > 0; i--) {
    const parent = frames[i - 1]!.node;
    const arithmetic = parent.type === 'BinaryExpression' && INTEGER_OPS.has(parent.operator ?? '');
    const sign = parent.type === 'UnaryExpression' && (parent.operator === '-' || parent.operator === '+');
    if (!arithmetic && !sign) break;
  }
  return { consumer: i > 0 ? frames[i - 1]!.node : undefined, key: frames[i]!.key };
}

/** True when the identifier on top of `frames` reads a variable's value. */
function isValueRead(frames: Frame[]): boolean {
  const { key } = frames[frames.length - 1]!;
  const parent = frames[frames.length - 2]?.node;
  if (!parent) return false;
  switch (parent.type) {
    case 'VariableDeclarator':
      return key !== 'id';
    case 'AssignmentExpression':
      return key !== 'left';
    case 'UpdateExpression':
    case 'FunctionExpression':
    case 'FunctionDeclaration':
      return false;
    case 'MemberExpression':
      return key !== 'property' || parent.computed === true;
    case 'CallExpression':
      return key !== 'callee';
    default:
      return true;
  }
}

function record(node: Ast, facts: Facts, frames: Frame[]): void {
  const parentFrame = frames[frames.length - 2];
  if (node.type === 'VariableDeclarator' && node.id?.type === 'Identifier') {
    const start = typeof node['start'] === 'number' ? node['start'] : 0;
    push(facts.declarations, node.id.name!, { init: node.init, kind: parentFrame?.node.kind ?? 'var', start });
  } else if (node.type === 'AssignmentExpression' && node.left?.type === 'Identifier') {
    push(facts.assignments, node.left.name!, node);
  } else if (node.type === 'UpdateExpression' && node.argument?.type === 'Identifier') {
    facts.updated.add(node.argument.name!);
    const parent = parentFrame?.node;
    const discarded = parent?.type === 'ExpressionStatement' || (parent?.type === 'ForStatement' && frames[frames.length - 1]!.key === 'update');
    if (!discarded) push(facts.reads, node.argument.name!, readAt(frames));
  } else if (node.type === 'Identifier' && isValueRead(frames)) {
    push(facts.reads, node.name!, readAt(frames));
  }
}

function collect(fn: Ast): Facts {
  const facts: Facts = { declarations: new Map(), assignments: new Map(), updated: new Set(), reads: new Map() };
  const frames: Frame[] = [];
  const visit = (node: Ast, key: string): void => {
    if (frames.length > 0 && isFunction(node)) return;
    frames.push({ node, key });
    record(node, facts, frames);
    for (const [childKey, child] of children(node)) visit(child, childKey);
    frames.pop();
  };
  visit(fn, '');
  return facts;
}

function readIsIntegral(read: Read, names: ReadonlySet<string>): boolean {
  const { consumer, key } = read;
  if (!consumer) return false;
  switch (consumer.type) {
    case 'MemberExpression':
      return consumer.computed === true && key === 'property';
    case 'BinaryExpression':
      return COMPARISONS.has(consumer.operator ?? '');
    case 'VariableDeclarator':
      return key === 'init' && names.has(consumer.id?.name ?? '');
    case 'AssignmentExpression':
      return key === 'right' && consumer.left?.type === 'Identifier' && names.has(consumer.left.name ?? '') && INTEGER_ASSIGNMENTS.has(consumer.operator ?? '');
    default:
      return false;
  }
}

function keeps(name: string, names: ReadonlySet<string>, facts: Facts, context: IntegerContext, known: ReadonlyMap<string, Ast>): boolean {
  const init = facts.declarations.get(name)![0]!.init;
  if (!init || !isExactInteger(init, names, context, known)) return false;
  for (const assignment of facts.assignments.get(name) ?? []) {
    if (!INTEGER_ASSIGNMENTS.has(assignment.operator ?? '') || !isExactInteger(assignment.right!, names, context, known)) return false;
  }
  return (facts.reads.get(name) ?? []).every((read) => readIsIntegral(read, names));
}

/**
 * The locals of the function `fn` (its acorn AST, nested functions excluded) that can be i32:
 * the largest set whose members all satisfy the rules of {@link IntegerLocals} assuming the
 * others are promoted (a fixpoint from every singly-declared non-argument local downwards).
 *
 * @example
 * const ints = integerLocals(node.getJsAST(), context);
 * ints.names.has('k'); // true for `for (let k = 0; k < K; k++) s += a[k]`
 */
export function integerLocals(fn: Ast, context: IntegerContext): IntegerLocals {
  const facts = collect(fn);
  const single = [...facts.declarations]
    .filter(([name, declarations]) => declarations.length === 1 && !context.argumentNames.includes(name))
    .map(([name, declarations]) => ({ name, ...declarations[0]! }))
    .sort((a, b) => a.start - b.start);
  const unchanged = (name: string, kind: string): boolean => !facts.assignments.has(name) && !facts.updated.has(name) && kind !== 'var';
  const known = new Map<string, Ast>();
  for (const { name, init, kind } of single) {
    if (init && unchanged(name, kind) && isExactInteger(init, new Set(), context, known)) known.set(name, init);
  }
  let names = new Set(single.map((d) => d.name));
  for (;;) {
    const kept = new Set([...names].filter((name) => keeps(name, names, facts, context, known)));
    if (kept.size === names.size) break;
    names = kept;
  }
  const fixed = new Set(single.filter(({ name, kind }) => names.has(name) && unchanged(name, kind)).map((d) => d.name));
  return { names, fixed, known };
}
