let enabled = true;

/** Whether operations currently record the graph for autograd. */
export function isGradEnabled(): boolean {
  return enabled;
}

/**
 * Runs `fn` without recording the graph, as `torch.no_grad()`: for evaluation and for updates of
 * parameters in place.
 *
 * @example
 * const logits = noGrad(() => net.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const previous = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}

/** Runs `fn` with graph recording switched on or off. */
export function withGradEnabled<T>(on: boolean, fn: () => T): T {
  const previous = enabled;
  enabled = on;
  try {
    return fn();
  } finally {
    enabled = previous;
  }
}
