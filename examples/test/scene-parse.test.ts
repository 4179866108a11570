import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGrayPng, segmentationScores, writeDetectionFolder, type DetectionSample } from '@eole/conv';
import { Generator, Tensor } from '@eole/core';
import { Canvas } from '@eole/core/report';
import { CliExit } from '../lib/cli.js';
import { clutterTest, clutterValidation } from '../lib/clutter.js';
import { predictMasks, shiftGrid, voteComponents, voteWithBorder } from '../scene-parse/evaluate.js';
import { loadSceneNet, main, type SceneParseSummary } from '../scene-parse/main.js';
import { BORDER, heInit, PixelNLLCriterion, sceneNet } from '../scene-parse/net.js';
import { borderTarget, touchWeights } from '../scene-parse/touching.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-scene-'));
const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;

// The CI-sized run (the default run is 2 scales, 6 epochs of 2,400 fresh 96×96 crops, a three-pooling context path of 32 and 64 planes,
// He's initialisation, Adam 5e-3, the loss weighing ×5 the pixels with two digits within 3 pixels):
// a narrower net (8 planes), 3 epochs of 256 crops of 64×64, Adam 2e-3, 12 validation images; the bars below hold with a margin
// under what this run measured (see the first test's title). At Adam 5e-3 this small net's seed 1 labelled every digit one digit
// (9.92% mean class; seeds 2 and 3: 17.34%, 17.47%); at 2e-3, seeds 1–3 gave 19.35%, 15.73%, 20.27%.
const VAL_IMAGES = 12;
const CI = ['--seed', '1', '--epochs', '3', '--images', '256', '--crop', '64', '--width', '8', '--lr', '2e-3', '--val-images', String(VAL_IMAGES), '--threads', '1'];
/**
 * Bars on held-out images (labelling everything background scores 9.09% mean class accuracy, 1 of 11 classes, and 0% of
 * the digit pixels found): the digit pixels found as some digit (the segmentation) and the mean class accuracy.
 */
const BAR = { meanClassAccuracy: 0.13, digitPixelsFound: 0.6 };

/** The share of the true digit pixels labelled as some digit (any of 1–10), from a confusion matrix. */
function digitPixelsFound(confusion: readonly (readonly number[])[]): number {
  let found = 0;
  let all = 0;
  confusion.forEach((row, t) => {
    if (t === 0) return;
    row.forEach((v, p) => {
      all += v;
      if (p !== 0) found += v;
    });
  });
  return found / all;
}

let trained: { out: string; summary: SceneParseSummary } | null = null;

test.serial('scene-parse: a CI-sized multiscale run labels held-out validation images above background-only (bars: mean class ≥ 13%, digit pixels found ≥ 60%; measured 19.35%, 81.70%, pixel 95.62%) and writes its files', async (t) => {
  const out = tmp();
  const summary = await main([...CI, '--out', out], quiet);
  trained = { out, summary };
  t.is(summary.mode, 'train');
  t.is(summary.config.scales, 2);
  t.is(summary.config.pools, 3);
  const s = summary.scores!;
  const found = digitPixelsFound(s.confusion);
  t.log(`validation (${VAL_IMAGES} images): pixel accuracy ${pct(s.pixelAccuracy)}, mean class accuracy ${pct(s.meanClassAccuracy)}, digit pixels found ${pct(found)}`);
  t.true(s.meanClassAccuracy >= BAR.meanClassAccuracy, `mean class accuracy ${pct(s.meanClassAccuracy)} < ${pct(BAR.meanClassAccuracy)}`);
  t.true(found >= BAR.digitPixelsFound, `digit pixels found ${pct(found)} < ${pct(BAR.digitPixelsFound)}`);
  t.deepEqual(summary.history!.map((h) => h.epoch), [1, 2, 3]);
  for (const f of ['scene-parse.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'curves.png', 'scene-parse.png']) t.true(existsSync(join(out, f)), f);
  const figure = Canvas.fromPNG(readFileSync(join(out, 'scene-parse.png')));
  t.true(figure.width >= 3 * 128 && figure.height >= 4 * 128, `scene-parse.png is ${figure.width}×${figure.height}: four rows of image, truth, prediction`);
  t.true(Canvas.fromPNG(readFileSync(join(out, 'curves.png'))).width > 100);
  const validation = readFileSync(join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; metrics?: Record<string, number> }).filter((e) => e.type === 'validation');
  t.is(validation.length, 3);
  t.is(validation[2]!.metrics!['accuracy'], s.meanClassAccuracy);
  t.is(validation[2]!.metrics!['pixelAccuracy'], s.pixelAccuracy);
});

test.serial('scene-parse: --eval on the validation images written as a folder agrees with the training summary (--shifts 1: training validates on the image alone); --save-masks writes one PNG per image', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const dir = tmp();
  writeDetectionFolder(dir, clutterValidation(VAL_IMAGES, 1));
  const masks = join(tmp(), 'masks');
  const lines: string[] = [];
  const summary = await main(['--eval', join(trained.out, 'scene-parse.safetensors'), '--test', dir, '--save-masks', masks, '--shifts', '1'], (l) => lines.push(l));
  const s = trained.summary.scores!;
  t.is(lines.at(-2), `pixel accuracy: ${pct(s.pixelAccuracy)}`);
  t.is(lines.at(-1), `mean class accuracy: ${pct(s.meanClassAccuracy)}`);
  t.is(summary.scores!.pixelAccuracy, s.pixelAccuracy);
  const files = readdirSync(masks).sort();
  t.deepEqual(files, readdirSync(join(dir, 'images')).sort(), 'named like the images');
  const truth = clutterValidation(VAL_IMAGES, 1);
  const predicted: number[] = [];
  const labels: number[] = [];
  files.forEach((f, i) => {
    const m = readGrayPng(join(masks, f));
    t.deepEqual([m.width, m.height], [128, 128]);
    predicted.push(...m.data);
    labels.push(...truth[i]!.mask);
  });
  t.is(segmentationScores(predicted, labels, 11).meanClassAccuracy, s.meanClassAccuracy, 'the saved masks are what was scored');
  // The training checkpoint evaluates the same (its metadata comes from the saved model beside it).
  const again: string[] = [];
  await main(['--eval', join(trained.out, 'checkpoint.safetensors'), '--test', dir, '--shifts', '1'], (l) => again.push(l));
  t.is(again.at(-1), lines.at(-1));
});

