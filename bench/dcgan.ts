import { Adam, Generator, Tensor, kernels, noGrad, type BackendChoice, type Module } from '@eole/core';
import { DCGANDiscriminator, DCGANGenerator, discriminatorLoss, generatorLoss } from '@eole/gan';
import { maxAbsDiff, time, withThreads } from './measure.js';
import { profileStep, type StepProfile } from './profile.js';
import { dispatch, measuredRow, withRatios, type Row } from './report.js';
import { registerTfGradients, tf, tfWasmFeatures, useTfBackend } from './tfjs.js';
import { WASM_SHIM_NOTE, registerWasmConv2DBackpropFilter } from './wasmConvShim.js';

const BATCH = 64;
const NZ = 64;
const NGF = 32;
const NDF = 32;
const LR = 2e-4;
const BETAS: [number, number] = [0.5, 0.999];
const ADAM_EPS = 1e-8;
/** Batch normalization's epsilon and running-statistics momentum (Torch7's and PyTorch's defaults, Eole's too). */
const BN_EPS = 1e-5;
const BN_MOMENTUM = 0.1;
/**
 * tfjs cpu is not run: one step took about 100 s there (2026-12-02, 2-core AMD EPYC under load:
 * its conv2dTranspose and convolution gradients are plain JS loops), some 100× tfjs wasm, and two
 * checked steps alone would be over three minutes. Its losses of steps 1 and 2 agreed with Eole's to 5 decimals.
 */
export const DCGAN_TFJS_CPU_NOTE =
  'DCGAN: tfjs cpu is not run: one step took about 100 s there when tried (its conv2dTranspose and convolution gradients are plain JavaScript loops), some 100× tfjs wasm, over this benchmark\'s time budget; its (D, G) losses of steps 1 and 2 then agreed with Eole\'s to 5 decimals.';

/**
 * How one parameter goes from Eole's layout to tfjs's: viewed as `view` (same data), its axes
 * permuted by `perm`, then read as `tf` (same data again). The generator's Linear writes planes
 * of 7×7 (View(64, 7, 7), NCHW) where tfjs wants NHWC, so its output units are reordered; the
 * discriminator's Linear reads an NCHW flattening, so its input units are; (transposed)
 * convolution kernels go from [O, I, kH, kW] (Eole's SpatialFullConvolution: [in, out, kH, kW])
 * to tfjs's [kH, kW, I, O] (conv2dTranspose: [kH, kW, out, in]), the same permutation.
 */
interface Layout {
  /** The parameter's name in `net.namedParameters()` (module index in the Sequential, then weight or bias). */
  name: string;
  eole: readonly number[];
  view: readonly number[];
  perm: readonly number[];
  tf: readonly number[];
  /**
   * A bias that feeds a batch normalization: its gradient is exactly 0 (BN subtracts the batch
   * mean), so what each side computes is rounding noise and Adam moves it by ±lr on the noise's
   * sign. The check leaves these out (they still train and are timed). The nets may also have
   * none (PyTorch's DCGAN: `bias=False` before BN); the bench takes whichever the nets have.
   */
  beforeBN?: boolean;
}

const same = (name: string, shape: readonly number[], beforeBN = false): Layout => ({ name, eole: shape, view: shape, perm: shape.map((_, i) => i), tf: shape, ...(beforeBN ? { beforeBN } : {}) });
const conv = (name: string, a: number, b: number, k: number): Layout => ({ name, eole: [a, b, k, k], view: [a, b, k, k], perm: [2, 3, 1, 0], tf: [k, k, b, a] });

