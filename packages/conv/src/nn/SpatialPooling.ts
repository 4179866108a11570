import { Module } from '@eole/core';
import { checkWindow, describeWindow, type PoolWindow } from '../geometry/poolGeometry.js';

/**
 * What Torch7's spatial pooling modules share: a kW×kH window moved by dW, dH over zero-padded
 * planes, with output sizes rounded down (`floor()`, the default) or up (`ceil()`).
 * {@link SpatialMaxPooling} and {@link SpatialAveragePooling} build on it.
 */
export abstract class SpatialPooling extends Module {
  /** Whether output sizes round up (Torch7 `ceil_mode`). */
  ceilMode = false;

  constructor(
    readonly kW: number,
    readonly kH: number,
    readonly dW: number,
    readonly dH: number,
    readonly padW: number,
    readonly padH: number,
  ) {
    super();
    checkWindow(new.target.name, this);
  }

  /** Output sizes round up (Torch7 `:ceil()`). */
  ceil(): this {
    this.ceilMode = true;
    return this;
  }

  /** Output sizes round down, the default (Torch7 `:floor()`). */
  floor(): this {
    this.ceilMode = false;
    return this;
  }

  /** The window as the pooling ops take it. */
  get window(): PoolWindow {
    return { kW: this.kW, kH: this.kH, dW: this.dW, dH: this.dH, padW: this.padW, padH: this.padH, ceil: this.ceilMode };
  }

  override toString(): string {
    return `${this.typeName()}(${describeWindow(this)})`;
  }
}
