import test from 'ava';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../mnist-gan/main.js';
import { defaultScorerPath, loadScorer } from '../lib/scorer.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-gan-'));

// The 2014 paper's fully connected GAN, 4 epochs of the 8,000 digits (the default runs 30), scored
// on 500 samples by the CI-sized scorer after epoch 1 and after epoch 4.
test.serial('mnist-gan: samples improve over training (FID falls from epoch 1 to 4), cover several classes, and the run writes its figures', async (t) => {
  await loadScorer({ ci: true, log: quiet });
  const out = tmp();
  const args = ['--epochs', '4', '--out', out, '--score', '--scorer', defaultScorerPath(true), '--score-samples', '500'];
  const first = await main([...args, '--stop-after', '1'], quiet);
  const last = await main([...args, '--resume'], quiet);
  const [s1, s4] = [first.score!, last.score!];
  t.true(s4.fid < 0.8 * s1.fid, `FID ${s1.fid.toFixed(2)} after epoch 1, ${s4.fid.toFixed(2)} after epoch 4`);
  t.true(s4.entropy > 2, `class entropy ${s4.entropy.toFixed(3)} bits`);
  t.is(s4.accuracy, undefined, 'an unconditional model has no class accuracy');
  t.deepEqual(last.history.map((h) => h.epoch), [1, 2, 3, 4]);
  for (const f of ['samples.png', 'samples-strip.png', 'losses.png', 'interpolation.png', 'arithmetic.png', 'mnist-gan.safetensors']) t.true(existsSync(join(out, f)), f);
});

test.serial('mnist-gan --minutes stops at an epoch end within the budget, and says so', async (t) => {
  const lines: string[] = [];
  const run = await main(['--epochs', '50', '--minutes', '0.1', '--train-size', '320', '--out', tmp()], (l) => lines.push(l));
  t.true(run.history.length >= 1 && run.history.length < 50, `${run.history.length} epochs`);
  t.true(lines.some((l) => /stopped after epoch \d+ \(--minutes 0\.1: the next epoch would end past the budget\); continue with --resume/.test(l)));
});