const G0 = 2 * NGF;
const D1 = 2 * NDF;
/** The generator's parameters: Linear 0, BN 2, SpatialFullConvolution 4, BN 5, SpatialFullConvolution 7. */
const G_LAYOUT: readonly Layout[] = [
  { name: '0.weight', eole: [G0 * 49, NZ], view: [G0, 49, NZ], perm: [2, 1, 0], tf: [NZ, 49 * G0] },
  { name: '0.bias', eole: [G0 * 49], view: [G0, 49], perm: [1, 0], tf: [49 * G0], beforeBN: true },
  same('2.weight', [G0]),
  same('2.bias', [G0]),
  conv('4.weight', G0, NGF, 4),
  same('4.bias', [NGF], true),
  same('5.weight', [NGF]),
  same('5.bias', [NGF]),
  conv('7.weight', NGF, 1, 4),
  same('7.bias', [1]),
];
/** The discriminator's parameters: SpatialConvolution 0 and 2, BN 3, Linear 6. */
const D_LAYOUT: readonly Layout[] = [
  conv('0.weight', NDF, 1, 4),
  same('0.bias', [NDF]),
  conv('2.weight', D1, NDF, 4),
  same('2.bias', [D1], true),
  same('3.weight', [D1]),
  same('3.bias', [D1]),
  { name: '6.weight', eole: [1, D1 * 49], view: [D1, 49], perm: [1, 0], tf: [49 * D1, 1] },
  same('6.bias', [1]),
];

