import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { kernels } from '@eole/core';
import { benchMatmul } from './matmul.js';
import { benchMlp } from './mlp.js';
import { LENET_SHIM_NOTE, benchLenet } from './lenet.js';
import { benchLstm, type LstmProfile } from './lstm.js';
import { calibrate, type Calibration } from './calibrate.js';
import { fmtMs, machine, machineLine, markdownTable, writeJson, type Row } from './report.js';
import { tfTensorCount } from './tfjs.js';

/**
 * `npm run bench`: Eole against plain JS and tfjs (cpu, wasm) in one process, same inputs, results
 * checked; prints a markdown table and writes runs/bench/latest.json.
 */
async function main(): Promise<void> {
  const started = performance.now();
  const m = machine();
  console.log(`Eole benchmarks on ${machineLine(m)}`);
  console.log('Times: median of the timed repetitions after warm-up (min–max in brackets), per call.');
  if (m.loadAverage > m.cores / 2) {
    console.log(`warning: load average ${m.loadAverage.toFixed(2)} on ${m.cores} cores: other processes are running, so times are slower and noisier than on an idle machine.`);
  }
  console.log('');

  const rows: Row[] = [];
  const step = async (name: string, run: () => Promise<Row[]> | Row[]): Promise<void> => {
    const t0 = performance.now();
    process.stdout.write(`running ${name} ... `);
    const out = await run();
    rows.push(...out);
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  await step('matmul 512', () => benchMatmul(512));
  await step('MLP training step', () => benchMlp());
  let shim = false;
  await step('LeNet-5 training and inference', async () => {
    const out = await benchLenet();
    shim = out.shim;
    return out.rows;
  });
  let lstmNotes: string[] = [];
  let lstmProfile: LstmProfile | null = null;
  await step('LSTM training step', async () => {
    const out = await benchLstm();
    lstmNotes = out.notes;
    lstmProfile = out.profile;
    return out.rows;
  });

  process.stdout.write('running dispatcher calibration ... ');
  const t0 = performance.now();
  const cal = calibrate();
  console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

  console.log(markdownTable(rows));
  console.log(`\nMachine: ${machineLine(m)}.`);
  console.log('Backend: our kernels launched during the timed region, per call (from kernels.stats()); for peers, the tfjs backend.');
  console.log('max abs diff: matmul against a float64 oracle; MLP: losses of two steps and all parameters after them, against Eole auto.');
  console.log(
    'LeNet-5 (relu, max pooling, SGD lr 0.05, seeded uniform inputs and labels): every implementation starts from the same weights (Eole\'s init, converted to tfjs HWIO / [in, out] and ConvNetJS volumes); ' +
      'max abs diff: training, losses of two steps and all parameters after them; inference, class probabilities of the 256 samples before training; both against Eole auto. ' +
      'ConvNetJS computes in float64 and steps after 32 per-sample gradients; tfjs-layers uses softmax + categorical cross-entropy (same function as log-softmax + NLL).',
  );
  if (shim) console.log(LENET_SHIM_NOTE);
  console.log(LSTM_NOTE);
  for (const n of lstmNotes) console.log(n);
  if (lstmProfile) console.log(profileLine(lstmProfile));
  for (const r of rows) if (r.ours && r.timing.compiles > 0) console.log(`warning: ${r.impl} compiled ${r.timing.compiles} kernels inside its timed region`);
  printSummary(rows);
  printCalibration(cal);

  const leaked = tfTensorCount();
  if (leaked > 0) console.log(`\nnote: ${leaked} tfjs tensors still alive at the end`);
  const dir = path.join(process.cwd(), 'runs', 'bench');
  const file = path.join(dir, 'latest.json');
  const notes = [...(shim ? [LENET_SHIM_NOTE] : []), LSTM_NOTE, ...lstmNotes, ...(lstmProfile ? [profileLine(lstmProfile)] : [])];
  writeJson(file, { date: new Date().toISOString(), machine: m, rows, notes, calibration: cal, lstmProfile, totalSeconds: (performance.now() - started) / 1000 });
  writeFileSync(path.join(dir, 'latest.md'), `${markdownTable(rows)}\n\nMachine: ${machineLine(m)}.\n${notes.map((n) => `\n${n}\n`).join('')}`);
  console.log(`\nwrote ${path.relative(process.cwd(), file)} and latest.md (total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

/** How the LSTM rows are set up and checked. */
const LSTM_NOTE =
  'LSTM step (seeded uniform x [32, 20, 64] and targets [32, 10]): LSTM(64 → 128) over the 20 steps, Linear(128 → 10) on the last hidden state, MSE, backpropagation through time, SGD lr 0.1. ' +
  'Eole and tfjs-layers (`tf.layers.lstm({units: 128, recurrentActivation: \'sigmoid\'})` + dense, `trainOnBatch`) start from the same weights (Eole\'s init; Keras kernels are the transposes, gates i, f, g/c, o in the same order, its one bias = b_ih + b_hh); ' +
  'max abs diff: the loss of the first step and every parameter after it (for the LSTM bias, its change), against Eole auto.';

/** Eole's LSTM step split into forward, backward and update, for the notes. */
function profileLine(p: LstmProfile): string {
  const k = (c: Partial<Record<string, number>>): string => Object.entries(c).map(([b, n]) => `${b} ×${n}`).join(', ');
  return `Eole LSTM step, auto dispatch, by phase (median of 5): forward + loss ${fmtMs(p.forwardMs)} ms (${k(p.kernels.forward)}), backward ${fmtMs(p.backwardMs)} ms (${k(p.kernels.backward)}), SGD update ${fmtMs(p.updateMs)} ms (${k(p.kernels.update)}).`;
}

/** The numbers the issue asks about, in words. */
function printSummary(rows: readonly Row[]): void {
  const ms = (id: string): number | undefined => rows.find((r) => r.id === id)?.timing.medianMs;
  const say = (ours: string, peer: string, what: string, target?: number): void => {
    const a = ms(ours);
    const b = ms(peer);
    if (a === undefined || b === undefined) return;
    const r = b / a;
    const verdict = r >= 1 ? `Eole is ${r.toFixed(2)}× faster` : `Eole is ${(1 / r).toFixed(2)}× slower`;
    const goal = target === undefined ? '' : ` (target ≥ ${target}×: ${r >= target ? 'met' : 'NOT met'})`;
    console.log(`- ${what}: ${verdict}${goal}`);
  };
  console.log('\nSummary');
  say('matmul.eole.auto', 'matmul.plainjs', 'matmul 512 vs plain JS', 2);
  say('matmul.eole.auto', 'matmul.tfjs.cpu', 'matmul 512 vs tfjs cpu');
  say('matmul.eole.auto', 'matmul.tfjs.wasm', 'matmul 512 vs tfjs wasm');
  say('mlp.eole.auto', 'mlp.tfjs.cpu', 'MLP step vs tfjs cpu');
  say('mlp.eole.auto', 'mlp.tfjs.wasm', 'MLP step vs tfjs wasm');
  const lenet = rows.find((r) => r.id === 'lenet.train.eole.auto');
  if (lenet?.throughput) {
    const v = lenet.throughput.value;
    console.log(`- LeNet-5 training: ${v.toFixed(0)} samples/s (target ≥ 1,000 samples/s: ${v >= 1000 ? 'met' : 'NOT met'})`);
  }
  say('lenet.train.eole.auto', 'lenet.train.tfjs.cpu', 'LeNet-5 training vs tfjs-layers cpu');
  say('lenet.train.eole.auto', 'lenet.train.tfjs.wasm', 'LeNet-5 training vs tfjs-layers wasm (with our filter-gradient shim)');
  say('lenet.train.eole.auto', 'lenet.train.convnetjs', 'LeNet-5 training vs ConvNetJS');
  say('lenet.infer.eole.auto', 'lenet.infer.tfjs.cpu', 'LeNet-5 inference vs tfjs-layers cpu');
  say('lenet.infer.eole.auto', 'lenet.infer.tfjs.wasm', 'LeNet-5 inference vs tfjs-layers wasm');
  say('lenet.infer.eole.auto', 'lenet.infer.convnetjs', 'LeNet-5 inference vs ConvNetJS');
  say('lstm.eole.auto', 'lstm.tfjs.cpu', 'LSTM step vs tfjs-layers cpu');
  say('lstm.eole.auto', 'lstm.tfjs.wasm', 'LSTM step vs tfjs-layers wasm');
  say('lstm.eole.auto', 'lstm.brainjs', 'LSTM step vs brain.js LSTMTimeStep (32 sequences, see the note)');
}

function printCalibration(cal: Calibration): void {
  console.log('\nDispatcher calibration: forced cpu vs forced webasm (median ms per call; speedup = cpu ÷ webasm)\n');
  console.log('| op | shape | work | cpu ms | webasm ms | speedup | max abs diff |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const p of cal.points) {
    console.log(`| ${p.op} | ${p.shape} | ${p.work} | ${fmtMs(p.cpuMs)} | ${fmtMs(p.webasmMs)} | ${p.speedup.toFixed(2)}× | ${p.maxAbsDiff === 0 ? '0' : p.maxAbsDiff.toExponential(1)} |`);
  }
  console.log('');
  for (const c of cal.crossovers) {
    const where =
      c.webasmWinsFrom === null
        ? 'webasm never wins in the measured range'
        : c.cpuWinsUpTo === null
          ? `webasm wins at every measured size (from work ${c.webasmWinsFrom})`
          : `webasm wins from work ${c.webasmWinsFrom} on (cpu still wins at ${c.cpuWinsUpTo})`;
    console.log(`crossover ${c.op}: ${where}`);
  }
  console.log(`current kernels.threshold: ${cal.threshold} (dispatch: ${kernels.backend})`);
}

await main();
