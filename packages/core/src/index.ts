/**
 * `@eole/core` for Node: everything of the portable core (`portable.ts`, also the browser build),
 * plus file I/O (safetensors, IDX, npy files, checkpoints, JSON-lines logs) and gpu.js's webasm
 * code generator fix.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export { applyCodegenFix, codegenFixStatus, withStockCodegen, CODEGEN_FIXES, type CodegenFixStatus } from './kernels/gpujs/index.js';
export { writeFileAtomic } from './io/writeFileAtomic.js';
export { saveModule, loadModule } from './io/saveModule.js';
export { parseIdx, readIdx, readMnistIdx, serializeIdx, writeIdx, type IdxData } from './io/idx.js';
export { parseNpy, serializeNpy, readNpy, writeNpy, type NpyData, type NpyDtype } from './io/npy.js';
export { checkpoint, resume, jsonLines } from './stream/consumers.js';
export { saveTrainState, loadTrainState, CHECKPOINT_FILE, type TrainState } from './stream/TrainState.js';
