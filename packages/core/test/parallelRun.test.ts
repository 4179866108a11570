import test from 'ava';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { CENTER_PROTOCOL_VERSION, fromArray, LocalCenter, MSECriterion, ParameterVector, SharedCenter, type CenterStore, type TrainEvent } from '@eole/core';
import { parallelTrain, serveCenter, startWorkers, type WorkerAssignment, type WorkerGroup } from '@eole/core/parallel';
import { batches, net } from './fixtures/parallelWorker.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/parallelWorker.ts', import.meta.url));
const SIZE = new ParameterVector(net().parameters()).size;
const validation = fromArray(batches(4, 7));

function job(runId: string, algorithm: string, store: WorkerAssignment['store']): (rank: number) => WorkerAssignment {
  return (rank) => ({ runId, rank, workers: 2, algorithm, tau: 2, beta: 0.9, size: SIZE, startEpoch: 1, store });
}

async function coordinate(store: CenterStore, group: WorkerGroup, epochs = 3, onEvent: (e: TrainEvent) => void = () => undefined): Promise<TrainEvent[]> {
  return lastValueFrom(parallelTrain({ model: net(), criterion: new MSECriterion(), store, group, workers: 2, epochs, validation, pollMs: 50 }).pipe(tap(onEvent), toArray()));
}

const validationLosses = (events: TrainEvent[]): number[] => events.flatMap((e) => (e.type === 'validation' ? [e.metrics.loss] : []));

test('threads: two EASGD workers share a SharedArrayBuffer centre; the coordinator emits every epoch, evaluates the centre, and the loss falls', async (t) => {
  const store = SharedCenter.create(SIZE, 2, 'threads-1');
  const group = startWorkers({ transport: 'threads', workers: 2, script: SCRIPT, argv: ['--epochs', '3', '--delay-ms', '30'], assignment: job('threads-1', 'easgd', { kind: 'shared', handle: store.handle() }) });
  const events = await coordinate(store, group);
  await group.settled();
  t.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch), [1, 2, 3]);
  const losses = validationLosses(events);
  t.true(losses[2]! < losses[0]!, `validation loss ${losses.join(' → ')}`);
  t.deepEqual([...group.exited().values()].map((e) => e.code), [0, 0]);
  const reports = await store.reports();
  t.deepEqual(reports.map((r) => [r.rank, r.done, r.samples]), [[0, true, 288], [1, true, 288]]);
});

test('processes: DOWNPOUR and synchronous SGD workers reach the coordinator store over IPC', async (t) => {
  for (const algorithm of ['downpour', 'sync']) {
    const store = new LocalCenter(SIZE, `processes-${algorithm}`);
    const group = startWorkers({ transport: 'processes', workers: 2, script: SCRIPT, argv: ['--epochs', '2', '--delay-ms', '20'], store, assignment: job(store.runId, algorithm, { kind: 'ipc' }) });
    const events = await coordinate(store, group, 2);
    await group.settled();
    t.is(events.at(-1)!.type, 'done', algorithm);
    t.deepEqual([...group.exited().values()].map((e) => e.code), [0, 0], algorithm);
    const losses = validationLosses(events);
    t.true(losses[1]! < 0.5, `${algorithm}: validation loss ${losses.join(' → ')}`);
  }
});

test('a worker killed with SIGKILL mid-run: the other goes on, every epoch completes; a replacement rejoins under its rank', async (t) => {
  for (const replace of [false, true]) {
    const store = new LocalCenter(SIZE, `kill-${replace}`);
    const group = startWorkers({ transport: 'processes', workers: 2, script: SCRIPT, argv: ['--epochs', '4', '--delay-ms', '40'], store, assignment: job(store.runId, 'easgd', { kind: 'ipc' }) });
    let killed = false;
    const events = await coordinate(store, group, 4, (e) => {
      if (e.type === 'epoch' && e.epoch === 1 && !killed) {
        killed = true;
        group.kill(1, 'SIGKILL');
        if (replace) setTimeout(() => group.replace(1), 300);
      }
    });
    await group.settled();
    t.deepEqual(events.filter((e) => e.type === 'epoch').map((e) => (e as { epoch: number }).epoch), [1, 2, 3, 4]);
    const reports = await store.reports();
    t.true(reports[0]!.done, 'rank 0 finished');
    t.is(reports[1]!.done, replace, replace ? 'the replacement finished rank 1' : 'rank 1 stayed dead');
    if (!replace) t.is(group.exited().get(1)!.signal, 'SIGKILL');
    const losses = validationLosses(events);
    t.true(losses[3]! < losses[0]!, `validation loss ${losses.join(' → ')}`);
  }
});

test('every worker gone: the coordinator errors, naming how each ended', async (t) => {
  const store = new LocalCenter(SIZE, 'all-dead');
  const group = startWorkers({ transport: 'processes', workers: 2, script: SCRIPT, argv: ['--epochs', '50', '--delay-ms', '40'], store, assignment: job(store.runId, 'easgd', { kind: 'ipc' }) });
  setTimeout(() => {
    group.kill(0, 'SIGKILL');
    group.kill(1, 'SIGKILL');
  }, 1500);
  await t.throwsAsync(coordinate(store, group, 50), { message: /every worker is gone \(rank 0 killed by SIGKILL; rank 1 killed by SIGKILL\)/ });
});

test('serveCenter refuses a message of another protocol version, another run or an unknown method', async (t) => {
  const child = new EventEmitter() as EventEmitter & { connected: boolean; send(m: unknown): boolean };
  const replies: { ok: boolean; error?: string }[] = [];
  child.connected = true;
  child.send = (m) => (replies.push(m as { ok: boolean; error?: string }), true);
  serveCenter(new LocalCenter(3, 'run-a'), child as never);
  const base = { eole: 'center', version: CENTER_PROTOCOL_VERSION, runId: 'run-a', id: 1, method: 'reports', args: [] };
  for (const m of [{ ...base, version: 7 }, { ...base, runId: 'run-b' }, { ...base, method: 'flushall' }, { ...base, method: 'elastic', args: [new Float32Array(4), 0.1] }, base]) child.emit('message', m);
  await new Promise((r) => setTimeout(r, 20));
  t.deepEqual(replies.map((r) => r.ok), [false, false, false, false, true]);
  t.regex(replies[0]!.error!, /protocol version 7, the coordinator 1/);
  t.regex(replies[1]!.error!, /for run "run-b", the coordinator runs "run-a"/);
  t.regex(replies[2]!.error!, /unknown store method flushall/);
  t.regex(replies[3]!.error!, /elastic: x has 4 values, the centre has 3/);
});
