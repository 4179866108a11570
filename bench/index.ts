import os from 'node:os';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { kernels } from '@eole/core';
import { parseArgs, usage, type BenchArgs } from './args.js';
import { benchMatmul } from './matmul.js';
import { benchMlp } from './mlp.js';
import { LENET_SHIM_NOTE, benchLenet } from './lenet.js';
import { benchLstm, type LstmProfile } from './lstm.js';
import { benchDcgan } from './dcgan.js';
import { calibrate, type Calibration } from './calibrate.js';
import { PROFILE_NOTE, lstmPhaseLine, notesFor } from './notes.js';
import { profileLines, type StepProfile } from './profile.js';
import { REPO_ROOT, fmtMs, machine, machineLine, markdownTable, writeJson, type Row } from './report.js';
import { summaryLines } from './summary.js';
import { checkTargets, targetLines } from './targets.js';
import { tfTensorCount } from './tfjs.js';

/**
 * `npm run bench`: Eole (once per thread count) against plain JS, tfjs (cpu, wasm), ConvNetJS and
 * brain.js in one process, same inputs, results checked; prints a markdown table, step profiles, a
 * summary and the targets, and writes runs/bench/latest.json and latest.md at the repo root.
 */
async function main(args: BenchArgs): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg();
  // The pool is off (1 thread) outside the Eole rows, so that no idle worker competes with a peer.
  const defaultThreads = kernels.threads;
  kernels.setThreads(1);
  const m = machine();
  console.log(`Eole benchmarks on ${machineLine(m)}`);
  console.log(`Eole rows at ${args.threads.join(', ')} thread(s); peers once, on one thread. Benchmarks: ${[...args.only].join(', ')}.`);
  console.log('Times: median of the timed repetitions after warm-up (min–max in brackets), per call.');
  if (m.loadAverage > m.cores / 2) {
    console.log(`warning: load average ${m.loadAverage.toFixed(2)} on ${m.cores} cores: other processes are running, so times are slower and noisier than on an idle machine.`);
  }
  console.log('');

  const rows: Row[] = [];
  const profiles: StepProfile[] = [];
  const extra: string[] = [];
  let lstmProfile: LstmProfile | null = null;
  let cal: Calibration | null = null;
  const step = async (name: string, run: () => Promise<Row[]>): Promise<void> => {
    const t0 = performance.now();
    process.stdout.write(`running ${name} ... `);
    rows.push(...(await run()));
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  const { threads, only } = args;
  if (only.has('matmul')) await step('matmul 512', () => benchMatmul(512, threads));
  if (only.has('mlp')) {
    await step('MLP training step', async () => {
      const out = await benchMlp(threads);
      profiles.push(...out.profiles);
      return out.rows;
    });
  }
  if (only.has('lenet')) {
    await step('LeNet-5 training and inference', async () => {
      const out = await benchLenet(threads);
      if (out.shim) extra.push(LENET_SHIM_NOTE);
      profiles.push(...out.profiles);
      return out.rows;
    });
  }
  if (only.has('lstm')) {
    await step('LSTM training step', async () => {
      const out = await benchLstm(threads);
      lstmProfile = out.profile;
      extra.push(...out.notes, lstmPhaseLine(out.profile));
      return out.rows;
    });
  }
  if (only.has('dcgan')) {
    await step('DCGAN training step', async () => {
      const out = await benchDcgan(threads);
      extra.push(...out.notes);
      profiles.push(...out.profiles);
      return out.rows;
    });
  }
  if (only.has('calibrate')) {
    process.stdout.write('running dispatcher calibration ... ');
    const t0 = performance.now();
    cal = calibrate();
    console.log(`${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }

  const notes = notesFor(only, threads, profiles.length ? [...extra, PROFILE_NOTE] : extra);
  const targets = checkTargets(rows);
  const report = [
    markdownTable(rows),
    `Machine: ${machineLine(m)}.`,
    ...notes,
    ...(profiles.length ? ['Profiles of one training step (top 8 kernels)', ...profiles.map((p) => profileLines(p).join('\n'))] : []),
    summaryLines(rows).join('\n'),
  ].join('\n\n');
  const checklist = targetLines(targets).join('\n');
  console.log(`\n${report}`);
  for (const r of rows) if (r.ours && r.timing.compiles > 0) console.log(`warning: ${r.id} compiled ${r.timing.compiles} kernels inside its timed region`);
  if (cal) printCalibration(cal);
  console.log(`\n${checklist}`);

  const leaked = tfTensorCount();
  if (leaked > 0) console.log(`\nnote: ${leaked} tfjs tensors still alive at the end`);
  const loadEnd = os.loadavg();
  const dir = path.join(REPO_ROOT, 'runs', 'bench');
  const file = path.join(dir, 'latest.json');
  writeJson(file, {
    date: new Date().toISOString(),
    args: { threads, only: [...only] },
    machine: m,
    loadAverage: { start: loadStart, end: loadEnd },
    threads,
    defaultThreads,
    rows,
    profiles,
    targets,
    notes,
    calibration: cal,
    lstmProfile,
    totalSeconds: (performance.now() - started) / 1000,
  });
  writeFileSync(path.join(dir, 'latest.md'), `${report}\n\n${checklist}\n\nLoad average (1, 5, 15 min): ${fmtLoad(loadStart)} at start, ${fmtLoad(loadEnd)} at the end.\n`);
  console.log(`\nload average (1, 5, 15 min): ${fmtLoad(loadStart)} at start, ${fmtLoad(loadEnd)} at the end`);
  console.log(`wrote ${file} and latest.md (total ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

function fmtLoad(l: readonly number[]): string {
  return l.map((v) => v.toFixed(2)).join(', ');
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
  console.log(`current kernels.threshold: ${cal.threshold} (dispatch: ${kernels.backend}, ${kernels.threads} thread(s))`);
}

let args: BenchArgs | null = null;
try {
  args = parseArgs(process.argv.slice(2));
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n\n${usage()}`);
  process.exitCode = 2;
}
if (args?.help) console.log(usage());
else if (args) {
  try {
    await main(args);
  } finally {
    kernels.close();
  }
}
