import test, { type ExecutionContext } from 'ava';
import { kernels } from '@eole/core';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { chartPng } from '@eole/core/report';
import { CliExit, helpText, numberFlag, parseCli } from '../lib/cli.js';
import { REPO_ROOT } from '../lib/paths.js';
import { main as oneOneOne, surfacePlot, curvesPlot, type OneOneOneSummary } from '../one-one-one/main.js';
import { main as perceptron, type PerceptronSummary } from '../perceptron/main.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'eole-examples-'));
}

/** Runs an example's main in-process with `--out` in a fresh folder; returns its summary and printed lines. */
async function run<S>(main: (argv: string[], log: (line: string) => void) => Promise<S>, ...argv: string[]): Promise<{ summary: S; lines: string[]; out: string }> {
  const out = tmp();
  const lines: string[] = [];
  const summary = await main([...argv, '--out', out], (line) => lines.push(line));
  return { summary, lines, out };
}

/** Decodes a PNG, checks it is at least `width` x `height` and holds at least `minColours` colours, each `#rrggbb` of `mustHave` among them. */
function decode(t: ExecutionContext, path: string, width: number, height: number, minColours: number, mustHave: string[] = []): PNG {
  const png = PNG.sync.read(readFileSync(path));
  t.true(png.width >= width, `${path}: width ${png.width} < ${width}`);
  t.true(png.height >= height, `${path}: height ${png.height} < ${height}`);
  const colours = new Set<string>();
  for (let i = 0; i < png.data.length; i += 4) colours.add(`#${[0, 1, 2].map((c) => png.data[i + c]!.toString(16).padStart(2, '0')).join('')}`);
  t.true(colours.size >= minColours, `${path}: only ${colours.size} distinct colours`);
  for (const c of mustHave) t.true(colours.has(c), `${path}: no ${c} pixel`);
  return png;
}

function withoutFiles<S extends { files: string[] }>(s: S): Omit<S, 'files'> {
  const { files: _files, ...rest } = s;
  return rest;
}

test('perceptron: converges on the separable set within Novikoff\'s bound and draws it', async (t) => {
  const { summary, lines, out } = await run<PerceptronSummary>(perceptron, '--seed', '3');
  t.true(summary.converged);
  t.is(summary.errors, 0);
  t.is(summary.history.at(-1), 0);
  t.is(summary.history.length, summary.epochs);
  t.true(summary.history.slice(0, -1).every((m) => m > 0), 'stops at the first epoch without a mistake');
  t.is(summary.accuracy, 1);
  t.true(summary.mistakes > 0 && summary.mistakes <= summary.bound, `mistakes ${summary.mistakes} vs bound ${summary.bound}`);
  t.true(lines.some((l) => l.startsWith(`converged in ${summary.epochs} epochs`)));
  t.deepEqual(readdirSync(out).sort(), ['perceptron.png', 'xor.png']);
  decode(t, join(out, 'perceptron.png'), 700, 520, 6, ['#d62728', '#1f77b4', '#2ca02c']);
  decode(t, join(out, 'xor.png'), 520, 480, 5, ['#d62728', '#1f77b4']);
});

test('perceptron: XOR never has an epoch without a mistake', async (t) => {
  const { summary, lines } = await run<PerceptronSummary>(perceptron, '--seed', '3', '--epochs', '50');
  t.false(summary.xor.converged);
  t.is(summary.xor.epochs, 50);
  t.is(summary.xor.history.length, 50);
  t.true(summary.xor.history.every((m) => m >= 1));
  const labels = [-1, 1, 1, -1];
  t.true(summary.xor.predictions.some((p, i) => p !== labels[i]), 'the final line misclassifies an XOR point');
  t.true(lines.some((l) => l.startsWith('XOR: does not converge')));
});

test('perceptron: the same seed gives the same run and the same bytes; another seed another set', async (t) => {
  const a = await run<PerceptronSummary>(perceptron, '--seed', '7');
  const b = await run<PerceptronSummary>(perceptron, '--seed', '7');
  const c = await run<PerceptronSummary>(perceptron, '--seed', '8');
  t.deepEqual(withoutFiles(a.summary), withoutFiles(b.summary));
  for (const f of ['perceptron.png', 'xor.png']) t.true(readFileSync(join(a.out, f)).equals(readFileSync(join(b.out, f))), f);
  t.notDeepEqual(a.summary.weight, c.summary.weight);
});