/** `src` viewed as `shape`, its axes permuted by `perm` (a copy, row-major). */
function permute(src: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = new Float32Array(src.length);
  const n = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const srcStride = new Array<number>(n);
  for (let i = n - 1, s = 1; i >= 0; i--) {
    srcStride[i] = s;
    s *= shape[i]!;
  }
  const stride = perm.map((p) => srcStride[p]!);
  const idx = new Array<number>(n).fill(0);
  for (let o = 0; o < out.length; o++) {
    let at = 0;
    for (let k = 0; k < n; k++) at += idx[k]! * stride[k]!;
    out[o] = src[at]!;
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

function toTf(w: Float32Array, l: Layout): Float32Array {
  return permute(w, l.view, l.perm);
}

function fromTf(w: Float32Array, l: Layout): Float32Array {
  const inv = l.perm.map((_, i) => l.perm.indexOf(i));
  return permute(w, l.perm.map((p) => l.view[p]!), inv);
}

/** The seeded inputs and initial weights every implementation sees. */
interface Data {
  /** Real batch [64, 1, 28, 28] in (−1, 1), the generator's range (with one plane, NCHW and NHWC agree). */
  real: Float32Array;
  /** Latent codes [64, 64] ~ N(0, 1), used by the D step and the G step alike. */
  z: Float32Array;
  /** The layouts of the parameters the nets have, in `parameters()` order, and their initial values. */
  gLayout: readonly Layout[];
  dLayout: readonly Layout[];
  g: Float32Array[];
  d: Float32Array[];
}

/** One implementation: `step()` is one D step then one G step, returning their losses. */
interface Impl {
  step(): [number, number];
  /** The generator's parameters then the discriminator's, in Eole's layout. */
  params(): Float32Array[];
  dispose(): void;
}

/** The layouts of `net`'s parameters, in its order; throws when the net is not the architecture this bench mirrors. */
function layoutOf(net: Module, all: readonly Layout[], what: string): Layout[] {
  const has = net.namedParameters().map(([name, p]) => `${name}:${p.shape.join('×')}`);
  const out = all.filter((l) => has.includes(`${l.name}:${l.eole.join('×')}`));
  if (out.length !== has.length || all.some((l) => !l.beforeBN && !out.includes(l))) {
    throw new Error(`dcgan bench: ${what} parameters are [${has.join(', ')}], expected [${all.map((l) => `${l.name}:${l.eole.join('×')}`).join(', ')}] (the biases before BN optional)`);
  }
  return out;
}

/**
 * Eole: D step (zero grads; G(z) without a graph, as `.detach()` would leave it; D on the real
 * batch and on the fakes; discriminatorLoss backward; Adam), then G step (zero grads; D's
 * parameters frozen, `requires_grad = False`, so the backward through D computes only the input
 * gradient; generatorLoss(D(G(z))) backward; Adam).
 */
function eoleImpl(data: Data, backend: BackendChoice): Impl {
  const G = DCGANGenerator({ nz: NZ, ngf: NGF, rng: new Generator(0) });
  const D = DCGANDiscriminator({ ndf: NDF, rng: new Generator(0) });
  G.parameters().forEach((p, i) => p.data.set(data.g[i]!));
  D.parameters().forEach((p, i) => p.data.set(data.d[i]!));
  const real = Tensor.from(data.real, [BATCH, 1, 28, 28]);
  const z = Tensor.from(data.z, [BATCH, NZ]);
  const optG = new Adam(G.parameters(), { lr: LR, betas: BETAS, eps: ADAM_EPS });
  const optD = new Adam(D.parameters(), { lr: LR, betas: BETAS, eps: ADAM_EPS });
  const dParams = D.parameters();
  return {
    step: () =>
      kernels.withBackend(backend, () => {
        G.train();
        D.train();
        optD.zeroGrad();
        const fake = noGrad(() => G.forward(z));
        const lossD = discriminatorLoss(D.forward(real), D.forward(fake));
        lossD.backward();
        optD.step();

        optG.zeroGrad();
        for (const p of dParams) p.requiresGrad_(false);
        try {
          const lossG = generatorLoss(D.forward(G.forward(z)));
          lossG.backward();
          optG.step();
          return [lossD.item(), lossG.item()];
        } finally {
          for (const p of dParams) p.requiresGrad_(true);
        }
      }),
    params: () => [...G.parameters(), ...D.parameters()].map((p) => p.data.slice()),
    dispose: () => undefined,
  };
}

/**
 * The same two nets in tfjs-core ops, NHWC: matMul, conv2dTranspose (4×4, stride 2, pad 1),
 * conv2d (same), moments + batchNorm in training mode (running statistics updated, momentum 0.1,
 * unbiased variance, as Eole), relu, leakyRelu(0.2), tanh, tf.losses.sigmoidCrossEntropy on the
 * logits; one tf.train.adam(2e-4, 0.5, 0.999, 1e-8) per net, `optimizer.minimize` over that net's
 * variables (so the G step's backward through D computes no gradient for D's weights, as Eole's).
 */
function tfImpl(data: Data): Impl {
  const vars = (init: Float32Array[], layout: readonly Layout[]): tf.Variable[] =>
    tf.tidy(() => init.map((w, i) => tf.variable(tf.tensor(toTf(w, layout[i]!), [...layout[i]!.tf]), true)));
  const g = vars(data.g, data.gLayout);
  const d = vars(data.d, data.dLayout);
  const byName = (vs: tf.Variable[], layout: readonly Layout[]): Map<string, tf.Variable> => new Map(layout.map((l, i) => [l.name, vs[i]!]));
  const gv = byName(g, data.gLayout);
  const dv = byName(d, data.dLayout);
  const at = (m: Map<string, tf.Variable>, name: string): tf.Variable => m.get(name)!;
  /** `h` plus the bias `name`, or `h` where the net has no such bias. */
  const bias = <T extends tf.Tensor>(h: T, m: Map<string, tf.Variable>, name: string): T => (m.has(name) ? tf.add(h, m.get(name)!) : h);
  const running = (c: number): [tf.Variable, tf.Variable] => tf.tidy(() => [tf.variable(tf.zeros([c]), false), tf.variable(tf.ones([c]), false)]);
  const bnG1 = running(G0);
  const bnG2 = running(NGF);
  const bnD = running(D1);
  const real = tf.tensor4d(data.real, [BATCH, 28, 28, 1]);
  const z = tf.tensor2d(data.z, [BATCH, NZ]);
  const ones = tf.ones([BATCH, 1]);
  const zeros = tf.zeros([BATCH, 1]);
  const optG = tf.train.adam(LR, BETAS[0], BETAS[1], ADAM_EPS);
  const optD = tf.train.adam(LR, BETAS[0], BETAS[1], ADAM_EPS);

  const bn = (x: tf.Tensor4D, gamma: tf.Variable, beta: tf.Variable, [rm, rv]: [tf.Variable, tf.Variable]): tf.Tensor4D => {
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = x.size / x.shape[3];
    rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
    rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(variance, (BN_MOMENTUM * n) / (n - 1))));
    return tf.batchNorm4d(x, mean as tf.Tensor1D, variance as tf.Tensor1D, beta as tf.Tensor1D, gamma as tf.Tensor1D, BN_EPS);
  };
  const generate = (): tf.Tensor4D => {
    let h = tf.reshape(bias(tf.matMul(z, at(gv, '0.weight')), gv, '0.bias'), [BATCH, 7, 7, G0]) as tf.Tensor4D;
    h = tf.relu(bn(h, at(gv, '2.weight'), at(gv, '2.bias'), bnG1));
    h = bias(tf.conv2dTranspose(h, at(gv, '4.weight') as tf.Tensor4D, [BATCH, 14, 14, NGF], 2, 1), gv, '4.bias');
    h = tf.relu(bn(h, at(gv, '5.weight'), at(gv, '5.bias'), bnG2));
    h = bias(tf.conv2dTranspose(h, at(gv, '7.weight') as tf.Tensor4D, [BATCH, 28, 28, 1], 2, 1), gv, '7.bias');
    return tf.tanh(h);
  };
  const discriminate = (x: tf.Tensor4D): tf.Tensor => {
    let h = tf.leakyRelu(bias(tf.conv2d(x, at(dv, '0.weight') as tf.Tensor4D, 2, 1), dv, '0.bias'), 0.2);
    h = bias(tf.conv2d(h, at(dv, '2.weight') as tf.Tensor4D, 2, 1), dv, '2.bias');
    h = tf.leakyRelu(bn(h, at(dv, '3.weight'), at(dv, '3.bias'), bnD), 0.2);
    return bias(tf.matMul(tf.reshape(h, [BATCH, 49 * D1]), at(dv, '6.weight')), dv, '6.bias');
  };
  const bce = (labels: tf.Tensor, logits: tf.Tensor): tf.Scalar => tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
  const scalar = (t: tf.Scalar): number => {
    const v = t.dataSync()[0]!;
    t.dispose();
    return v;
  };
  return {
    step: () => {
      const fake = tf.tidy(generate);
      const lossD = optD.minimize(() => tf.add(bce(ones, discriminate(real)), bce(zeros, discriminate(fake))) as tf.Scalar, true, d)!;
      fake.dispose();
      const lossG = optG.minimize(() => bce(ones, discriminate(generate())), true, g)!;
      return [scalar(lossD), scalar(lossG)];
    },
    params: () => [...g.map((v, i) => fromTf(v.dataSync() as Float32Array, data.gLayout[i]!)), ...d.map((v, i) => fromTf(v.dataSync() as Float32Array, data.dLayout[i]!))],
    dispose: () => {
      for (const t of [...g, ...d, ...bnG1, ...bnG2, ...bnD, real, z, ones, zeros]) t.dispose();
      optG.dispose();
      optD.dispose();
    },
  };
}

