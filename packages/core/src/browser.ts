/**
 * `@eole/core` in a browser (the `browser` export condition): the portable core on gpu.js's
 * browser build, with `webgl2`, `webgl`, `webasm` and `cpu` selectable by `kernels.setBackend`.
 * File I/O, worker threads and Redis are Node-only and not part of it.
 *
 * @example
 * import { kernels, backendAvailable, Tensor } from '@eole/core';
 * kernels.setBackend(backendAvailable('webgl2') ? 'webgl2' : 'cpu');
 * Tensor.randn([64, 64]).matmul(Tensor.randn([64, 64]));
 *
 * @packageDocumentation
 */
export * from './portable.js';
