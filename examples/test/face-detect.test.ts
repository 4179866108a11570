import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { noGrad, serializeNpy, Tensor } from '@eole/core';
import { fullyConvolutional, rescaleImage } from '@eole/conv';
import { CliExit } from '../lib/cli.js';
import { dataFolder } from '../lib/run.js';
import { PATCH, PATCHES_FILE, PHOTO_FILE, readPhoto } from '../face-detect/data.js';
import { main, type FaceDetectSummary } from '../face-detect/main.js';
import { imageInput } from '../face-detect/model.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-faces-'));
const quiet = (): void => {};

async function run(argv: string[]): Promise<{ summary: FaceDetectSummary; lines: string[] }> {
  const lines: string[] = [];
  const summary = await main(['--threads', '1', ...argv], (l) => lines.push(l));
  return { summary, lines };
}

test('face-detect: a bad flag, a missing patch file or image, a file of the wrong shape give clear errors naming them', async (t) => {
  const bad = await main(['--threshold', 'high'], quiet).catch((e: unknown) => e);
  t.true(bad instanceof CliExit && bad.code === 2 && /--threshold: expected a number, got 'high'/.test(bad.message));
  const range = await main(['--min-face', '10'], quiet).catch((e: unknown) => e);
  t.true(range instanceof CliExit && /--min-face: expected at least 25, got 10/.test(range.message));
  const empty = tmp();
  await t.throwsAsync(main(['--data', empty, '--out', tmp()], quiet), { message: /no patch file '.*lfw_subset\.npy'/ });
  const wrong = tmp();
  writeFileSync(join(wrong, PATCHES_FILE), serializeNpy(new Float32Array(4 * 20 * 20), [4, 20, 20]));
  await t.throwsAsync(main(['--data', wrong, '--out', tmp()], quiet), { message: /lfw_subset\.npy': expected patches of shape \[N, 25, 25\], got \[4, 20, 20\]/ });
  writeFileSync(join(wrong, PATCHES_FILE), serializeNpy(new Float32Array(4 * 25 * 25), [4, 25, 25]));
  await t.throwsAsync(main(['--data', wrong, '--out', tmp(), '--image', join(wrong, 'none.png')], quiet), { message: /no image '.*none\.png'/ });
  await t.throwsAsync(main(['--eval', join(empty, 'none.safetensors')], quiet), { message: /no file '.*none\.safetensors'/ });
  await t.throwsAsync(main(['--planes', '8', '--data', wrong, '--out', tmp()], quiet), { message: /--planes: expected two positive integers like 8,16, got '8'/ });
  const help = await main(['--help'], quiet).catch((e: unknown) => e);
  t.true(help instanceof CliExit && help.code === 0 && /--image FILE/.test(help.message) && /--figure FILE/.test(help.message));
});

const faces = dataFolder('faces');
if (!existsSync(join(faces, PATCHES_FILE))) {
  test.skip(`face-detect on the LFW patches (needs ${faces}; set EOLE_DATA; absent here, skipped)`, () => {});
} else {
  // CI-sized: 6 epochs of 4 augmented passes, a net half as wide as the default (8,16 maps, 32 hidden), 1 synthetic
  // negative per face. Measured: 97.50% of the 40 held-out patches (the full recipe: 100.00%), about 10 s of training.
  // The threshold is 0.5 so that the tiny net reports some windows for the eval round trip to reproduce.
  const TINY = ['--epochs', '6', '--repeats', '4', '--planes', '8,16', '--hidden', '32', '--synthetic', '1', '--threshold', '0.5', '--max-detections', '10'];

  test.serial('face-detect: a CI-sized run holds out ≥ 90% of 40 patches (measured 97.50%), writes a figure of the right size, --eval reproduces its detections, the fully convolutional net equals the classifier on windows', async (t) => {
    const out = tmp();
    const { summary, lines } = await run([...TINY, '--out', out]);
    t.is(summary.heldOut, 40);
    t.true(summary.accuracy >= 0.9, `held-out accuracy ${summary.accuracy}`);
    t.true(lines.some((l) => /^held-out accuracy: \d+\.\d\d% \(\d+\/40 patches: \d+\/20 faces, \d+\/20 non-faces/.test(l)));
    t.true(summary.detections.length >= 1 && summary.detections.length <= 10, `${summary.detections.length} detections`);
    for (const d of summary.detections) t.true(d.score > 0.5 && d.bbox[2] >= 59 && d.bbox[2] <= 251, JSON.stringify(d));
    t.deepEqual(summary.imageSize, [512, 512]);
    t.is(summary.scales.length, 9);

    const png = PNG.sync.read(readFileSync(join(out, 'face-detect.png')));
    t.is(png.width, 3 * 10 + 2 * 512, 'two 512-pixel panels and three margins');
    t.is(png.height, 34 + 512 + 40);
    for (const f of ['face-detect.safetensors', 'checkpoint.safetensors', 'events.jsonl', 'curves.png', 'detections.json']) t.true(existsSync(join(out, f)), f);
    const json = JSON.parse(readFileSync(join(out, 'detections.json'), 'utf8')) as { detections: { score: number }[] };
    t.deepEqual(json.detections.map((d) => d.score), summary.detections.map((d) => d.score));

    // --eval: the saved model, the same detection flags → the same held-out accuracy and the same detections
    const evalOut = tmp();
    const again = await run(['--eval', join(out, 'face-detect.safetensors'), '--out', evalOut, '--threshold', '0.5', '--max-detections', '10']);
    t.is(again.summary.mode, 'eval');
    t.is(again.summary.accuracy, summary.accuracy);
    t.deepEqual(again.summary.detections, summary.detections);
    t.true(existsSync(join(evalOut, 'face-detect-astronaut.png')));
    const fromCheckpoint = await run(['--eval', join(out, 'checkpoint.safetensors'), '--out', evalOut, '--threshold', '0.5', '--max-detections', '10']);
    t.deepEqual(fromCheckpoint.summary.detections, summary.detections);

    // the fully convolutional net on a scale of the photo equals the patch classifier on its windows
    const model = summary.model;
    model.evaluate();
    const { net, stride, window } = fullyConvolutional(model, [1, PATCH, PATCH]);
    t.is(stride, 4);
    t.deepEqual([...window], [PATCH, PATCH]);
    const photo = readPhoto(join(faces, PHOTO_FILE));
    const x = imageInput(rescaleImage(new Tensor(photo.gray, [1, 1, 512, 512]), 0.3), 6);
    const [, , H, W] = x.shape as [number, number, number, number];
    const map = noGrad(() => net.forward(x));
    const [, K, h, w] = map.shape as [number, number, number, number];
    t.deepEqual([K, h, w], [2, Math.floor((H - PATCH) / stride) + 1, Math.floor((W - PATCH) / stride) + 1]);
    let worst = 0;
    for (const [i, j] of [[0, 0], [5, 7], [11, 9], [h - 1, w - 1], [3, w - 2]] as const) {
      const crop = new Float32Array(PATCH * PATCH);
      for (let r = 0; r < PATCH; r++) crop.set(x.data.subarray((i * stride + r) * W + j * stride, (i * stride + r) * W + j * stride + PATCH), r * PATCH);
      const patch = noGrad(() => model.forward(new Tensor(crop, [1, 1, PATCH, PATCH])));
      for (let k = 0; k < 2; k++) worst = Math.max(worst, Math.abs(patch.data[k]! - map.data[k * h * w + i * w + j]!));
    }
    t.true(worst < 1e-4, `largest difference ${worst}`);
  });
}
