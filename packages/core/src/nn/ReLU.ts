import { Threshold } from './Threshold.js';

/**
 * Rectified linear unit, y = max(0, x) (Nair & Hinton, 2010); Torch7's `nn.ReLU` is a
 * {@link Threshold} at 0 with value 0. The gradient is 1 where x > 0, else 0.
 *
 * @example
 * new ReLU().forward(Tensor.from([-2, 3])).toArray(); // [0, 3]
 */
export class ReLU extends Threshold {
  constructor() {
    super(0, 0);
  }

  override toString(): string {
    return this.typeName();
  }
}
