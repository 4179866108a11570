import { Module, type Tensor } from '@eole/core';

/**
 * A generator and its discriminator held as one module, so one state dict (`generator.*`,
 * `discriminator.*`) and one checkpoint hold both nets. `forward(z)` runs the generator; the
 * discriminator is reached as `gan.discriminator`. Goodfellow et al., "Generative adversarial
 * nets" (NIPS 2014).
 *
 * @example
 * const gan = new GAN(DCGANGenerator({ rng }), DCGANDiscriminator({ rng }));
 * gan.forward(latentNoise(16, 64, rng)).shape; // [16, 1, 28, 28]
 * [...gan.stateDict().keys()][0];               // 'generator.0.weight'
 */
export class GAN extends Module {
  readonly generator: Module;
  readonly discriminator: Module;

  constructor(generator: Module, discriminator: Module) {
    super();
    this.generator = this.registerModule('generator', generator);
    this.discriminator = this.registerModule('discriminator', discriminator);
  }

  /** G(z): samples from latent codes (or from what a conditional generator takes). */
  protected updateOutput(z: Tensor): Tensor {
    return this.generator.forward(z);
  }

  override toString(): string {
    const indent = (s: string): string => s.split('\n').join('\n  ');
    return `${this.typeName()} {\n  generator: ${indent(this.generator.toString())}\n  discriminator: ${indent(this.discriminator.toString())}\n}`;
  }
}
