import { Identity, ReLU, Sequential, Threshold, type Module } from '@eole/core';
import { SpatialConvolution } from './SpatialConvolution.js';
import { SpatialConvolutionReLU } from './SpatialConvolutionReLU.js';

/**
 * A copy of a `Sequential` (nested ones too) in which every `SpatialConvolution` directly followed
 * by a ReLU (`ReLU`, or `Threshold(0, 0)`) becomes a {@link SpatialConvolutionReLU} and the ReLU an
 * `Identity`, as PyTorch's `torch.ao.quantization.fuse_modules` does: the same parameter tensors
 * (training either network trains both), the same state-dict keys, the same outputs and gradients bit
 * for bit, one kernel launch fewer per pair. Other modules are shared, not copied.
 *
 * @example
 * const net = fuseModules(LeNet5({ activation: 'relu' })); // C1 + ReLU and C3 + ReLU fused
 * net.evaluate(); noGrad(() => net.forward(x));
 */
export function fuseModules(net: Sequential): Sequential {
  const children = net.children();
  const fused: Module[] = [];
  for (let i = 0; i < children.length; i++) {
    const m = children[i]!;
    const next = children[i + 1];
    if (m.constructor === SpatialConvolution && next !== undefined && isReLU(next)) {
      fused.push(new SpatialConvolutionReLU(m as SpatialConvolution), new Identity());
      i++;
    } else {
      fused.push(m instanceof Sequential ? fuseModules(m) : m);
    }
  }
  return new Sequential(...fused).train(net.training);
}

function isReLU(m: Module): boolean {
  return m.constructor === ReLU || (m.constructor === Threshold && (m as Threshold).th === 0 && (m as Threshold).val === 0);
}
