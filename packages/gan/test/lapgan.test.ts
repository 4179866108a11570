import test from 'ava';
import { Adam, concat, fromArray, Generator, noGrad, Tensor } from '@eole/core';
import { checkGrad, checkOp, testModules, type OracleInput } from '@eole/core/testing';
import {
  adversarialTrain,
  binomialKernel,
  gaussianPyramid,
  LAPGAN,
  LAPGANDiscriminator,
  LAPGANGenerator,
  laplacianPyramid,
  oneHot,
  pyramidDown,
  pyramidUp,
  reconstructLaplacian,
} from '@eole/gan';
import { GAN_LAPGAN_CASES } from '@eole/gan/testing';

const W5 = [1, 4, 6, 4, 1].map((v) => v / 16);

/** d(x) written out in float64: the 5×5 binomial blur at the even pixels, renormalised at the borders. */
function downOracle(x: OracleInput): number[] {
  const [H, W] = x.shape.slice(-2) as [number, number];
  const planes = x.data.length / (H * W);
  const out: number[] = [];
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < Math.ceil(H / 2); i++) {
      for (let j = 0; j < Math.ceil(W / 2); j++) {
        let s = 0;
        let m = 0;
        for (let a = 0; a < 5; a++) {
          for (let b = 0; b < 5; b++) {
            const [r, c] = [2 * i + a - 2, 2 * j + b - 2];
            if (r < 0 || r >= H || c < 0 || c >= W) continue;
            s += W5[a]! * W5[b]! * x.data[(p * H + r) * W + c]!;
            m += W5[a]! * W5[b]!;
          }
        }
        out.push(s / m);
      }
    }
  }
  return out;
}

/** u(x) to [h, w] written out in float64: each input pixel spread at (2p, 2q) by the binomial kernel, renormalised. */
const upOracle = (h: number, w: number) => (x: OracleInput): number[] => {
  const [H, W] = x.shape.slice(-2) as [number, number];
  const planes = x.data.length / (H * W);
  const out: number[] = [];
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = 0;
        let m = 0;
        for (let r = 0; r < H; r++) {
          for (let c = 0; c < W; c++) {
            const [a, b] = [i - 2 * r + 2, j - 2 * c + 2];
            if (a < 0 || a >= 5 || b < 0 || b >= 5) continue;
            s += W5[a]! * W5[b]! * x.data[(p * H + r) * W + c]!;
            m += W5[a]! * W5[b]!;
          }
        }
        out.push(s / m);
      }
    }
  }
  return out;
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i]! - b[i]!));
  return e;
};

test('binomialKernel: [1, 4, 6, 4, 1]/16 outer product, sums to 1', (t) => {
  const k = binomialKernel();
  t.deepEqual([...k.shape], [5, 5]);
  t.true(maxAbsDiff(k.data, W5.flatMap((a) => W5.map((b) => a * b))) < 1e-7);
  t.deepEqual(Array.from(binomialKernel(3).data), [1, 2, 1, 2, 4, 2, 1, 2, 1].map((v) => v / 16));
});

test('pyramidDown [2, 3, 7, 6] → [2, 3, 4, 3]', (t) => checkOp(t, (x) => pyramidDown(x!), { shapes: [[2, 3, 7, 6]], shape: [2, 3, 4, 3], oracle: downOracle }));
test('pyramidDown [2, 1, 28, 28] → [2, 1, 14, 14]', (t) => checkOp(t, (x) => pyramidDown(x!), { shapes: [[2, 1, 28, 28]], shape: [2, 1, 14, 14], oracle: downOracle }));
test('pyramidUp [2, 3, 4, 5] → [2, 3, 7, 10]', (t) => checkOp(t, (x) => pyramidUp(x!, [7, 10]), { shapes: [[2, 3, 4, 5]], shape: [2, 3, 7, 10], oracle: upOracle(7, 10) }));
test('pyramidUp [2, 1, 7, 7] → [2, 1, 14, 14]', (t) => checkOp(t, (x) => pyramidUp(x!), { shapes: [[2, 1, 7, 7]], shape: [2, 1, 14, 14], oracle: upOracle(14, 14) }));

