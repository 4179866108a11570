import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `bytes` to `path` so that readers see either the old file or the complete new one, never
 * a torn write: the bytes go to a temporary file in the same directory (same filesystem), are
 * flushed with fsync, and the temporary file is renamed over `path` (atomic on POSIX); the directory
 * is then fsynced where the platform allows. On any failure the temporary file is removed, the
 * previous file at `path` is left untouched, and the error is rethrown with the path in its message
 * (the original error is its `cause`).
 *
 * @example
 * writeFileAtomic('out/model.safetensors', serializeSafetensors(net.stateDict()));
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  if (typeof path !== 'string' || path === '') throw new TypeError('writeFileAtomic: path must be a non-empty string');
  if (!(bytes instanceof Uint8Array)) throw new TypeError('writeFileAtomic: bytes must be a Uint8Array');
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, 'wx');
    for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at, bytes.length - at);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, path);
  } catch (e) {
    if (fd !== null) {
      try {
        fs.closeSync(fd);
      } catch {
        // already failing; the original error is the one to report
      }
    }
    fs.rmSync(tmp, { force: true });
    throw new Error(`writeFileAtomic: could not write '${path}' (the previous file, if any, is unchanged): ${(e as Error).message}`, { cause: e });
  }
  syncDirectory(dir);
}

/** Makes the rename durable; directories cannot be opened for fsync on every platform (Windows). */
function syncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort: the rename itself already happened
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