test.serial('scene-parse: --eval without --test labels the default held-out test set; images of other sizes are padded and cropped back', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const lines: string[] = [];
  const summary = await main(['--eval', join(trained.out, 'scene-parse.safetensors'), '--test-images', '6'], (l) => lines.push(l));
  t.is(summary.images, 6);
  t.regex(lines.at(-2)!, /^pixel accuracy: \d+\.\d\d%$/);
  t.regex(lines.at(-1)!, /^mean class accuracy: \d+\.\d\d%$/);
  t.true(lines.some((l) => l.includes('6 generated images of held-out digits (seed 2026)')));
  // A 90×100 crop of a test image: the net needs sides divisible by 4, so it is padded and its labels cropped.
  const full = clutterTest(1)[0]!;
  const [w, h] = [90, 100];
  const image = new Uint8Array(w * h);
  const mask = new Uint8Array(w * h);
  for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) [image[r * w + c], mask[r * w + c]] = [full.image[r * 128 + c]!, full.mask[r * 128 + c]!];
  const sample: DetectionSample = { width: w, height: h, image, mask, boxes: [] };
  const dir = tmp();
  writeDetectionFolder(dir, [sample]);
  const out = join(tmp(), 'masks');
  await main(['--eval', join(trained.out, 'scene-parse.safetensors'), '--test', dir, '--save-masks', out], quiet);
  const m = readGrayPng(join(out, '000000.png'));
  t.deepEqual([m.width, m.height], [w, h]);
});

