import test from 'ava';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Canvas } from '@eole/core/report';
import { Generator, type Module } from '@eole/core';
import { classifyWindows, decodeWav, loadSpokenDigitModel, readDigitFolder, type DigitUtterance } from '@eole/speech';
import { CliExit } from '../lib/cli.js';
import { dataFolder } from '../lib/run.js';
import { concatenateUtterances, main, pickUtterances, readTruth, writeSequence, type DigitStreamSummary } from '../digit-stream/main.js';
// digit-stream streams a model that spoken-digits trains: this test runs the two in turn.
import { main as trainDigits } from '../spoken-digits/main.js';
import { testWindows } from '../spoken-digits/data.js';

const quiet = (): void => {};
const tmp = (): string => mkdtempSync(join(tmpdir(), 'eole-digit-stream-'));

/** The model's answer for each utterance shown alone: one window centred on it, as `spoken-digits --eval` scores. */
function isolatedDigits(model: Module, utterances: readonly DigitUtterance[]): number[] {
  const windows = testWindows(utterances);
  const logProbs = classifyWindows(model, windows.x, windows.count);
  return utterances.map((_, i) => {
    let best = 0;
    for (let k = 1; k < 10; k++) if (logProbs[i * 10 + k]! > logProbs[i * 10 + best]!) best = k;
    return best;
  });
}

async function run(argv: string[]): Promise<{ summary: DigitStreamSummary; lines: string[] }> {
  const lines: string[] = [];
  const summary = await main(argv, (l) => lines.push(l));
  return { summary, lines };
}

test('digit-stream: clear errors without an input, with a missing checkpoint (saying how to make one), with bad flags', async (t) => {
  const out = tmp();
  await t.throwsAsync(main(['--out', out], quiet), { message: /give --input FILE \(a WAV\), or --make-test-wav FILE/ });
  const err = (await main(['--input', join(out, 'x.wav'), '--model', join(out, 'none.safetensors'), '--out', out], quiet).catch((e: unknown) => e)) as Error;
  t.regex(err.message, /no model checkpoint '.*none\.safetensors'/);
  t.regex(err.message, /npm run -w examples spoken-digits -- --out runs\/spoken-digits/);
  await t.throwsAsync(main(['--min-gap', '0'], quiet), { instanceOf: CliExit, message: /--min-gap: expected at least 1, got 0/ });
  const help = await main(['--help'], quiet).catch((e: unknown) => e);
  t.true(help instanceof CliExit && help.code === 0 && /--make-test-wav FILE/.test(help.message) && /--chunk-ms X/.test(help.message));
});

