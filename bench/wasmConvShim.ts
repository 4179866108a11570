import { tf } from './tfjs.js';

type TensorInfo = tf.TensorInfo;
type KernelFunc = tf.KernelFunc;

/** What the shim registered, for the benchmark's output. */
export const WASM_SHIM_NOTE =
  'tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel (training a ConvNet there throws); the benchmark registers one composed of wasm kernels it does have: ' +
  '∂W[kh, kw, c, o] = Σ_{n,i,j} x[n, i·s + kh − pad, j·s + kw − pad, c] · dy[n, i, j, o] is a stride-1 Conv2D of x transposed to [C, H, W, N] with dy transposed to [OH, OW, N, O] as the filter ' +
  '(dilated by the stride, explicit padding), transposed back to [kH, kW, C, O]: Transpose ×3 + Conv2D (XNNPACK), no JS loops.';

function wasmKernel(name: string): KernelFunc {
  const k = tf.getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm shim: the wasm backend has no '${name}' kernel to build Conv2DBackpropFilter from`);
  return k.kernelFunc;
}

/**
 * Registers `Conv2DBackpropFilter` for tfjs's wasm backend (which lacks it), built only from wasm
 * kernels: Transpose, Conv2D, Slice. Returns false when wasm already has one (a later tfjs), true
 * when the shim was registered. The gradient of a convolution with respect to its filter is itself
 * a convolution: swap the roles of the batch and channel axes of x, and use dy as the filter.
 */
export function registerWasmConv2DBackpropFilter(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm')) return false;
  const transpose = wasmKernel('Transpose');
  const conv2d = wasmKernel('Conv2D');
  const slice = wasmKernel('Slice');
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
      const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (a.dataFormat !== 'NHWC') throw new Error(`wasm shim Conv2DBackpropFilter: only NHWC, got ${a.dataFormat}`);
      const [fH, fW, C, O] = a.filterShape;
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
      const { top, bottom, left, right } = info.padInfo;
      const free = (t: TensorInfo): void => void (backend as unknown as { disposeData(id: unknown): void }).disposeData(t.dataId);
      const run = (k: KernelFunc, i: tf.NamedTensorInfoMap, at: tf.NamedAttrMap): TensorInfo => k({ inputs: i, backend, attrs: at }) as TensorInfo;

      const xt = run(transpose, { x }, { perm: [3, 1, 2, 0] }); // [C, H, W, N]
      const dyt = run(transpose, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, O]
      const explicit = [[0, 0], [top, bottom], [left, right], [0, 0]];
      let g = run(conv2d, { x: xt, filter: dyt }, { strides: 1, pad: explicit, dataFormat: 'NHWC', dilations: [info.strideHeight, info.strideWidth], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap);
      free(xt);
      free(dyt);
      if (g.shape[1] !== fH || g.shape[2] !== fW) {
        // Rows or columns of the padded input that no window reached: they get no gradient.
        const cut = run(slice, { x: g }, { begin: [0, 0, 0, 0], size: [C, fH, fW, O] });
        free(g);
        g = cut;
      }
      const out = run(transpose, { x: g }, { perm: [1, 2, 0, 3] }); // [kH, kW, C, O]
      free(g);
      return out;
    },
  });
  return true;
}