test.serial('scene-parse: test-time shifts label the image as the net labels it shifted by hand, and average the probabilities over the grid (--shifts)', async (t) => {
  if (!trained) return t.fail('the training test did not run');
  const { net } = loadSceneNet(join(trained.out, 'scene-parse.safetensors'));
  const sample = clutterTest(1)[0]!;
  const [dy, dx] = [4, 8];
  // The image placed at (dy, dx) of a larger black image: the net reads the same input as with shifts [[dy, dx]].
  const [W, H] = [sample.width + dx, sample.height + dy];
  const image = new Uint8Array(W * H);
  const mask = new Uint8Array(W * H);
  for (let r = 0; r < sample.height; r++) {
    for (let c = 0; c < sample.width; c++) [image[(r + dy) * W + c + dx], mask[(r + dy) * W + c + dx]] = [sample.image[r * sample.width + c]!, sample.mask![r * sample.width + c]!];
  }
  const byHand = predictMasks(net, [{ width: W, height: H, image, mask, boxes: [] }]).masks[0]!;
  const cropped = new Uint8Array(sample.width * sample.height);
  for (let r = 0; r < sample.height; r++) for (let c = 0; c < sample.width; c++) cropped[r * sample.width + c] = byHand[(r + dy) * W + c + dx]!;
  t.deepEqual(predictMasks(net, [sample], { shifts: [[dy, dx]] }).masks[0], cropped);
  // Averaging a prediction with itself changes nothing; the 2×2 grid is four translations.
  const alone = predictMasks(net, [sample], { weights: [0.1, ...new Array<number>(10).fill(1)] });
  const twice = predictMasks(net, [sample], { weights: [0.1, ...new Array<number>(10).fill(1)], shifts: [[0, 0], [0, 0]] });
  t.deepEqual(twice.masks, alone.masks);
  t.true(Math.abs(twice.loss - alone.loss) < 1e-4 * Math.abs(alone.loss), `loss ${twice.loss} vs ${alone.loss}`);
  t.deepEqual(shiftGrid(2, 4), [[0, 0], [0, 4], [4, 0], [4, 4]]);
  t.throws(() => predictMasks(net, [sample], { shifts: [[-1, 0]] }), { message: /shifts must be a non-empty list of \[dy, dx\] with integers ≥ 0/ });
  const lines: string[] = [];
  await main(['--eval', join(trained.out, 'scene-parse.safetensors'), '--test-images', '2', '--shifts', '1'], (l) => lines.push(l));
  t.regex(lines.at(-1)!, /^mean class accuracy: \d+\.\d\d%$/);
});

test.serial('scene-parse: --single-scale trains a one-level net and --eval rebuilds it from the metadata', async (t) => {
  const out = tmp();
  const summary = await main(['--single-scale', '--epochs', '1', '--images', '16', '--crop', '32', '--width', '4', '--hidden', '8', '--val-images', '2', '--threads', '1', '--out', out], quiet);
  t.is(summary.config.scales, 1);
  const evaluated = await main(['--eval', join(out, 'scene-parse.safetensors'), '--test-images', '2'], quiet);
  t.is(evaluated.config.scales, 1);
  t.is(evaluated.net.scales, 1);
});

test.serial('scene-parse: --border trains a twelfth output that --eval rebuilds from the metadata and hands back to the digits (masks of labels 0–10); --touch-weight 1 trains without the weight map', async (t) => {
  const tiny = ['--epochs', '1', '--images', '16', '--crop', '32', '--width', '4', '--hidden', '8', '--val-images', '2', '--threads', '1'];
  const out = tmp();
  const summary = await main(['--border', '2', ...tiny, '--out', out], quiet);
  t.true(summary.config.border);
  t.is(summary.net.forward(Tensor.zeros([1, 1, 32, 32])).shape[1], 12);
  const masks = join(tmp(), 'masks');
  const evaluated = await main(['--eval', join(out, 'scene-parse.safetensors'), '--test-images', '2', '--save-masks', masks], quiet);
  t.true(evaluated.config.border);
  for (const f of readdirSync(masks)) t.true(readGrayPng(join(masks, f)).data.every((v) => v <= 10), f);
  const plain = await main(['--touch-weight', '1', ...tiny, '--out', tmp()], quiet);
  t.is(plain.history!.length, 1);
  t.true(Number.isFinite(plain.history![0]!.loss));
});

test('scene-parse: bad flags and bad test folders give clear errors naming the argument', async (t) => {
  await t.throwsAsync(main(['--scales', '0'], quiet), { instanceOf: CliExit, message: /--scales: expected at least 1, got 0/ });
  await t.throwsAsync(main(['--bg-weight', 'x'], quiet), { instanceOf: CliExit, message: /--bg-weight: expected a number, got 'x'/ });
  await t.throwsAsync(main(['--frobnicate'], quiet), { instanceOf: CliExit, message: /frobnicate/ });
  const out = tmp();
  await t.throwsAsync(main(['--crop', '30', '--out', out], quiet), { message: /--crop 30 must be a multiple of 16/ });
  await t.throwsAsync(main(['--single-scale', '--scales', '3', '--out', out], quiet), { message: /--single-scale is --scales 1/ });
  await t.throwsAsync(main(['--save-masks', join(out, 'm'), '--out', out], quiet), { message: /--save-masks DIR goes with --eval/ });
  await t.throwsAsync(main(['--test', out, '--out', out], quiet), { message: /--test DIR goes with --eval/ });
  await t.throwsAsync(main(['--eval', join(out, 'none.safetensors')], quiet), { message: /no file '.*none\.safetensors'/ });
  const help = await main(['--help'], quiet).catch((e: unknown) => e);
  t.true(help instanceof CliExit && help.code === 0 && /--single-scale/.test(help.message) && /--save-masks DIR/.test(help.message));
  if (!trained) return;
  const model = join(trained.out, 'scene-parse.safetensors');
  const missing = join(out, 'no-such-folder');
  await t.throwsAsync(main(['--eval', model, '--test', missing], quiet), { message: new RegExp(`--test '${missing}': .*annotations\\.json`) });
  const noMasks = tmp();
  writeDetectionFolder(noMasks, clutterTest(2).map(({ width, height, image, boxes }) => ({ width, height, image, boxes })));
  await t.throwsAsync(main(['--eval', model, '--test', noMasks], quiet), { message: /--test '.*': image '000000\.png' has no label mask/ });
  const badLabels = tmp();
  const [first] = clutterTest(1);
  writeDetectionFolder(badLabels, [{ ...first!, mask: first!.mask.map((v) => (v > 0 ? 200 : 0)) }]);
  await t.throwsAsync(main(['--eval', model, '--test', badLabels], quiet), { message: /--test '.*': the mask of '000000\.png' holds the label 200/ });
});

