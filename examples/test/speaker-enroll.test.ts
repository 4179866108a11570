import test from 'ava';
import { existsSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnrollment } from '@eole/metric';
import { dataFolder } from '../lib/run.js';
import { main, type SpeakerVerifySummary } from '../speaker-verify/main.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-enroll-'));
const fsddDir = (): string => dataFolder('fsdd', 'recordings');

/** A folder of symlinks to the FSDD recordings that `keep` accepts. */
function subset(keep: (digit: number, speaker: string, index: number) => boolean): string {
  const dir = tmp();
  for (const file of readdirSync(fsddDir())) {
    const m = /^(\d)_(.+)_(\d+)\.wav$/.exec(file);
    if (m && keep(Number(m[1]), m[2]!, Number(m[3]))) symlinkSync(join(fsddDir(), file), join(dir, file));
  }
  return dir;
}

async function run(argv: string[]): Promise<{ summary: SpeakerVerifySummary; lines: string[] }> {
  const lines: string[] = [];
  const summary = await main(argv, (l) => lines.push(l));
  return { summary, lines };
}

const fsdd = existsSync(fsddDir());
if (!fsdd) test.skip(`speaker-verify --enroll/--verify on FSDD (needs ${fsddDir()}; set EOLE_DATA; absent here, skipped)`, () => {});

(fsdd ? test.serial : test.serial.skip)('speaker-verify --enroll DIR writes a calibrated enrollment.json; --verify FILE scores a recording against it', async (t) => {
  const out = tmp();
  const data = subset((_d, _s, i) => i < 10);
  // a small model, theo unseen in training
  await run(['--data', data, '--epochs', '1', '--seed', '2', '--holdout-speaker', 'theo', '--batch', '32', '--pairs', '32', '--windows', '1', '--out', out]);
  // enroll theo (unseen) and nicolas from indices 10–11 of every digit; the cohort is jackson's and yweweler's held-out utterances
  const enrollDir = subset((_d, s, i) => (s === 'theo' || s === 'nicolas') && (i === 10 || i === 11));
  const enrolled = await run(['--data', data, '--enroll', enrollDir, '--out', out]);
  t.is(enrolled.summary.mode, 'enroll');
  t.deepEqual(enrolled.summary.enrolled, { nicolas: 20, theo: 20 });
  t.is(enrolled.summary.targets, 40, 'one leave-one-out target trial per enrolled utterance');
  t.is(enrolled.summary.impostors, 2 * (50 + 20), 'each model against the impostor half of the cohort (100 utterances) and the other speaker');
  t.true(enrolled.summary.eer >= 0 && enrolled.summary.eer <= 1);
  t.true(enrolled.lines.some((l) => /^calibration \(s-norm\): 40 target, 140 non-target trials, EER \d+\.\d\d%; threshold -?\d+\.\d{4}/.test(l)), enrolled.lines.join('\n'));
  const book = loadEnrollment(join(out, 'enrollment.json'));
  t.deepEqual(book.speakers, ['nicolas', 'theo']);
  t.is(book.normalization, 's-norm');
  t.is(book.cohortSize, 50);
  t.true(Number.isFinite(book.threshold));
  t.is(book.metadata['model'], join(out, 'speaker-verify.safetensors'));

  // --verify alone reuses enrollment.json; a theo recording that was not enrolled
  const file = join(fsddDir(), '3_theo_30.wav');
  const verified = await run(['--data', data, '--verify', file, '--out', out]);
  const verdicts = verified.summary.verdicts!;
  t.deepEqual(verdicts.map((v) => v.speaker).sort(), ['nicolas', 'theo']);
  t.true(verdicts[0]!.score >= verdicts[1]!.score, 'best first');
  for (const v of verdicts) t.is(v.accepted, v.score >= book.threshold!);
  t.regex(verified.lines.at(-1)!, /^verify: 3_theo_30\.wav (is (nicolas|theo) \(score -?\d+\.\d{4} >= threshold|matches no enrolled speaker \(best (nicolas|theo), score -?\d+\.\d{4} < threshold)/);
  t.true(Number.isNaN(verified.summary.eer));
  t.log(enrolled.lines.find((l) => l.startsWith('calibration'))!);
  t.log(verified.lines.slice(-3).join('\n'));

  // --eval (whose model loading enroll.ts now shares) still ends with the EER line
  const evaluated = await run(['--eval', join(out, 'speaker-verify.safetensors'), '--test', subset((d, _s, i) => i < 2 && d < 3), '--out', out]);
  t.is(evaluated.summary.mode, 'eval');
  t.true(evaluated.lines.includes('24 utterances of 4 speakers (jackson, nicolas, theo, yweweler); 276 trials: 60 same-speaker, 216 different-speaker pairs'), evaluated.lines.join('\n'));
  t.regex(evaluated.lines.at(-1)!, /^EER: \d+\.\d\d%$/);

  // clear errors
  await t.throwsAsync(main(['--data', data, '--verify', file, '--out', tmp()], () => {}), { message: /no model at '.*speaker-verify\.safetensors'; train one into --out, or name it with --eval CHECKPOINT/ });
  await t.throwsAsync(main(['--data', data, '--eval', join(out, 'speaker-verify.safetensors'), '--verify', file, '--out', tmp()], () => {}), { message: /--verify needs enrolled speakers: no enrollment\.json in/ });
  const one = subset((d, s, i) => s === 'theo' && i === 12 && d === 0);
  await t.throwsAsync(main(['--data', data, '--enroll', one, '--out', out], () => {}), { message: /at least 2 utterances of each speaker to calibrate; '.*' has 1 of theo/ });
});
