import { concat, Generator, noGrad, Tensor, type Module } from '@eole/core';
import type { ModuleCase } from '@eole/core/testing';
import { DCGANDiscriminator, DCGANGenerator, GAN, LAPGAN, LAPGANDiscriminator, LAPGANGenerator, MinibatchStdDev, MLPDiscriminator, MLPGenerator, MultiScaleDiscriminator, MultiScaleGenerator, normalInit, oneHot } from '../portable.js';

// Small nets: every check of the kit (gradcheck, Torch7 backward, cpu/webasm parity, threads, round trip).
// In training mode a DCGAN net's batch normalization makes every unit depend on the whole batch, so
// a finite-difference step moves many ReLU / LeakyReLU inputs at once and some cross the kink: the
// gradient check runs on the evaluate-mode nets (BN with warmed running statistics, affine per
// unit), with weights redrawn at std 0.5 (at DCGAN's 0.02 a float32 step of 1e-3 is 5% of a
// weight); the training-mode nets take every other check. Every layer inside is gradchecked in
// training mode in its own package's tests.
const warm = <M extends Module>(m: M, input: Tensor): M => {
  noGrad(() => m.forward(input));
  return m.evaluate();
};
const evalG = (rng: Generator): Module => warm(normalInit(DCGANGenerator({ nz: 3, ngf: 2, rng }), rng, 0.5), Tensor.randn([6, 3], new Generator(9)));
const evalD = (classes: number) => (rng: Generator): Module => warm(normalInit(DCGANDiscriminator({ ndf: 2, classes, rng }), rng, 0.2), Tensor.randn([6, 1 + classes, 28, 28], new Generator(9)));
// A smaller step, so that fewer of the thousands of ReLU inputs cross their kink within it.
const fine = { eps: 1e-4, atol: 1e-2 };
const notGradcheck = ['backward', 'parity', 'threads', 'roundTrip'] as const;
/**
 * The GAN nets (MLP and DCGAN generators and discriminators, minibatch std, the GAN pair) as
 * {@link ModuleCase} rows: test/nets.test.ts runs them with `testModules`; the browser parity page
 * runs them on WebGL against `cpu`.
 *
 * @example
 * testModules(test, GAN_NETS_CASES);
 */
export const GAN_NETS_CASES: Readonly<Record<string, ModuleCase>> = {
  MLPGenerator: { make: (rng) => MLPGenerator({ nz: 3, hidden: 5, outputs: 6, rng }), shape: [4, 3], parityShape: [16, 3] },
  'MLPGenerator (conditional)': { make: (rng) => MLPGenerator({ nz: 3, hidden: 5, outputs: 6, classes: 2, rng }), shape: [4, 5] },
  MLPDiscriminator: { make: (rng) => MLPDiscriminator({ inputs: 6, hidden: 5, dropout: 0, rng }), shape: [4, 6], parityShape: [16, 6] },
  DCGANGenerator: { make: (rng) => DCGANGenerator({ nz: 3, ngf: 2, rng }), shape: [3, 3], parityShape: [8, 3], launches: 'some', checks: notGradcheck },
  'DCGANGenerator (evaluate)': { make: evalG, shape: [3, 3], grad: fine, checks: ['gradcheck'] },
  DCGANDiscriminator: { make: (rng) => DCGANDiscriminator({ ndf: 2, rng }), shape: [3, 1, 28, 28], parityShape: [6, 1, 28, 28], launches: 'some', checks: notGradcheck },
  'DCGANDiscriminator (evaluate)': { make: evalD(0), shape: [2, 1, 28, 28], checks: ['gradcheck'] },
  // The conditional discriminator is the same net with more input planes; with 3 planes of noise its
  // first layer's 392 LeakyReLU inputs per weight leave no kink-free step, so no gradcheck here.
  'DCGANDiscriminator (conditional, evaluate)': { make: evalD(2), shape: [2, 3, 28, 28], checks: ['backward', 'roundTrip'] },
  MinibatchStdDev: { make: () => new MinibatchStdDev(), shape: [3, 2, 3, 4], parityShape: [8, 4, 7, 7], launches: 'some' },
  'DCGANDiscriminator (minibatch std)': { make: (rng) => DCGANDiscriminator({ ndf: 2, minibatchStd: true, rng }), shape: [3, 1, 28, 28], launches: 'some', checks: notGradcheck },
  GAN: { make: (rng) => new GAN(MLPGenerator({ nz: 2, hidden: 4, outputs: 3, rng }), MLPDiscriminator({ inputs: 3, hidden: 4, dropout: 0, rng })), shape: [3, 2], checks: ['roundTrip'] },
};

const hot = (n: number, width: number, classes: number) => (_: number[], rng: Generator): Tensor =>
  concat([Tensor.randn([n, width], rng), oneHot(Array.from({ length: n }, (_, i) => i % classes), classes)], 1);