test('scene-parse: the component vote takes one digit per 4-connected piece, and splits a piece where two digits touch', (t) => {
  const p = (q: number, d: number): number => (d === 3 ? 0.6 : 0.1);
  t.deepEqual(Array.from(voteComponents(Uint8Array.of(2, 3, 3, 0, 4), 5, 1, p)), [3, 3, 3, 0, 3]);
  // One row: a run of 2s, a stray 5, a run of 3s, all touching: voted whole without a split.
  const touching = Uint8Array.of(2, 2, 2, 5, 3, 3, 3, 3);
  t.deepEqual(Array.from(voteComponents(touching, 8, 1, p)), [3, 3, 3, 3, 3, 3, 3, 3]);
  // With runs of 3 or more kept: the 2s and 3s keep their labels, the stray 5 joins the run that reaches it first.
  t.deepEqual(Array.from(voteComponents(touching, 8, 1, p, { minPixels: 3 })), [2, 2, 2, 2, 3, 3, 3, 3]);
  // Only one run that large: voted whole as before.
  t.deepEqual(Array.from(voteComponents(touching, 8, 1, p, { minPixels: 4 })), [3, 3, 3, 3, 3, 3, 3, 3]);
  // Pieces are 4-connected: two blocks touching only at a corner vote apart; joined by an edge, as one.
  const corner = Uint8Array.of(2, 2, 0, 0, 2, 2, 0, 0, 0, 0, 3, 3, 0, 0, 3, 3);
  const q = (px: number, d: number): number => d === corner[px] ? 0.7 : 0.1;
  t.deepEqual(Array.from(voteComponents(corner, 4, 4, q)), Array.from(corner));
  const edge = Uint8Array.of(2, 2, 0, 0, 2, 2, 3, 3, 0, 0, 3, 3, 0, 0, 3, 3);
  t.deepEqual(Array.from(voteComponents(edge, 4, 4, (px, d) => (d === edge[px] ? 0.7 : 0.1))), [3, 3, 0, 0, 3, 3, 3, 3, 0, 0, 3, 3, 0, 0, 3, 3]);
});

/** Two hand-made digits on a 6×4 mask: a 3 (label 4) in columns 0–2 and a 5 (label 6) in columns 3–4 of rows 1–2, touching along an edge. */
const TWO = Uint8Array.from([
  [0, 0, 0, 0, 0, 0],
  [4, 4, 4, 6, 6, 0],
  [4, 4, 4, 6, 6, 0],
  [0, 0, 0, 0, 0, 0],
].flat());

test('scene-parse: the touching-digits weight map (--touch-weight) weighs the pixels with two different digits within the radius, background gaps included', (t) => {
  const w = (r: number): number[] => Array.from(touchWeights(TWO, 6, 4, r, 5));
  // radius 0: a pixel sees only itself, one label at most
  t.deepEqual(w(0), new Array<number>(24).fill(1));
  // radius 1: columns 2 and 3 (the two sides of the contact) in every row, background rows 0 and 3 too
  t.deepEqual(w(1), [1, 1, 5, 5, 1, 1, 1, 1, 5, 5, 1, 1, 1, 1, 5, 5, 1, 1, 1, 1, 5, 5, 1, 1]);
  // a single digit, or two touching digits of the same label: no weight anywhere
  t.deepEqual(Array.from(touchWeights(TWO.map((v) => (v === 6 ? 4 : v)), 6, 4, 2, 5)), new Array<number>(24).fill(1));
  t.throws(() => touchWeights(TWO, 5, 4, 1, 5), { message: /mask holds 24 labels, expected 5×4/ });
});

