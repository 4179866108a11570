import { Generator } from './Generator.js';

/** The generator modules use when none is passed (seed it with {@link manualSeed}). */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, as `torch.manualSeed`. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}
