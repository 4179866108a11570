import { concat, formatShape, Module, ShapeError, Tensor } from '@eole/core';

/**
 * Minibatch standard deviation (Karras, Aila, Laine & Lehtinen, "Progressive growing of GANs for
 * improved quality, stability, and variation", ICLR 2018, §3): appends to x [N, C, H, W] one plane
 * holding, everywhere, the mean over channels and positions of the standard deviation across the
 * batch,
 *
 *   s = mean_{c,h,w} √(var_n x[n, c, h, w] + ε),   y = [x, s·1] ∈ ℝ^{N × (C+1) × H × W}.
 *
 * In a discriminator it shows how varied a batch is, so a generator that collapses onto a few
 * modes (low variation) is easy to reject: a cheap cousin of Salimans et al.'s minibatch
 * discrimination (2016). No parameters; composed of autograd ops.
 *
 * @example
 * const m = new MinibatchStdDev();
 * m.forward(Tensor.randn([8, 64, 7, 7], rng)).shape; // [8, 65, 7, 7]
 * DCGANDiscriminator({ minibatchStd: true });        // inserted before the last layer
 */
export class MinibatchStdDev extends Module {
  constructor(readonly eps = 1e-8) {
    super();
  }

  protected updateOutput(x: Tensor): Tensor {
    if (x.ndim !== 4 || x.shape[0]! < 2) throw new ShapeError('MinibatchStdDev', `input must be [N, C, H, W] with N >= 2, got ${formatShape(x.shape)}`);
    const [n, , h, w] = x.shape as [number, number, number, number];
    const std = x.sub(x.mean(0, true)).square().mean(0).add(this.eps).sqrt();
    const plane = Tensor.zeros([n, 1, h, w]).add(std.mean().reshape(1, 1, 1, 1));
    return concat([x, plane], 1);
  }

  override toString(): string {
    return `${this.typeName()}(+1 plane)`;
  }
}