/**
 * The (D, G) losses of two steps from the shared start, then every parameter but the biases that
 * feed a batch normalization (see {@link Layout.beforeBN}): what must agree.
 */
function fingerprint(impl: Impl, data: Data): Float32Array {
  const losses = [...impl.step(), ...impl.step()];
  const layout = [...data.gLayout, ...data.dLayout];
  const params = impl.params().filter((_, i) => !layout[i]!.beforeBN);
  const out = new Float32Array(losses.length + params.reduce((n, p) => n + p.length, 0));
  out.set(losses);
  let o = losses.length;
  for (const p of params) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Said under the table when the tfjs wasm row trains through the shim. */
export const DCGAN_SHIM_NOTE = `DCGAN: tfjs wasm trains through the benchmark's Conv2DBackpropFilter shim (the filter gradient of conv2d and of conv2dTranspose): ${WASM_SHIM_NOTE}`;

/**
 * One DCGAN training step at batch 64 (issue 15): DCGANGenerator({ nz: 64, ngf: 32 }) and
 * DCGANDiscriminator({ ndf: 32 }) from @eole/gan, Adam lr 2e-4, betas (0.5, 0.999) for both; a D
 * step on a seeded real batch and G(z), then a G step through D on the same z. Eole (auto dispatch,
 * once per count of `threads`, with its launches per step and a `kernels.profile` of one step)
 * against the same nets in tfjs-core ops on tfjs wasm (not tfjs cpu: {@link DCGAN_TFJS_CPU_NOTE});
 * both from the same initial weights (Eole's N(0, 0.02)
 * init, converted to NHWC), results checked against Eole auto at 1 thread.
 */
export async function benchDcgan(threads: readonly number[]): Promise<{ rows: Row[]; profiles: StepProfile[]; notes: string[] }> {
  const bench = `DCGAN training step (D + G), batch ${BATCH}`;
  const rng = new Generator(2015);
  const G = DCGANGenerator({ nz: NZ, ngf: NGF, rng: new Generator(1) });
  const D = DCGANDiscriminator({ ndf: NDF, rng: new Generator(2) });
  const data: Data = {
    gLayout: layoutOf(G, G_LAYOUT, 'DCGANGenerator'),
    dLayout: layoutOf(D, D_LAYOUT, 'DCGANDiscriminator'),
    real: Tensor.uniform([BATCH, 1, 28, 28], rng, -1, 1).data,
    z: Tensor.randn([BATCH, NZ], rng).data,
    g: G.parameters().map((p) => p.data.slice()),
    d: D.parameters().map((p) => p.data.slice()),
  };

  await registerTfGradients();
  const rows: Row[] = [];
  const profiles: StepProfile[] = [];
  const notes: string[] = [];
  let reference: Float32Array | null = null;
  const lossNote = (fp: Float32Array): string => `(D, G) losses of steps 1 and 2: (${fp[0]!.toFixed(5)}, ${fp[1]!.toFixed(5)}), (${fp[2]!.toFixed(5)}, ${fp[3]!.toFixed(5)})`;
  const add = (id: string, impl: string, backend: string, ours: boolean, make: () => Impl, warmup: number, reps: number): void => {
    const trainer = make();
    const fp = fingerprint(trainer, data);
    for (let i = 0; i < 4; i++) if (!Number.isFinite(fp[i]!)) throw new Error(`dcgan bench: ${id} gave a non-finite loss (${lossNote(fp)})`);
    reference ??= fp;
    const timing = time(() => void trainer.step(), { warmup, reps });
    if (ours && id.startsWith('eole.auto.')) profiles.push(profileStep(`dcgan.${id}`, bench, () => trainer.step()));
    trainer.dispose();
    rows.push(
      measuredRow({
        id: `dcgan.${id}`,
        bench,
        impl,
        backend,
        ours,
        timing,
        trainingStep: true,
        throughput: { value: BATCH / (timing.medianMs / 1000), unit: 'samples/s' },
        maxAbsDiff: maxAbsDiff(fp, reference),
        note: lossNote(fp),
      }),
    );
  };

  for (const t of threads) await withThreads(t, () => add(`eole.auto.t${t}`, `Eole DCGAN G + D, Adam, ${dispatch()}`, '', true, () => eoleImpl(data, 'auto'), 2, 9));
  const tfjs = 'tfjs-core ops, optimizer.minimize (Adam)';
  await useTfBackend('wasm');
  const f = tfWasmFeatures();
  const shim = registerWasmConv2DBackpropFilter();
  if (shim) notes.push(DCGAN_SHIM_NOTE);
  const wasmLabel = `tfjs wasm (${f.simd ? 'SIMD' : 'no SIMD'}, ${f.threads ? 'threads' : '1 thread'})${shim ? ' + our Conv2DBackpropFilter shim' : ''}`;
  add('tfjs.wasm', tfjs, wasmLabel, false, () => tfImpl(data), 2, 9);
  notes.push(DCGAN_TFJS_CPU_NOTE);
  return { rows: withRatios(rows, rows[0]!), profiles, notes };
}
