import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../gan-scorer/main.js';
import { mnistSplit } from '../lib/mnist.js';
import { CI_SCORER_EPOCHS, SAMPLE_IMAGES_FILE, SAMPLE_LABELS_FILE, scoreLines } from '../lib/scorer.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-gan-scorer-'));

/** Writes digits as the GAN examples' sample pair (uint8 images [N, 28, 28], optional labels). */
function writeSamples(dir: string, images: Float32Array, labels?: ArrayLike<number>): void {
  const n = images.length / 784;
  const head = Buffer.alloc(16 + n * 784);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(n, 4);
  head.writeUInt32BE(28, 8);
  head.writeUInt32BE(28, 12);
  for (let i = 0; i < n * 784; i++) head[16 + i] = Math.round(images[i]! * 255);
  writeFileSync(join(dir, SAMPLE_IMAGES_FILE), head);
  if (labels === undefined) return;
  const lab = Buffer.alloc(8 + n);
  lab.writeUInt32BE(0x801, 0);
  lab.writeUInt32BE(n, 4);
  for (let i = 0; i < n; i++) lab[8 + i] = labels[i]!;
  writeFileSync(join(dir, SAMPLE_LABELS_FILE), lab);
}

test('scoreLines: accuracy only with labels, FID with 2 decimals, entropy in bits with 3', (t) => {
  const histogram = new Array<number>(10).fill(100);
  t.deepEqual(scoreLines({ count: 1000, accuracy: 0.97125, fid: 3.456, entropy: 3.30121, histogram }), ['accuracy: 97.13%', 'FID: 3.46', 'class entropy: 3.301 bits']);
  t.deepEqual(scoreLines({ count: 1000, fid: 12, entropy: 0, histogram }), ['FID: 12.00', 'class entropy: 0.000 bits']);
});

// The CI-sized scorer: LeNet-5 trained 2 epochs (the default scorer trains 12).
test.serial('gan-scorer: the calibration is ordered (real < blurred < one class), real digits cover the classes, and --score-idx prints the score lines', async (t) => {
  const dir = tmp();
  const lines: string[] = [];
  const summary = await main(['--scorer', join(dir, 'scorer', 'lenet5.safetensors'), '--epochs', String(CI_SCORER_EPOCHS), '--calibrate', '--count', '1000', '--out', dir], (l) => lines.push(l));
  t.true(summary.heldOutAccuracy >= 0.93, `held-out accuracy ${summary.heldOutAccuracy}`);
  const [self, real, blurred, oneClass] = summary.calibration!;
  t.log(summary.calibration!.map((r) => `${r.name}: FID ${r.fid.toFixed(2)}, ${r.entropy.toFixed(3)} bits`).join('\n'));
  t.true(self!.fid < 1e-6, `the reference against itself: ${self!.fid}`);
  t.true(real!.fid < blurred!.fid && blurred!.fid < oneClass!.fid, `real ${real!.fid} < blurred ${blurred!.fid} < one class ${oneClass!.fid}`);
  t.true(Math.abs(real!.entropy - Math.log2(10)) < 0.05, `real digits' class entropy ${real!.entropy}`);
  t.true(oneClass!.entropy < 0.5, `one class's entropy ${oneClass!.entropy}`);
  t.true(lines.some((l) => /^ {2}held-out digits blurred \(σ = 1 px\) +\d+\.\d\d {2}\d\.\d{3} bits$/.test(l)), lines.join('\n'));

  const samples = tmp();
  const { test: heldOut } = mnistSplit(0, 8000);
  writeSamples(samples, heldOut.images.subarray(0, 500 * 784), heldOut.labels.subarray(0, 500));
  const scored: string[] = [];
  const again = await main(['--scorer', join(dir, 'scorer', 'lenet5.safetensors'), '--score-idx', samples, '--out', dir], (l) => scored.push(l));
  t.true(scored.some((l) => l.startsWith('scorer: loaded')), 'the saved scorer is loaded, not trained again');
  const tail = scored.slice(-3);
  t.regex(tail[0]!, /^accuracy: \d+\.\d\d%$/);
  t.regex(tail[1]!, /^FID: \d+\.\d\d$/);
  t.regex(tail[2]!, /^class entropy: \d\.\d{3} bits$/);
  t.true(again.score!.accuracy! >= 0.93, `accuracy on real digits ${again.score!.accuracy}`);

  const unlabelled = tmp();
  writeSamples(unlabelled, heldOut.images.subarray(0, 100 * 784));
  const plain: string[] = [];
  await main(['--scorer', join(dir, 'scorer', 'lenet5.safetensors'), '--score-idx', unlabelled, '--out', dir], (l) => plain.push(l));
  t.false(plain.some((l) => l.startsWith('accuracy:')), 'no accuracy without labels');
  t.regex(plain.at(-1)!, /^class entropy: /);
  await t.throwsAsync(main(['--scorer', join(dir, 'scorer', 'lenet5.safetensors'), '--score-idx', tmp(), '--out', dir], () => {}), { message: /no samples-images-idx3-ubyte/ });
});
