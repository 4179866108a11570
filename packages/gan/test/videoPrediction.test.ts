import test from 'ava';
import { lastValueFrom, toArray } from 'rxjs';
import { Adam, concat, fromArray, Generator, noGrad, Tensor, type Module } from '@eole/core';
import { checkGrad, checkOp, testModules, type OracleInput } from '@eole/core/testing';
import { gaussianPyramid, gradientDifferenceLoss, lpLoss, MultiScaleDiscriminator, MultiScaleGenerator, nextFrameBatches, predictFrames, videoPredictionStep, videoPredictionTrain } from '@eole/gan';
import { GAN_VIDEO_PREDICTION_CASES, linearRegime, smallG } from '@eole/gan/testing';

/** mean |a − b|^p in float64. */
const lpOracle = (p: number) => (a: OracleInput, b: OracleInput): number[] => {
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs(a.data[i]! - b.data[i]!) ** p;
  return [s / a.data.length];
};

/** The GDL written out: mean over vertical pairs plus mean over horizontal pairs of ||Δy| − |Δŷ||^α. */
const gdlOracle = (alpha: number) => (pred: OracleInput, target: OracleInput): number[] => {
  const [H, W] = pred.shape.slice(-2) as [number, number];
  const planes = pred.data.length / (H * W);
  let v = 0;
  let h = 0;
  const at = (x: OracleInput, p: number, i: number, j: number): number => x.data[(p * H + i) * W + j]!;
  for (let p = 0; p < planes; p++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++) {
        if (i > 0) v += Math.abs(Math.abs(at(target, p, i, j) - at(target, p, i - 1, j)) - Math.abs(at(pred, p, i, j) - at(pred, p, i - 1, j))) ** alpha;
        if (j > 0) h += Math.abs(Math.abs(at(target, p, i, j) - at(target, p, i, j - 1)) - Math.abs(at(pred, p, i, j) - at(pred, p, i, j - 1))) ** alpha;
      }
    }
  }
  return [v / (planes * (H - 1) * W) + h / (planes * H * (W - 1))];
};

test('lpLoss p = 2 [3, 1, 5, 5]', (t) => checkOp(t, (a, b) => lpLoss(a!, b!), { shapes: [[3, 1, 5, 5], [3, 1, 5, 5]], shape: [], oracle: lpOracle(2) }));
test('lpLoss p = 1 [3, 1, 5, 5]', (t) => checkOp(t, (a, b) => lpLoss(a!, b!, 1), { shapes: [[3, 1, 5, 5], [3, 1, 5, 5]], shape: [], oracle: lpOracle(1) }));
test('lpLoss p = 1.5 [2, 7]', (t) => checkOp(t, (a, b) => lpLoss(a!, b!, 1.5), { shapes: [[2, 7], [2, 7]], shape: [], oracle: lpOracle(1.5) }));
test('gradientDifferenceLoss α = 1 [2, 3, 6, 5]', (t) => checkOp(t, (a, b) => gradientDifferenceLoss(a!, b!), { shapes: [[2, 3, 6, 5], [2, 3, 6, 5]], shape: [], oracle: gdlOracle(1) }));
test('gradientDifferenceLoss α = 2 [2, 1, 8, 8]', (t) => checkOp(t, (a, b) => gradientDifferenceLoss(a!, b!, 2), { shapes: [[2, 1, 8, 8], [2, 1, 8, 8]], shape: [], oracle: gdlOracle(2) }));

test('GDL: zero for a prediction with the edges of the truth (a constant shift), positive for a blurred one; ℓ2 prefers the blur', (t) => {
  const rng = new Generator(1);
  const y = Tensor.uniform([2, 1, 8, 8], rng, -1, 1);
  t.true(gradientDifferenceLoss(y.add(0.3), y).item() < 1e-6, 'a brightness shift keeps every gradient');
  const blurred = gaussianPyramid(y, 1)[0]!.mul(0).add(y.mean().item());
  t.true(gradientDifferenceLoss(blurred, y).item() > 0.3, 'a flat prediction loses every edge');
  t.true(lpLoss(blurred, y).item() < lpLoss(y.neg(), y).item());
});

test('lpLoss and gradientDifferenceLoss: clear errors', (t) => {
  const a = Tensor.zeros([2, 1, 4, 4]);
  t.throws(() => lpLoss(a, Tensor.zeros([2, 1, 4, 3])), { message: /lpLoss: pred and target must have the same shape, got pred \[2, 1, 4, 4\] and target \[2, 1, 4, 3\]/ });
  t.throws(() => lpLoss(a, a, 0), { message: /lpLoss: p must be a positive finite number, got 0/ });
  t.throws(() => gradientDifferenceLoss(Tensor.zeros([4]), Tensor.zeros([4])), { message: /gradientDifferenceLoss: pred must have at least 2 dimensions/ });
  t.throws(() => gradientDifferenceLoss(Tensor.zeros([3, 1]), Tensor.zeros([3, 1])), { message: /H and W must be at least 2, got 3×1/ });
  t.throws(() => gradientDifferenceLoss(a, a, -1), { message: /alpha must be a positive finite number/ });
});