test('one-one-one: every start off the line W1 = -W2 reaches its valley W1·W2 = 1; the one on it goes to the saddle', async (t) => {
  const { summary, out } = await run<OneOneOneSummary>(oneOneOne, '--seed', '2');
  t.is(summary.steps, 200);
  t.is(summary.trajectories.length, 7);
  const [saddle, ...others] = summary.trajectories;
  // On the saddle's stable line the update maps W1 = -W2 to itself, contracting to (0, 0): L -> 1.
  t.is(saddle!.name, 'saddle');
  t.true(saddle!.path.every(([a, b]) => a === -b), 'stays exactly on W1 = -W2');
  t.true(Math.abs(saddle!.loss - 1) < 1e-6, `saddle loss ${saddle!.loss}`);
  t.true(saddle!.losses.every((l) => l >= 1 - 1e-6 && l <= 1.001), 'L stays at about 1 for the whole run');
  t.true(Math.hypot(...saddle!.final) < 1e-6);
  for (const tr of others) {
    t.true(tr.loss < 1e-3, `${tr.name}: loss ${tr.loss}`);
    t.true(Math.abs(tr.product - 1) < 1e-2, `${tr.name}: W1·W2 = ${tr.product}`);
    // The valley on the start's side of W1 = -W2: the sign of W1 + W2 never changes.
    t.is(Math.sign(tr.final[0]), Math.sign(tr.start[0] + tr.start[1]), `${tr.name}: valley`);
    t.is(Math.sign(tr.final[0]), Math.sign(tr.final[1]));
    // W1² - W2² is multiplied by (1 - a²) <= 1 at each step: it keeps its sign and never grows.
    const [b0, b1] = tr.balance;
    t.true(Math.abs(b1) <= Math.abs(b0) + 1e-5 && b0 * b1 >= 0, `${tr.name}: balance ${b0} -> ${b1}`);
  }
  const near = summary.trajectories.find((tr) => tr.name === 'near saddle')!;
  t.true(near.losses.slice(0, 20).every((l) => l > 0.9), 'the start just off the line lingers on the plateau L ≈ 1 first');
  decode(t, join(out, 'loss-surface.png'), 600, 600, 100, ['#ff2d2d', '#ff9f1c']);
  t.true(readFileSync(join(out, 'loss-surface.png')).equals(await chartPng(surfacePlot(summary.trajectories))));
  decode(t, join(out, 'loss-curves.png'), 640, 420, 8, ['#ff2d2d', '#ff9f1c']);
  t.true(readFileSync(join(out, 'loss-curves.png')).equals(await chartPng(curvesPlot(summary.trajectories))));
});

test('one-one-one: the same seed gives the same trajectories and bytes', async (t) => {
  const a = await run<OneOneOneSummary>(oneOneOne, '--seed', '5', '--epochs', '60');
  const b = await run<OneOneOneSummary>(oneOneOne, '--seed', '5', '--epochs', '60');
  const c = await run<OneOneOneSummary>(oneOneOne, '--seed', '6', '--epochs', '60');
  t.deepEqual(withoutFiles(a.summary), withoutFiles(b.summary));
  for (const f of ['loss-surface.png', 'loss-curves.png']) t.true(readFileSync(join(a.out, f)).equals(readFileSync(join(b.out, f))), f);
  t.notDeepEqual(a.summary.trajectories.at(-1)!.start, c.summary.trajectories.at(-1)!.start, 'random starts follow the seed');
  t.is(a.summary.trajectories[0]!.path.length, 61);
});

test('examples: --help lists the flags with defaults, bad flags are usage errors', async (t) => {
  const help = await t.throwsAsync(perceptron(['--help'], () => {}), { instanceOf: CliExit });
  t.is(help!.code, 0);
  for (const s of ['--seed N', '(default: 1)', '--epochs N', '(default: 100)', '--backend NAME', '(default: runs/perceptron)', '--lr X', '--help']) t.true(help!.message.includes(s), s);
  const bad = await t.throwsAsync(oneOneOne(['--epochs', 'ten'], () => {}), { instanceOf: CliExit });
  t.is(bad!.code, 2);
  t.regex(bad!.message, /--epochs: expected a number, got 'ten'/);
  await t.throwsAsync(oneOneOne(['--epochs', '2.5'], () => {}), { message: /--epochs: expected an integer, got '2.5'/ });
  await t.throwsAsync(oneOneOne(['--lr=-1'], () => {}), { message: /--lr: expected at least 0, got -1/ });
  await t.throwsAsync(oneOneOne(['--backend', 'tpu'], () => {}), { message: /--backend: expected one of auto, cpu, webasm/ });
  await t.throwsAsync(oneOneOne(['--bogus'], () => {}), { instanceOf: CliExit, message: /bogus/ });
});

test('cli: common flags, opt-in flags and the example\'s own', (t) => {
  const spec = { name: 'demo', summary: 'a demo', epochs: 3, uses: ['data', 'resume'] as const, flags: { hidden: numberFlag(1000, 'hidden units', { integer: true, min: 1 }) } };
  const f = parseCli(['--seed', '9', '--data', '/d', '--resume', '--hidden', '20'], spec);
  t.like(f, { seed: 9, epochs: 3, backend: process.env['EOLE_BACKEND'] || 'auto', threads: kernels.threads, out: join(REPO_ROOT, 'runs', 'demo'), data: '/d', resume: true, eval: undefined, hidden: 20 });
  t.throws(() => parseCli(['--eval', 'x.safetensors'], spec), { instanceOf: CliExit, message: /eval/ });
  t.regex(helpText(spec), /--data PATH/);
  t.notRegex(helpText(spec), /--test/);
});
