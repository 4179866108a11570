export { applyCodegenFix, codegenFixStatus, withStockCodegen, CODEGEN_FIXES, type CodegenFixStatus } from './wasmCodegenFix.js';