test('scene-parse: the border target (--border) relabels the digit pixels next to another digit, and the vote hands them back to the digits beside them', (t) => {
  const target = borderTarget(TWO, 6, 4, 1, BORDER);
  t.deepEqual(Array.from(target), [0, 0, 0, 0, 0, 0, 4, 4, 11, 11, 6, 0, 4, 4, 11, 11, 6, 0, 0, 0, 0, 0, 0, 0]);
  t.deepEqual(Array.from(borderTarget(TWO, 6, 4, 0, BORDER)), Array.from(TWO), 'radius 0: no border');
  // The net says 3 on the left, 5 on the right, border between: without the border pixels the two digits are two pieces, each
  // voting alone; a piece voted as one would have taken the 3 (its summed probability is larger).
  const p = (q: number, d: number): number => (q % 6 < 3 ? (d === 4 ? 0.8 : 0.02) : d === 6 ? 0.6 : d === 4 ? 0.3 : 0.01);
  t.deepEqual(Array.from(voteWithBorder(target, 6, 4, p)), Array.from(TWO));
  t.deepEqual(Array.from(voteComponents(TWO, 6, 4, p)), Array.from(TWO.map((v) => (v === 0 ? 0 : 4))));
  // A border pixel no digit pixel reaches takes its own likeliest digit.
  t.deepEqual(Array.from(voteWithBorder(Uint8Array.of(11, 0, 4), 3, 1, (q, d) => (d === 7 ? 0.5 : 0.05))), [7, 0, 7]);
});

test('scene-parse: PixelNLLCriterion reads a per-pixel weight plane from a [N, 2, H, W] target', (t) => {
  const logp = Tensor.from([Math.log(0.5), Math.log(0.25), Math.log(0.5), Math.log(0.75)], [1, 2, 1, 2]);
  const criterion = new PixelNLLCriterion([1, 1]);
  // labels [0, 1]: -(log 0.5 + log 0.75) / 2 with weights 1; with pixel weights [1, 3]: -(log 0.5 + 3 log 0.75) / 4
  t.true(Math.abs(criterion.forward(logp, Tensor.from([0, 1], [1, 1, 2])).item() + (Math.log(0.5) + Math.log(0.75)) / 2) < 1e-6);
  t.true(Math.abs(criterion.forward(logp, Tensor.from([0, 1, 1, 3], [1, 2, 1, 2])).item() + (Math.log(0.5) + 3 * Math.log(0.75)) / 4) < 1e-6);
  t.throws(() => criterion.forward(logp, Tensor.from([0, 1, 1, -1], [1, 2, 1, 2])), { message: /pixel weight -1 .* is not finite and ≥ 0/ });
});

test('scene-parse: He initialisation (--init he) scales every convolution but the last by √6, zeroes its bias, and keeps the signal through the extractor (context output rms ×5.4 Torch7\'s on a random image; bar ×3)', (t) => {
  const config = { scales: 2, width: 8, hidden: 8, context: 4, pools: 3 as const, pyramid: 'gaussian' as const };
  const torch = sceneNet(config, new Generator(3));
  const he = sceneNet(config, new Generator(3));
  heInit(he);
  const a = torch.namedParameters();
  const b = he.namedParameters();
  const last = a.length - 2; // the last convolution's weight and bias
  a.forEach(([name, p], i) => {
    const q = b[i]![1];
    t.is(b[i]![0], name);
    const bias = name.endsWith('bias');
    for (let k = 0; k < p.size; k++) {
      const want = i >= last ? p.data[k]! : bias ? 0 : p.data[k]! * Math.sqrt(6);
      if (Math.abs(q.data[k]! - want) > 1e-6) return t.fail(`${name}[${k}] = ${q.data[k]}, expected ${want}`);
    }
  });
  // the context path's output on a random image: He keeps its scale, Torch7's default loses most of it
  const x = Tensor.uniform([1, 1, 64, 64], new Generator(4), 0, 1);
  const rms = (net: typeof torch): number => {
    const f = net.features.children()[1]!.forward(x).data;
    return Math.sqrt(f.reduce((s, v) => s + v * v, 0) / f.length);
  };
  const [rt, rh] = [rms(torch), rms(he)];
  t.log(`context path output rms: torch ${rt.toExponential(2)}, he ${rh.toExponential(2)}`);
  t.true(rh > 3 * rt, `He's context output rms ${rh} is not well above Torch7's ${rt}`);
});
