/**
 * The lecture's 1-1-1 network: one input, one hidden unit, one output, no non-linearity,
 * Y = W1·W2·X, trained on the single example X = 1, Y = 1 with the square loss
 * L(W1, W2) = (1 − W1·W2)².
 *
 * The loss has two valleys of global minima along the hyperbola W1·W2 = 1 (one with both
 * weights positive, one with both negative) and a saddle point at the origin (L = 1, gradient 0,
 * Hessian [[0, −2], [−2, 0]]: curving down along W1 = W2, up along W1 = −W2). Gradient descent
 * keeps W1² − W2² up to a factor (1 − a²) per step, a = 2·lr·(1 − W1·W2) ("layers are balanced",
 * Du, Hu & Lee, NeurIPS 2018), so each start slides along its own hyperbola into the valley on
 * its side of the line W1 = −W2. A start exactly on that line is on the saddle's stable
 * manifold: the update maps it to itself, and descent converges to the saddle.
 *
 * Run: `npm run -w examples one-one-one -- --seed 1 --out runs/one-one-one`
 */
import { pathToFileURL } from 'node:url';
import { heatmapChart, lineChart, type ChartSpec, type LayerPanel, type Point } from '@eole/core/charts';
import { renderPng } from '@eole/core/report';
import { Generator, kernels, noGrad, Tensor } from '@eole/core';
import { numberFlag, parseCli, runCli, type CliFlags } from '../lib/cli.js';
import { EpochReporter } from '../lib/live.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'one-one-one',
  summary: 'gradient descent on the 1-1-1 linear network Y = W1·W2·X, L = (1 − W1·W2)², from several starts',
  seed: 1,
  epochs: 200,
  epochsHelp: 'gradient steps from each start (one training example: one step per epoch)',
  flags: {
    lr: numberFlag(0.05, 'learning rate', { min: 0 }),
  },
} as const;

/** A named starting point (W1, W2). */
export interface Start {
  name: string;
  w1: number;
  w2: number;
}

/** Where one start ended. */
export interface Trajectory {
  name: string;
  start: [number, number];
  final: [number, number];
  /** W1·W2 at the end (1 in a valley, 0 at the saddle). */
  product: number;
  /** L at the end. */
  loss: number;
  /** L after each step (index 0: at the start). */
  losses: number[];
  /** W1² − W2² at the start and at the end (kept up to the factors (1 − a²)). */
  balance: [number, number];
  /** (W1, W2) after each step, the start first. */
  path: [number, number][];
}

/** What {@link main} returns. */
export interface OneOneOneSummary {
  lr: number;
  steps: number;
  backend: string;
  trajectories: Trajectory[];
  files: string[];
}

/** L = (Y − W1·W2·X)² for X = 1, Y = 1, built from tensor ops so autograd differentiates it. */
export function lossOf(w1: Tensor, w2: Tensor): Tensor {
  const x = Tensor.scalar(1);
  const y = Tensor.scalar(1);
  return y.sub(w1.mul(w2).mul(x)).pow(2);
}

/**
 * Plain gradient descent from one start: backward() gives dL/dW1 and dL/dW2, then W ← W − lr·dL/dW.
 * `onStep`, when given, hears the loss of each step (before its update, as `losses` records it).
 */
export function descend(start: Start, lr: number, steps: number, onStep?: (loss: number) => void): Trajectory {
  const w1 = Tensor.scalar(start.w1).requiresGrad_();
  const w2 = Tensor.scalar(start.w2).requiresGrad_();
  const path: [number, number][] = [[w1.item(), w2.item()]];
  const losses: number[] = [];
  for (let t = 0; t < steps; t++) {
    w1.grad = null;
    w2.grad = null;
    const loss = lossOf(w1, w2);
    losses.push(loss.item());
    onStep?.(losses[t]!);
    loss.backward();
    noGrad(() => {
      for (const w of [w1, w2]) w.data.set(w.sub(w.grad!.mul(lr)).data);
    });
    path.push([w1.item(), w2.item()]);
  }
  const loss = noGrad(() => lossOf(w1, w2).item());
  losses.push(loss);
  const [a, b] = [w1.item(), w2.item()];
  return {
    name: start.name,
    start: [start.w1, start.w2],
    final: [a, b],
    product: a * b,
    loss,
    losses,
    balance: [start.w1 ** 2 - start.w2 ** 2, a ** 2 - b ** 2],
    path,
  };
}