const tiny = { nz: 3, ngf: 3, ndf: 3 };
/** Weights from N(0, 0.3), BN scales from N(1, 0.3): with DCGAN's N(0, 0.02) a convolution before a batch normalization is so
 * small that a finite-difference step of 1e-3 leaves the linear regime of the normalization. */
const wide = <M extends Module>(m: M, rng: Generator): M => normalInit(m, rng, 0.3);

/**
 * LAPGAN (Denton et al. 2015): its band-pass and coarsest generators and discriminators, and the
 * whole pyramid, as {@link ModuleCase} rows (test/lapgan.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, GAN_LAPGAN_CASES);
 */
export const GAN_LAPGAN_CASES: Readonly<Record<string, ModuleCase>> = {
  'LAPGANGenerator band-pass (6×6)': { make: (rng) => wide(LAPGANGenerator({ size: 6, ngf: 3, rng }), rng), shape: [2, 2, 6, 6], parityShape: [4, 2, 14, 14] },
  'LAPGANGenerator band-pass, 2 classes': { make: (rng) => wide(LAPGANGenerator({ size: 5, ngf: 3, classes: 2, rng }), rng), shape: [4, 4, 5, 5], checks: ['gradcheck', 'backward', 'roundTrip'] },
  'LAPGANGenerator coarsest (4×4)': { make: (rng) => wide(LAPGANGenerator({ size: 4, coarsest: true, nz: 5, ngf: 3, rng }), rng), shape: [2, 5], parityShape: [8, 5] },
  'LAPGANDiscriminator band-pass (8×8)': { make: (rng) => wide(LAPGANDiscriminator({ size: 8, ndf: 3, rng }), rng), shape: [2, 2, 8, 8] },
  'LAPGANDiscriminator coarsest (7×7, 2 classes)': { make: (rng) => wide(LAPGANDiscriminator({ size: 7, coarsest: true, classes: 2, ndf: 3, rng }), rng), shape: [2, 3, 7, 7] },
  'LAPGAN 8 → 4': {
    make: (rng) => new LAPGAN({ size: 8, levels: 2, ...tiny, rng }),
    shape: [3, 3 + 64],
    trained: (m) => void m.forward(Tensor.randn([3, 67], new Generator(5))),
    checks: ['roundTrip'],
  },
  'LAPGAN 28 → 14 → 7, 3 classes': {
    make: (rng) => new LAPGAN({ levels: 3, classes: 3, ...tiny, rng }),
    shape: [3, 3 + 784 + 196],
    input: hot(3, 983, 3),
    trained: (m) => void m.forward(hot(3, 983, 3)([], new Generator(5))),
    checks: ['roundTrip'],
  },
};

/** A small `MultiScaleGenerator` (3 planes per scale, 3×3 kernels) for the video-prediction tests. */
export const smallG = (rng: Generator, scales = 3, context = 2): MultiScaleGenerator =>
  new MultiScaleGenerator({ context, scales, planes: Array.from({ length: scales }, () => [3]), kernels: Array.from({ length: scales }, () => [3, 3]), rng });

/**
 * Every ReLU active (biases 1, weights scaled by 0.2): finite differences then check the plumbing (pyramid, up-sampling,
 * concatenation, the scales' order) without crossing a kink, which a random net of several ReLU layers does at some step.
 */
export function linearRegime<M extends Module>(m: M): M {
  for (const [name, p] of m.namedParameters()) {
    if (name.endsWith('bias')) p.data.fill(1);
    else p.data.forEach((v, i) => (p.data[i] = 0.2 * v));
  }
  return m;
}

/**
 * Video prediction (Mathieu et al. 2016): the multi-scale generator and discriminator as
 * {@link ModuleCase} rows (test/videoPrediction.test.ts and the browser parity page).
 *
 * @example
 * testModules(test, GAN_VIDEO_PREDICTION_CASES);
 */
export const GAN_VIDEO_PREDICTION_CASES: Readonly<Record<string, ModuleCase>> = {
  // launches 'some': pyramidDown/pyramidUp cache their border masses, made by the first (cpu) run only.
  'MultiScaleGenerator 3 scales, K = 2 (8×8)': { make: (rng) => linearRegime(smallG(rng)), shape: [2, 2, 8, 8], parityShape: [4, 2, 32, 32], parityTol: 1e-4, launches: 'some' },
  'MultiScaleGenerator 1 scale, K = 3 (6×5)': { make: (rng) => smallG(rng, 1, 3), shape: [2, 3, 6, 5] },
  'MultiScaleDiscriminator 3 scales, K = 2 (8×8)': { make: (rng) => linearRegime(new MultiScaleDiscriminator({ context: 2, size: 8, scales: 3, ndf: 2, hidden: 4, rng })), shape: [2, 3, 8, 8], parityShape: [4, 3, 8, 8], launches: 'some' },
};
