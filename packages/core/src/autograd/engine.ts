import type { Tensor } from '../tensor/Tensor.js';
import { noGrad } from './gradMode.js';
import { fmt } from '../tensor/shape.js';

/** Options of {@link runBackward}. */
export interface BackwardOptions {
  /** Tensors whose gradient is wanted and where the walk stops (Torch7's `backward(input, gradOutput)`). */
  stopAt?: readonly Tensor[];
}

/**
 * Reverse-mode autodiff over the DAG (DESIGN.md, layer 3). Walks a topological order of the graph
 * below `root` once, calling each node's backward closure with the summed gradient of its output.
 * Leaves that require grad accumulate into `.grad`; the gradients of `stopAt` tensors are returned.
 */
export function runBackward(root: Tensor, gradRoot: Tensor, options: BackwardOptions = {}): Map<Tensor, Tensor> {
  if (gradRoot.size !== root.size) {
    throw new Error(`backward: gradient shape ${fmt(gradRoot.shape)} does not match output shape ${fmt(root.shape)}`);
  }
  const stop = new Set(options.stopAt ?? []);
  const order = topologicalOrder(root, stop);
  const wanted = wantedSet(order, stop);
  const grads = new Map<Tensor, Tensor>([[root, gradRoot.reshape(root.shape)]]);
  noGrad(() => {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (!g) continue;
      if (t.gradFn && !stop.has(t)) {
        const node = t.gradFn;
        const needs = node.parents.map((p) => wanted.has(p));
        const parentGrads = node.backward(g, needs);
        node.parents.forEach((p, k) => {
          const pg = parentGrads[k];
          if (!needs[k] || !pg) return;
          const prev = grads.get(p);
          grads.set(p, prev ? prev.add(pg) : pg);
        });
        if (!stop.has(t)) grads.delete(t);
      } else if (!t.gradFn && t.requiresGrad && !t.isInputProxy && !stop.has(t)) {
        t.accumulateGrad(g);
      }
    }
  });
  const result = new Map<Tensor, Tensor>();
  for (const s of stop) {
    const g = grads.get(s);
    if (g) result.set(s, g);
  }
  return result;
}

function topologicalOrder(root: Tensor, stop: Set<Tensor>): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, next] = top;
    const parents = t.gradFn && !stop.has(t) ? t.gradFn.parents : [];
    if (next < parents.length) {
      top[1]++;
      const p = parents[next]!;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

function wantedSet(order: readonly Tensor[], stop: Set<Tensor>): Set<Tensor> {
  const wanted = new Set<Tensor>();
  for (const t of order) {
    if (stop.has(t)) wanted.add(t);
    else if (!t.gradFn) {
      if (t.requiresGrad && !t.isInputProxy) wanted.add(t);
    } else if (t.gradFn.parents.some((p) => wanted.has(p))) wanted.add(t);
  }
  return wanted;
}
