import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Relative imports that exist at run time (`import type` and `export type` are erased). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'(\.[^']+)'/gm)) {
    if (m[2]) continue;
    out.push(resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** The strongly connected components of more than one module (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(relative(SRC, w));
      } while (w !== v);
      if (scc.length > 1) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

test('the run-time import graph of core has no cycle through tensor/Tensor.ts', (t) => {
  const graph = new Map(sourceFiles(SRC).map((f) => [f, runtimeImports(f)]));
  t.true(graph.has(join(SRC, 'tensor/Tensor.ts')));
  const throughTensor = cycles(graph).filter((scc) => scc.includes(join('tensor', 'Tensor.ts')));
  t.deepEqual(throughTensor, []);
});

test('tensor/Tensor.ts imports no op module', (t) => {
  const ops = runtimeImports(join(SRC, 'tensor/Tensor.ts')).filter((f) => relative(SRC, f).startsWith('ops'));
  t.deepEqual(ops, []);
});