/**
 * The starts: one exactly on the saddle's stable line W1 = −W2, one just off it, one deep in
 * each valley's basin, one far, and two seeded random ones (kept 0.3 away from the line).
 */
export function starts(seed: number): Start[] {
  const rng = new Generator(seed);
  const list: Start[] = [
    { name: 'saddle', w1: 0.01, w2: -0.01 },
    { name: 'near saddle', w1: 0.012, w2: -0.01 },
    { name: 'basin +', w1: 1.5, w2: -0.5 },
    { name: 'basin -', w1: -1.5, w2: 0.5 },
    { name: 'far', w1: -0.2, w2: -1.8 },
  ];
  for (let k = 1; list.length < 7; ) {
    const w1 = round3(rng.uniform(-1.8, 1.8));
    const w2 = round3(rng.uniform(-1.8, 1.8));
    if (Math.abs(w1 + w2) >= 0.3) list.push({ name: `random ${k++}`, w1, w2 });
  }
  return list;
}

/** Trajectory colours, visible both on the viridis surface and on white. */
const COLORS: readonly string[] = ['#ff2d2d', '#ff9f1c', '#e040fb', '#00bcd4', '#000000', '#8d6e63', '#76d700'];

/** Trains from every start, prints a table, writes `loss-surface.png` and `loss-curves.png`. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<OneOneOneSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  const list = starts(flags.seed);
  // --live: one epoch per start, one step per gradient step
  const live = new EpochReporter({ epochs: list.length, steps: flags.epochs, lr: flags.lr });
  live.start(2);
  const onStep = live.active ? (loss: number): void => live.step(loss, 1) : undefined;
  const trajectories: Trajectory[] = [];
  for (const s of list) {
    trajectories.push(descend(s, flags.lr, flags.epochs, onStep));
    live.endEpoch();
    if (live.active) await live.turn();
  }
  live.done();
  report(flags, trajectories, log);
  const files = [
    await renderPng(surfacePlot(trajectories), run.file('loss-surface.png')),
    await renderPng(curvesPlot(trajectories), run.file('loss-curves.png')),
  ];
  for (const f of files) log(`wrote ${f}`);
  return { lr: flags.lr, steps: flags.epochs, backend: kernels.backend, trajectories, files };
}

function report(flags: CliFlags<typeof CLI.flags>, trajectories: readonly Trajectory[], log: (line: string) => void): void {
  log(`1-1-1 network: Y = W1·W2·X, L = (1 - W1·W2)² at X = 1, Y = 1; lr ${flags.lr}, ${flags.epochs} steps, seed ${flags.seed}, backend ${kernels.backend}`);
  log(`${'start'.padEnd(12)}${'W1(0)'.padStart(8)}${'W2(0)'.padStart(8)}${'W1'.padStart(9)}${'W2'.padStart(9)}${'W1·W2'.padStart(9)}${'loss'.padStart(11)}   W1²-W2² start -> end`);
  for (const t of trajectories) {
    log(
      `${t.name.padEnd(12)}${fix(t.start[0], 8)}${fix(t.start[1], 8)}${fix(t.final[0], 9)}${fix(t.final[1], 9)}${fix(t.product, 9)}${t.loss.toExponential(2).padStart(11)}   ${fix(t.balance[0], 0)} -> ${fix(t.balance[1], 0)}`,
    );
  }
  log('The start on W1 = -W2 stays on that line and descends to the saddle (L = 1); every other start reaches the valley W1·W2 = 1 on its side of the line.');
}

/** Heatmap of log10 L over [−2, 2]², the valleys, the saddle, its stable line W1 = −W2 and every trajectory (a Vega-Lite spec). */
export function surfacePlot(trajectories: readonly Trajectory[]): ChartSpec {
  const n = 100;
  const axis = Tensor.arange(n).mul(4 / n).add(-2 + 2 / n);
  // Rows: W2 from −2 (row 0, drawn at the bottom) to 2; columns: W1.
  const surface = noGrad(() => lossOf(axis.reshape(1, n), axis.reshape(n, 1)).add(1e-3).log().div(Math.LN10));
  const branch = (sign: number): Point[] => Array.from({ length: 61 }, (_, i) => sign * (0.5 + (1.5 * i) / 60)).map((w) => [w, 1 / w] as const);
  const names = trajectories.map((t) => `${t.name} (${t.start[0]}, ${t.start[1]})`);
  const colorOf = { field: 'name', type: 'nominal', scale: { domain: names, range: names.map((_, i) => COLORS[i % COLORS.length]!) }, legend: { title: 'dot: start, square: end', orient: 'right', titleLimit: 300 } } as const;
  const overlays: LayerPanel[] = [
    line([...branch(1), [Number.NaN, Number.NaN], ...branch(-1)], { color: 'white', strokeWidth: 1, strokeDash: [6, 4] }),
    line([[-2, 2], [2, -2]], { color: '#303030', strokeWidth: 1, strokeDash: [4, 4] }),
    notes([[1.25, 1.35, 'W1·W2 = 1', 'white'], [-1.9, -1.2, 'W1·W2 = 1', 'white'], [-1.72, 1.85, 'W1 = -W2', 'black'], [0.12, -0.15, 'saddle (0, 0), L = 1', 'black']]),
    {
      data: { values: trajectories.flatMap((t, k) => t.path.map(([x, y], i) => ({ x, y, i, name: names[k]! }))) },
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: { ...XY, order: { field: 'i', type: 'quantitative' }, color: colorOf },
    },
    { data: { values: trajectories.map((t) => ({ x: t.final[0], y: t.final[1] })) }, mark: { type: 'square', size: 30, color: 'black', filled: true, clip: true }, encoding: XY },
    // later starts first, so a start on top of another keeps its colour visible as a ring
    {
      data: { values: trajectories.map((t, k) => ({ x: t.start[0], y: t.start[1], name: names[k]!, k })).reverse() },
      mark: { type: 'point', filled: true, stroke: 'black', strokeWidth: 1, clip: true },
      encoding: { ...XY, color: { ...colorOf, legend: null }, size: { field: 'k', type: 'quantitative', scale: { domain: [0, Math.max(1, trajectories.length - 1)], range: [30, 90] }, legend: null } },
    },
    { data: { values: [{ x: 0, y: 0 }] }, mark: { type: 'point', size: 260, color: 'black', strokeWidth: 1.5 }, encoding: XY },
  ];
  return heatmapChart(surface.data, n, n, {
    title: 'L = (1 - W1·W2)², log scale',
    xLabel: 'W1',
    yLabel: 'W2',
    xRange: [-2, 2],
    yRange: [-2, 2],
    origin: 'lower',
    cell: 4,
    colorbarLabel: 'log10(L + 0.001)',
    overlays,
  });
}

