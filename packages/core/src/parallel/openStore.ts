import { SharedCenter, type CenterStore } from '../index.js';
import { ProcessCenter } from './ProcessCenter.js';
import { RedisCenter } from './RedisCenter.js';
import type { WorkerAssignment } from './WorkerAssignment.js';

/**
 * In a worker: opens the store its assignment names (shared memory, the coordinator over IPC, or
 * Redis), checked against the assignment's run id and parameter count.
 *
 * @example
 * const assignment = workerAssignment()!;
 * const store = await openStore(assignment);
 */
export async function openStore(a: WorkerAssignment): Promise<CenterStore> {
  switch (a.store.kind) {
    case 'shared':
      return SharedCenter.open(a.store.handle, { runId: a.runId, size: a.size });
    case 'ipc':
      return new ProcessCenter(a.size, a.runId);
    case 'redis':
      return RedisCenter.open(a.store.url, { runId: a.runId, size: a.size });
    default:
      throw new Error(`openStore: unknown store kind ${String((a.store as { kind?: unknown }).kind)}`);
  }
}