test('down- and up-sampling keep a constant image constant, at the borders too; 28 → 14 → 7 → 4', (t) => {
  for (const [h, w] of [[28, 28], [14, 14], [7, 7], [5, 8]] as const) {
    const c = Tensor.full([2, 2, h, w], -0.75);
    const d = pyramidDown(c);
    t.deepEqual([...d.shape], [2, 2, Math.ceil(h / 2), Math.ceil(w / 2)]);
    t.true(maxAbsDiff(d.data, new Float32Array(d.size).fill(-0.75)) < 1e-6, `d of a constant ${h}×${w}`);
    const u = pyramidUp(c);
    t.deepEqual([...u.shape], [2, 2, 2 * h, 2 * w]);
    t.true(maxAbsDiff(u.data, new Float32Array(u.size).fill(-0.75)) < 1e-6, `u of a constant ${h}×${w}`);
    t.deepEqual([...pyramidUp(d, [h, w]).shape], [2, 2, h, w]);
  }
  const shapes = gaussianPyramid(Tensor.zeros([3, 1, 28, 28]), 4).map((g) => g.shape.join('x'));
  t.deepEqual(shapes, ['3x1x28x28', '3x1x14x14', '3x1x7x7', '3x1x4x4']);
});

test('reconstructLaplacian(laplacianPyramid(x)) == x within 1e-5; bands of a constant are zero; the gradient flows', (t) => {
  const rng = new Generator(3);
  for (const [shape, levels] of [[[4, 1, 28, 28], 3], [[2, 3, 13, 9], 4], [[2, 1, 28, 28], 1]] as const) {
    const x = Tensor.uniform([...shape], rng, -1, 1);
    const bands = laplacianPyramid(x, levels);
    t.is(bands.length, levels);
    t.deepEqual([...bands[levels - 1]!.shape], [...gaussianPyramid(x, levels)[levels - 1]!.shape], 'the coarsest level is the low-pass image');
    t.true(maxAbsDiff(reconstructLaplacian(bands).data, x.data) < 1e-5, `round trip of ${shape.join('x')} in ${levels} levels`);
  }
  const bands = laplacianPyramid(Tensor.full([1, 1, 28, 28], 0.3), 3);
  t.true(maxAbsDiff(bands[0]!.data, new Float32Array(784)) < 1e-6);
  t.true(maxAbsDiff(bands[1]!.data, new Float32Array(196)) < 1e-6);
  t.true(maxAbsDiff(bands[2]!.data, new Float32Array(49).fill(0.3)) < 1e-6);
  const x = Tensor.randn([2, 1, 8, 8], rng).requiresGrad_();
  checkGrad(t, 'reconstructLaplacian ∘ laplacianPyramid (bands scaled)', (xi) => reconstructLaplacian(laplacianPyramid(xi!, 3).map((b, k) => b.mul(k + 1))), [x]);
});

const hot = (n: number, width: number, classes: number) => (_: number[], rng: Generator): Tensor =>
  concat([Tensor.randn([n, width], rng), oneHot(Array.from({ length: n }, (_, i) => i % classes), classes)], 1);
const tiny = { nz: 3, ngf: 3, ndf: 3 };

testModules(test, GAN_LAPGAN_CASES);

/**
 * Every ReLU of the generators active (hidden biases 3) and outputs well inside the clamp (last layer ×0.2), in evaluate
 * mode: the sampler is then smooth, so finite differences check its plumbing (code offsets, concatenation order, pyramidUp,
 * class planes) without crossing a kink, which a random net near DCGAN's N(0, 0.02) init does at almost every step.
 */
function linearRegime(lapgan: LAPGAN): LAPGAN {
  for (let k = 0; k < lapgan.levels; k++) {
    const named = lapgan.level(k).generator.namedParameters();
    named.forEach(([name, p], i) => {
      if (i >= named.length - 2) p.data.forEach((v, j) => (p.data[j] = v * 0.2));
      else if (name.endsWith('bias')) p.data.fill(3);
    });
  }
  return lapgan.evaluate();
}

test('LAPGAN.forward: gradcheck through every level (codes, pyramidUp, class planes) w.r.t. the codes and the generators', (t) => {
  for (const seed of [4, 5]) {
    const lapgan = linearRegime(new LAPGAN({ size: 8, levels: 3, classes: 2, ...tiny, rng: new Generator(seed) }));
    const codes = hot(2, lapgan.codeSize, 2)([], new Generator(6)).requiresGrad_();
    const generators = [0, 1, 2].flatMap((k) => lapgan.level(k).generator.parameters());
    checkGrad(t, `LAPGAN (seed ${seed})`, (c) => lapgan.forward(c!), [codes, ...generators]);
    t.truthy(codes.grad);
    t.true(generators.every((p) => p.grad !== null), 'every generator parameter received a gradient');
    t.true(lapgan.level(0).discriminator.parameters().every((p) => p.grad === null), 'the discriminators are not part of sampling');
  }
});