/** The x and y channels of the surface's overlays (W1 across, W2 up). */
const XY = { x: { field: 'x', type: 'quantitative', title: 'W1' }, y: { field: 'y', type: 'quantitative', title: 'W2' } } as const;

/** A polyline overlay (a NaN point breaks it). */
function line(points: readonly Point[], mark: { color: string; strokeWidth: number; strokeDash: number[] }): LayerPanel {
  return { data: { values: points.map(([x, y], i) => ({ x, y, i })) }, mark: { type: 'line', clip: true, ...mark }, encoding: { ...XY, order: { field: 'i', type: 'quantitative' } } };
}

/** Text overlays `[x, y, text, colour]`, left-aligned at (x, y). */
function notes(items: readonly (readonly [number, number, string, string])[]): LayerPanel {
  return {
    data: { values: items.map(([x, y, text, color]) => ({ x, y, text, color })) },
    mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11 },
    encoding: { ...XY, text: { field: 'text', type: 'nominal' }, color: { field: 'color', type: 'nominal', scale: null, legend: null } },
  };
}

/** L against the step for every start (log scale): the plateau near the saddle shows (a Vega-Lite spec). */
export function curvesPlot(trajectories: readonly Trajectory[]): ChartSpec {
  return lineChart({
    title: 'Loss along each descent',
    xLabel: 'step',
    yLabel: 'L (log scale, floor 1e-8)',
    yLog: true,
    yRange: [1e-8, 30],
    series: trajectories.map((t, i) => ({ name: t.name, color: COLORS[i % COLORS.length]!, dash: i % 2 === 1 ? ([8, 4] as const) : undefined, points: t.losses.map((l, s) => [s, Math.max(l, 1e-8)] as const) })),
    legend: 'bottom-right',
  });
}

function fix(v: number, width: number): string {
  const text = v !== 0 && Math.abs(v) < 5e-4 ? v.toExponential(1) : v.toFixed(4);
  return text.padStart(width);
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
