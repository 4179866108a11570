/**
 * `@eole/core/parallel`: the Node-only side of parallel training (DESIGN.md, "Beyond one core, one
 * process, one machine"): centre stores that cross a thread, process or machine boundary, the
 * launcher of workers and the coordinator's training stream. The algorithms themselves (EASGD,
 * EAMSGD, DOWNPOUR, synchronous data-parallel SGD) and the in-process and shared-memory stores are
 * in `@eole/core`.
 *
 * @packageDocumentation
 */
export { parallelTrain, type ParallelTrainOptions } from './parallelTrain.js';
export { ProcessCenter, serveCenter } from './ProcessCenter.js';
export { reportProgress } from './reportProgress.js';
export { startWorkers, type StartWorkersOptions } from './startWorkers.js';
export { WORKER_ENV, workerAssignment, type StoreAddress, type WorkerAssignment } from './WorkerAssignment.js';
export { type WorkerExit, type WorkerGroup } from './WorkerGroup.js';
export { RedisCenter, type RedisCenterOptions, type RedisCenterRetry, type RedisExchangeStats } from './RedisCenter.js';
export { parseRedisUrl, redactRedisUrl, type RedisAddress } from './redisUrl.js';
export { openStore } from './openStore.js';
