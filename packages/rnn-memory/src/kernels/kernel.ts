import { kernels, type Kernel } from '@eole/core';

const defined = new Map<string, Kernel>();

/**
 * The registry kernel `rnn-memory.<name>`, defined the first time it is asked for (kernel names are
 * unique process-wide, and a module may be imported more than once under tsx).
 */
export function kernel(name: string, source: string): Kernel {
  let k = defined.get(name);
  if (!k) {
    k = kernels.define(`rnn-memory.${name}`, source);
    defined.set(name, k);
  }
  return k;
}