testModules(test, GAN_VIDEO_PREDICTION_CASES);

test('MultiScaleGenerator: every scale predicts [N, 1, s_k, s_k] in (−1, 1), coarse scales feed the fine ones, fully convolutional', (t) => {
  const g = new MultiScaleGenerator({ rng: new Generator(2) });
  const x = Tensor.uniform([2, 4, 32, 32], new Generator(3), -1, 1);
  const ys = g.forwardScales(x);
  t.deepEqual(ys.map((y) => y.shape.join('x')), ['2x1x32x32', '2x1x16x16', '2x1x8x8', '2x1x4x4']);
  t.true(ys.every((y) => y.data.every((v) => v > -1 && v < 1)));
  t.deepEqual([...g.forward(Tensor.zeros([1, 4, 64, 64])).shape], [1, 1, 64, 64], 'a net trained on crops predicts whole frames');
  t.deepEqual([...g.stateDict().keys()].slice(0, 2), ['scale3.0.weight', 'scale3.0.bias'], 'the coarsest scale first; scale0 is the finest');
  // The finest net reads the up-sampled coarser prediction: zeroing the coarsest net's last layer changes Ŷ_0.
  const before = g.forward(x).data.slice();
  for (const p of g.scaleNet(3).parameters()) p.data.fill(0);
  t.notDeepEqual(Array.from(g.forward(x).data), Array.from(before));
  t.throws(() => g.forward(Tensor.zeros([1, 3, 32, 32])), { message: /nn.MultiScaleGenerator: expected context frames \[N, 4, H, W\], got \[1, 3, 32, 32\]/ });
  t.throws(() => new MultiScaleGenerator({ scales: 2, kernels: [[3, 3, 3, 3], [4, 3, 3, 5]] }), { message: /kernels\[1\] must hold 4 odd sizes/ });
  t.regex(g.toString(), /^nn\.MultiScaleGenerator\(4 frames → 1, 4 scales\) \{\n {2}scale3: nn\.Sequential/);
});

test('MultiScaleDiscriminator: logits [N, S]; forward builds the pyramid; clear errors', (t) => {
  const d = new MultiScaleDiscriminator({ context: 4, size: 32, rng: new Generator(4) });
  t.deepEqual([...d.sizes], [32, 16, 8, 4]);
  const x = Tensor.uniform([3, 5, 32, 32], new Generator(5), -1, 1);
  const logits = d.forward(x);
  t.deepEqual([...logits.shape], [3, 4]);
  t.deepEqual(Array.from(d.forwardScales(gaussianPyramid(x, 4)).data), Array.from(logits.data));
  t.throws(() => d.forward(Tensor.zeros([3, 5, 64, 64])), { message: /expected \[N, 5, 32, 32\] \(context and frame\), got \[3, 5, 64, 64\]/ });
  t.throws(() => d.forwardScales([x]), { message: /expected 4 inputs \(one per scale\), got 1/ });
});

test('predictFrames: recursive, the last K frames are the context, evaluate mode restored, no graph', (t) => {
  const g = smallG(new Generator(6));
  const frames = Tensor.uniform([2, 5, 8, 8], new Generator(7), -1, 1);
  const out = predictFrames(g, frames, 3);
  t.deepEqual([...out.shape], [2, 3, 8, 8]);
  t.is(out.requiresGrad, false);
  t.true(g.training, 'training mode restored');
  // By hand: frame 1 from frames 4-5, frame 2 from [5, Ŷ1], frame 3 from [Ŷ1, Ŷ2].
  g.evaluate();
  const y1 = noGrad(() => g.forward(frames.narrow(1, 3, 2)));
  const y2 = noGrad(() => g.forward(concat([frames.narrow(1, 4, 1), y1], 1)));
  const y3 = noGrad(() => g.forward(concat([y1, y2], 1)));
  g.train();
  t.deepEqual(Array.from(out.data), [...y1.data, ...y2.data, ...y3.data].length === out.size ? Array.from(concat([y1, y2, y3], 1).data) : []);
  t.throws(() => predictFrames(g, Tensor.zeros([2, 1, 8, 8]), 2), { message: /predictFrames: expected frames \[N, T ≥ 2, H, W\], got \[2, 1, 8, 8\]/ });
  t.throws(() => predictFrames(g, frames, 0), { message: /horizon must be an integer ≥ 1, got 0/ });
});

test('nextFrameBatches: [B, K, c, c] context and [B, 1, c, c] next frame in [−1, 1], moving crops, seeded', async (t) => {
  const rng = new Generator(8);
  const images = Float32Array.from({ length: 20 * 784 }, () => (rng.uniform() < 0.2 ? 1 : 0));
  const epoch = (seed: number) => lastValueFrom(nextFrameBatches(images, 20, new Generator(seed), { context: 3, crop: 16, batch: 4, samples: 10 }).pipe(toArray()));
  const batches = await epoch(1);
  t.is(batches.length, 2, '10 samples in batches of 4: the last, smaller one dropped');
  for (const b of batches) {
    t.deepEqual([...b.x.shape], [4, 3, 16, 16]);
    t.deepEqual([...b.y.shape], [4, 1, 16, 16]);
    t.true([...b.x.data, ...b.y.data].every((v) => v >= -1 && v <= 1));
    for (let i = 0; i < 4; i++) {
      let motion = 0;
      for (let q = 0; q < 256; q++) motion += Math.abs(b.y.data[i * 256 + q]! - b.x.data[(i * 3 + 2) * 256 + q]!);
      t.true(motion > 0, 'the crop with the most motion among the candidates moves');
    }
  }
  t.deepEqual(Array.from((await epoch(1))[1]!.x.data), Array.from(batches[1]!.x.data), 'same seed, same batches');
  t.notDeepEqual(Array.from((await epoch(2))[0]!.x.data), Array.from(batches[0]!.x.data));
  t.throws(() => nextFrameBatches(images, 20, rng, { crop: 65 }), { message: /crop 65 is larger than the frames \(64×64\)/ });
});

test('videoPredictionStep: the adversarial step updates D, then G through a frozen D; terms; clear errors', (t) => {
  const rng = new Generator(9);
  const generator = smallG(rng, 2, 2);
  const discriminator = new MultiScaleDiscriminator({ context: 2, size: 8, scales: 2, ndf: 2, hidden: 4, rng });
  const generatorOptimizer = new Adam(generator.parameters(), { lr: 1e-2 });
  const discriminatorOptimizer = new Adam(discriminator.parameters(), { lr: 1e-2 });
  const b = { x: Tensor.uniform([4, 2, 8, 8], rng, -1, 1), y: Tensor.uniform([4, 1, 8, 8], rng, -1, 1) };
  const d0 = discriminator.parameters().map((p) => p.data.slice());
  const g0 = generator.parameters().map((p) => p.data.slice());
  const r = videoPredictionStep({ generator, generatorOptimizer, discriminator, discriminatorOptimizer, loss: { p: 1, lambdaGdl: 1, lambdaAdv: 0.05 } }, b, 'here');
  t.deepEqual(Object.keys(r.terms).sort(), ['D(G(z))', 'D(x)', 'gdl', 'l1', 'lossD', 'lossG']);
  t.true(Math.abs(r.loss - (r.terms['l1']! + r.terms['gdl']! + 0.05 * r.terms['lossG']!)) < 1e-5, 'L_G = ℓ1 + GDL + 0.05 L_adv');
  t.true(discriminator.parameters().every((p, i) => p.data.some((v, j) => v !== d0[i]![j])), 'D moved');
  t.true(generator.parameters().every((p, i) => p.data.some((v, j) => v !== g0[i]![j])), 'G moved');
  t.true(discriminator.parameters().every((p) => p.requiresGrad), 'D unfrozen afterwards');
  const l2 = videoPredictionStep({ generator, generatorOptimizer, loss: { p: 2 } }, b, 'plain');
  t.deepEqual(Object.keys(l2.terms), ['l2']);
  t.throws(() => videoPredictionStep({ generator, generatorOptimizer, loss: { lambdaAdv: 1 } }, b, 'where'), { message: /^where: lambdaAdv 1 needs a discriminator/ });
  t.throws(() => videoPredictionStep({ generator, generatorOptimizer }, { x: Tensor.zeros([4, 3, 8, 8]), y: b.y }, 'w'), { message: /^w: nn.MultiScaleGenerator: expected context frames \[N, 2, H, W\]/ });
});

test('videoPredictionTrain: events with the loss terms; the state holds both nets for an adversarial run', async (t) => {
  const rng = new Generator(10);
  const generator = smallG(rng, 2, 2);
  const discriminator = new MultiScaleDiscriminator({ context: 2, size: 8, scales: 2, ndf: 2, hidden: 4, rng });
  const data = [0, 1].map(() => ({ x: Tensor.uniform([4, 2, 8, 8], rng, -1, 1), y: Tensor.uniform([4, 1, 8, 8], rng, -1, 1) }));
  const events = await lastValueFrom(
    videoPredictionTrain({
      generator,
      generatorOptimizer: new Adam(generator.parameters()),
      discriminator,
      discriminatorOptimizer: new Adam(discriminator.parameters()),
      data: () => fromBatches(data),
      loss: { lambdaAdv: 0.1 },
      epochs: 2,
    }).pipe(toArray()),
  );
  t.deepEqual(events.map((e) => e.type), ['start', 'step', 'step', 'epoch', 'step', 'step', 'epoch', 'done']);
  const epoch = events.find((e) => e.type === 'epoch');
  t.truthy(epoch?.type === 'epoch' && epoch.terms?.['lossD'] !== undefined && epoch.terms['l2'] !== undefined);
});

/** Batches as an epoch stream. */
function fromBatches<T>(items: T[]) {
  return fromArray(items);
}

test('videoPredictionStep with R = 3 targets: recursive, the loss averages the three predictions, the gradient flows through the recursion', (t) => {
  const rng = new Generator(11);
  const generator = linearRegime(smallG(rng, 2, 2));
  const b = { x: Tensor.uniform([2, 2, 8, 8], rng, -1, 1), y: Tensor.uniform([2, 3, 8, 8], rng, -1, 1) };
  // The loss by hand: predictions fed back, ℓ2 averaged over the 3 steps and 2 scales.
  generator.train();
  const expected = noGrad(() => {
    let ctx = b.x;
    let s = 0;
    for (let r = 0; r < 3; r++) {
      const preds = generator.forwardScales(ctx);
      const targets = gaussianPyramid(b.y.narrow(1, r, 1), 2);
      for (let k = 0; k < 2; k++) s += lpLoss(preds[k]!, targets[k]!).item();
      ctx = concat([ctx.narrow(1, 1, 1), preds[0]!], 1);
    }
    return s / 6;
  });
  const r = videoPredictionStep({ generator, generatorOptimizer: new Adam(generator.parameters(), { lr: 0 }) }, b, 'rec');
  t.true(Math.abs(r.loss - expected) < 1e-5, `${r.loss} vs ${expected}`);
  // Through the recursion: the third prediction's loss alone reaches the input frame 1 (only via Ŷ₁ and Ŷ₂).
  const x = b.x.detach().requiresGrad_();
  checkGrad(t, 'three recursive predictions', (xi) => {
    let ctx = xi!;
    for (let s = 0; s < 2; s++) ctx = concat([ctx.narrow(1, 1, 1), generator.forward(ctx)], 1);
    return generator.forward(ctx);
  }, [x]);
  t.throws(() => videoPredictionStep({ generator, generatorOptimizer: new Adam(generator.parameters()) }, { x: b.x, y: Tensor.zeros([2, 8, 8]) }, 'step 1'), { message: /^step 1: y must be the next frames \[2, R ≥ 1, H, W\], got \[2, 8, 8\]/ });
});

test("videoPredictionStep adversarialFrames 'all': D judges every recursive prediction beside the real frames before it", (t) => {
  const rng = new Generator(12);
  const generator = smallG(rng, 2, 2);
  const discriminator = new MultiScaleDiscriminator({ context: 2, size: 8, scales: 2, ndf: 2, hidden: 4, rng });
  const b = { x: Tensor.uniform([3, 2, 8, 8], rng, -1, 1), y: Tensor.uniform([3, 2, 8, 8], rng, -1, 1) };
  // The real pairs by hand: (x1, x2 | y1) and (x2, y1 | y2), six pairs in one batch.
  const seq = concat([b.x, b.y], 1);
  const pairs = concat([seq.narrow(1, 0, 3), seq.narrow(1, 1, 3)], 0);
  const expected = noGrad(() => {
    let s = 0;
    const logits = discriminator.forward(pairs).data;
    for (const l of logits) s += 1 / (1 + Math.exp(-l));
    return s / logits.length;
  });
  const r = videoPredictionStep(
    { generator, generatorOptimizer: new Adam(generator.parameters()), discriminator, discriminatorOptimizer: new Adam(discriminator.parameters()), loss: { lambdaAdv: 0.1, adversarialFrames: 'all' } },
    b,
    'all',
  );
  t.true(Math.abs(r.terms['D(x)']! - expected) < 1e-6, `${r.terms['D(x)']} vs ${expected}`);
  t.true(Number.isFinite(r.terms['lossG']!) && Number.isFinite(r.terms['lossD']!));
});