test('LAPGAN: sizes, code size, samples [n, 1, 28, 28] in [−1, 1], fixed codes give fixed samples', (t) => {
  const lapgan = new LAPGAN({ ...tiny, rng: new Generator(1) });
  t.deepEqual([...lapgan.sizes], [28, 14, 7]);
  t.is(lapgan.codeSize, 3 + 784 + 196);
  t.regex(lapgan.toString(), /^nn\.LAPGAN\(28 → 14 → 7\) \{\n {2}level0 \(28×28\): nn\.GAN/);
  t.deepEqual([...lapgan.stateDict().keys()].filter((k) => k.endsWith('0.weight')).slice(0, 2), ['level0.generator.0.weight', 'level0.discriminator.0.weight']);
  lapgan.evaluate();
  const s = lapgan.sample(5, new Generator(2));
  t.deepEqual([...s.shape], [5, 1, 28, 28]);
  t.true(s.data.every((v) => Number.isFinite(v) && v >= -1 && v <= 1), 'values in [−1, 1]');
  t.deepEqual(Array.from(lapgan.sample(5, new Generator(2)).data), Array.from(s.data));
  const stages = noGrad(() => lapgan.levelImages(lapgan.codes(5, new Generator(2))));
  t.deepEqual(stages.map((i) => i.shape.join('x')), ['5x1x28x28', '5x1x14x14', '5x1x7x7'], 'levelImages: Ĩ_0, Ĩ_1, Ĩ_2');
  t.deepEqual(Array.from(stages[0]!.data), Array.from(s.data), 'forward returns Ĩ_0');
  const conditional = new LAPGAN({ classes: 10, ...tiny, rng: new Generator(1) }).evaluate();
  const c = conditional.sample(4, new Generator(3), { labels: [0, 1, 2, 3] });
  t.deepEqual([...c.shape], [4, 1, 28, 28]);
  t.true(c.data.every((v) => v >= -1 && v <= 1));
});

test('LAPGAN.levelBatches: x = h_k and y = l_k re-assemble the digits; conditioning feeds each level', (t) => {
  const rng = new Generator(7);
  const lapgan = new LAPGAN({ classes: 10, ...tiny, rng });
  const x = Tensor.uniform([4, 1, 28, 28], rng, -1, 1);
  const labels = [3, 1, 4, 1];
  const batches = lapgan.levelBatches(x, labels);
  t.deepEqual(batches.map((b) => [b.x.shape.join('x'), b.y.shape.join('x')]), [['4x1x28x28', '4x11x28x28'], ['4x1x14x14', '4x11x14x14'], ['4x1x7x7', '4']]);
  t.true(maxAbsDiff(reconstructLaplacian(batches.map((b) => b.x)).data, x.data) < 1e-5, 'the x are the Laplacian pyramid');
  t.true(maxAbsDiff(batches[0]!.x.add(batches[0]!.y.narrow(1, 0, 1)).data, x.data) < 1e-5, 'h_0 + l_0 = I_0');
  t.deepEqual(Array.from(batches[2]!.y.data), labels);
  for (let k = 0; k < 3; k++) {
    const { generator, discriminator } = lapgan.level(k);
    const c = lapgan.conditioning(k)!;
    const fake = noGrad(() => generator.forward(c.generator(lapgan.noise(k, 4, rng), batches[k]!.y)));
    t.deepEqual([...fake.shape], [...batches[k]!.x.shape], `G_${k} makes level ${k}'s x`);
    t.deepEqual([...noGrad(() => discriminator.forward(c.discriminator(fake, batches[k]!.y))).shape], [4, 1]);
  }
  const plain = new LAPGAN({ ...tiny, rng });
  t.is(plain.conditioning(2), undefined);
  t.deepEqual([...plain.levelBatches(x)[1]!.y.shape], [4, 1, 14, 14]);
});

test('LAPGAN: one level trains as an ordinary GAN with adversarialTrain', async (t) => {
  const rng = new Generator(8);
  const lapgan = new LAPGAN({ ...tiny, rng });
  const x = Tensor.uniform([8, 1, 28, 28], rng, -1, 1);
  const k = 1;
  const batch = lapgan.levelBatches(x)[k]!;
  const { generator, discriminator } = lapgan.level(k);
  const before = Float32Array.from(generator.parameters()[0]!.data);
  const events = await new Promise<string[]>((resolve, reject) => {
    const types: string[] = [];
    adversarialTrain({
      generator,
      discriminator,
      generatorOptimizer: new Adam(generator.parameters(), { lr: 1e-3 }),
      discriminatorOptimizer: new Adam(discriminator.parameters(), { lr: 1e-3 }),
      data: fromArray([batch, batch]),
      noise: (n) => lapgan.noise(k, n, rng),
      conditioning: lapgan.conditioning(k)!,
      epochs: 1,
    }).subscribe({ next: (e) => types.push(e.type), error: reject, complete: () => resolve(types) });
  });
  t.deepEqual(events, ['start', 'step', 'step', 'epoch', 'done']);
  t.true(maxAbsDiff(before, generator.parameters()[0]!.data) > 0, 'G_1 was updated');
});

test('bad arguments give errors that name the argument and the expected shape', (t) => {
  t.throws(() => pyramidDown(Tensor.zeros([4, 4])), { message: 'pyramidDown: expected x [N, C, H, W], got [4, 4]' });
  t.throws(() => pyramidUp(Tensor.zeros([1, 1, 4, 4]), [9, 8]), { message: /pyramidUp: size must be \[7 or 8, 7 or 8\] for x \[1, 1, 4, 4\], got \[9,8\]/ });
  t.throws(() => gaussianPyramid(Tensor.zeros([1, 1, 28, 28]), 0), { message: 'gaussianPyramid: levels must be a positive integer, got 0' });
  t.throws(() => laplacianPyramid(Tensor.zeros([1, 1, 4, 4]), 4), { message: /laplacianPyramid: x \[1, 1, 4, 4\] is 1×1 at level 2, too small for 4 levels/ });
  t.throws(() => reconstructLaplacian([]), { message: /reconstructLaplacian: pyramid must hold at least one level/ });
  t.throws(() => reconstructLaplacian([Tensor.zeros([1, 1, 28, 28]), Tensor.zeros([1, 1, 7, 7])]), { message: 'reconstructLaplacian: level 0 [1, 1, 28, 28] expects level 1 [1, 1, 14, 14], got [1, 1, 7, 7]' });
  t.throws(() => binomialKernel(0), { message: /binomialKernel: size must be a positive integer, got 0/ });
  t.throws(() => LAPGANGenerator({ size: 28, ngf: 0 }), { message: 'LAPGANGenerator: ngf must be an integer ≥ 1, got 0' });
  t.throws(() => LAPGANDiscriminator({ size: 3 }), { message: /LAPGANDiscriminator: size must be ≥ 4 for a band-pass level/ });
  t.throws(() => new LAPGAN({ levels: 6 }), { message: /^LAPGAN: 6 levels from size 28 make a band-pass level of 2×2/ });
  const lapgan = new LAPGAN({ ...tiny, rng: new Generator(1) });
  t.throws(() => lapgan.level(3), { message: 'LAPGAN.level: level must be an integer in [0, 2], got 3' });
  t.throws(() => lapgan.forward(Tensor.zeros([2, 10])), { message: 'nn.LAPGAN: expected codes [N, 983] (nz 3 + noise planes 980), got [2, 10]' });
  t.throws(() => lapgan.levelBatches(Tensor.zeros([2, 1, 14, 14])), { message: 'LAPGAN.levelBatches: expected x [N, 1, 28, 28], got [2, 1, 14, 14]' });
  t.throws(() => lapgan.sample(2, new Generator(1), { labels: [1, 2] }), { message: /LAPGAN.sample: labels given to an unconditional LAPGAN/ });
  const conditional = new LAPGAN({ classes: 10, ...tiny, rng: new Generator(1) });
  t.throws(() => conditional.sample(2, new Generator(1)), { message: /LAPGAN.sample: a class-conditional LAPGAN \(10 classes\) needs labels/ });
  t.throws(() => conditional.sample(2, new Generator(1), { labels: [1] }), { message: 'LAPGAN.sample: labels has 1 entries, expected 2' });
  t.throws(() => conditional.sample(1, new Generator(1), { labels: [10] }), { message: /oneHot: labels\[0\] must be an integer class in \[0, 10\), got 10/ });
});
