import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

/**
 * A fresh folder `eole-<name>-XXXXXX` under the system's temporary folder, removed with
 * everything in it when the test process exits.
 *
 * @example
 * const out = tempDir('consumers');
 * saveModule(join(out, 'net.safetensors'), net);
 */
export function tempDir(name = 'test'): string {
  const dir = mkdtempSync(join(tmpdir(), `eole-${name}-`));
  if (made.length === 0) process.once('exit', () => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
  made.push(dir);
  return dir;
}