const fsdd = dataFolder('fsdd', 'recordings');
if (!existsSync(fsdd)) {
  test.skip(`digit-stream on FSDD (needs ${fsdd}; set EOLE_DATA; absent here, skipped)`, () => {});
} else {
  test('digit-stream --make-test-wav: held-out utterances with low noise between, a 16-bit WAV and its truth', async (t) => {
    const out = tmp();
    const file = join(out, 'seq.wav');
    const { summary, lines } = await run(['--make-test-wav', file, '--count', '7', '--seed', '5', '--out', out]);
    t.is(summary.png, null);
    const truth = readTruth(file)!;
    t.is(truth.length, 7);
    t.deepEqual(summary.truth, truth);
    t.regex(lines[0]!, /wrote .*seq\.wav \(\d+\.\d s, 7 held-out utterances of \d speakers\)/);
    const wav = decodeWav(readFileSync(file));
    t.is(wav.sampleRate, 8000);
    const parts = (JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { parts: { file: string; start: number; end: number }[] }).parts;
    t.true(parts.every((p) => Number(p.file.split('_')[2]!.replace('.wav', '')) < 5), 'only repetitions 0–4');
    for (let i = 1; i < parts.length; i++) t.true(parts[i]!.start - parts[i - 1]!.end >= 0.299, 'at least 300 ms between utterances');
    // Inside a gap, the samples are the low noise.
    const gap = wav.samples.subarray(Math.ceil(parts[0]!.end * 8000) + 10, Math.floor(parts[1]!.start * 8000) - 10);
    t.true(Math.sqrt(gap.reduce((a, v) => a + v * v, 0) / gap.length) < 3e-4);
  });

  // A CI-sized spoken-digits model (10 epochs, 3 variants without the channel augmentation, label smoothing, weight averaging or speaker normalisation, as when it was measured; 97.50% on the held-out utterances with the default --vtlp 0.1),
  // then two long recordings of 8 held-out digits each (seeds 11 and 12, chosen before any result),
  // streamed in 100 ms chunks: both strings must come out exactly.
  test('digit-stream on FSDD: a CI-trained model recovers sequences of 8 held-out digits, and draws the figure', async (t) => {
    const started = performance.now();
    const modelDir = tmp();
    const trained = await trainDigits(['--epochs', '10', '--variants', '3', '--channel', '0', '--label-smoothing', '0', '--swa', '0', '--lr-min', '0', '--normalisation', 'window', '--seed', '1', '--out', modelDir], quiet);
    t.log(`spoken-digits, 10 epochs, 3 variants: held-out accuracy ${(trained.accuracy * 100).toFixed(2)}% (${trained.seconds.toFixed(0)} s)`);
    t.true(trained.accuracy >= 0.9, `held-out accuracy ${trained.accuracy}`);
    const checkpoint = trained.runs[0]!.checkpoint;
    const { model } = loadSpokenDigitModel(checkpoint);
    const heldOut = readDigitFolder(fsdd).filter((u) => u.index < 5);
    let exact = 0;
    for (const seed of [11, 12]) {
      const out = tmp();
      const file = join(out, `seq-${seed}.wav`);
      const rng = new Generator(seed);
      const picks = pickUtterances(heldOut, 8, rng);
      const seq = concatenateUtterances(picks, { rng });
      writeSequence(file, seq);
      t.true(new Set(picks.map((u) => u.speaker)).size >= 2, 'several speakers');
      const alone = isolatedDigits(model, picks);
      const { summary, lines } = await run(['--input', file, '--model', checkpoint, '--out', out]);
      t.log(`seed ${seed}: truth ${seq.digits.join(' ')}, heard ${summary.digits.join(' ')}, the model alone ${alone.join(' ')} (${summary.speed.toFixed(1)}× real time)`);
      t.deepEqual(summary.digits, seq.digits, 'the string of 8 held-out digits is recovered exactly');
      t.deepEqual(summary.errors, { substitutions: 0, deletions: 0, insertions: 0, rate: 0 });
      if (alone.every((d, i) => d === seq.digits[i])) exact++;
      t.is(lines.at(-1), `digits: ${summary.digits.join(' ')}`);
      t.is(lines.filter((l) => /^ +\d+\.\d\d s {2}\d {2}\(p /.test(l)).length, 8, 'one line per digit as it is decided');
      // Each digit is decided inside or shortly after its utterance, in order.
      summary.decoded.forEach((d, i) => t.true(d.time > seq.parts[i]!.start - 0.1 && d.time < seq.parts[i]!.end + 0.1, `digit ${i} at ${d.time} s`));
      const png = Canvas.fromPNG(readFileSync(summary.png!));
      t.true(png.width > 600 && png.height > 300, `${png.width}x${png.height}`);
    }
    t.log(`${exact} of 2 sequences had every utterance right in isolation`);
    // A third string, drawn (seed 13) among the held-out utterances the model recognises alone:
    // the stream decides from other windows than the centred one, and measured one substitution
    // here (a 2 heard as 0; the digit error rate on all 200 held-out utterances is 2–3%). Asserted:
    // nothing missed or inserted, at most one substitution.
    const known = isolatedDigits(model, heldOut);
    const recognised = heldOut.filter((u, i) => known[i] === u.digit);
    t.log(`the model alone recognises ${recognised.length} of ${heldOut.length} held-out utterances`);
    const out = tmp();
    const file = join(out, 'seq-13.wav');
    const rng = new Generator(13);
    const seq = concatenateUtterances(pickUtterances(recognised, 8, rng), { rng });
    writeSequence(file, seq);
    const { summary } = await run(['--input', file, '--model', checkpoint, '--out', out]);
    t.log(`seed 13: truth ${seq.digits.join(' ')}, heard ${summary.digits.join(' ')}`);
    const errors = summary.errors!;
    t.is(errors.deletions + errors.insertions, 0, 'nothing missed or inserted');
    t.true(errors.substitutions <= 1, `substitutions ${errors.substitutions}`);
    t.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
  });
}
