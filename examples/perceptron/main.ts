/**
 * Rosenblatt's perceptron rule (1957) on a seeded, linearly separable 2-D set, then on XOR.
 *
 * The data: points drawn uniformly in [−1, 1]², labelled by the side of a random line, with
 * the points closer than `--margin` to the line thrown away. Novikoff's theorem (1962) bounds
 * the number of mistakes the rule can make by (R/γ)², R the largest norm of an input augmented
 * with the constant 1, γ the margin of a unit separator of those augmented inputs; the run prints
 * that bound beside the mistakes actually made. On XOR no line separates the classes, so an
 * epoch without a mistake never comes (Minsky & Papert, "Perceptrons", 1969).
 *
 * Run: `npm run -w examples perceptron -- --seed 1 --out runs/perceptron`
 * With `--live PORT` the dashboard follows the training on the separable set, one epoch at a time
 * (loss: the fraction of the points misclassified during the epoch).
 */
import { pathToFileURL } from 'node:url';
import { Generator, kernels, Perceptron, Tensor, type PerceptronFitResult } from '@eole/core';
import { lineChart, type ChartSpec, type Point } from '@eole/core/charts';
import { renderPng } from '@eole/core/report';
import { numberFlag, parseCli, runCli } from '../lib/cli.js';
import { EpochReporter } from '../lib/live.js';
import { startRun } from '../lib/run.js';

const CLI = {
  name: 'perceptron',
  summary: "Rosenblatt's perceptron rule on a seeded linearly separable 2-D set, then on XOR",
  seed: 1,
  epochs: 100,
  epochsHelp: 'the most passes over the data (training stops at the first epoch without a mistake)',
  flags: {
    points: numberFlag(100, 'number of points in the separable set', { integer: true, min: 2 }),
    margin: numberFlag(0.1, 'no point lies closer than this to the generating line', { min: 0, max: 0.5 }),
    lr: numberFlag(1, 'learning rate of the rule', { min: Number.MIN_VALUE }),
  },
} as const;

/** A labelled 2-D set and the line that generated it (n·p + c = 0, |n| = 1). */
export interface Dataset {
  x: Tensor;
  y: Tensor;
  normal: [number, number];
  offset: number;
}

/** What {@link main} returns. */
export interface PerceptronSummary {
  converged: boolean;
  epochs: number;
  errors: number;
  /** Mistakes in each epoch. */
  history: number[];
  /** All the mistakes (updates) made. */
  mistakes: number;
  /** Novikoff's bound (R/γ)² on the mistakes. */
  bound: number;
  weight: [number, number];
  bias: number;
  /** Fraction of the training points the learned line classifies right. */
  accuracy: number;
  xor: PerceptronFitResult & { predictions: number[] };
  backend: string;
  files: string[];
}

/** `n` points uniform in [−1, 1]², labelled ±1 by a random line, none within `margin` of it. */
export function separableSet(rng: Generator, n: number, margin: number): Dataset {
  const angle = rng.uniform(0, 2 * Math.PI);
  const normal: [number, number] = [Math.cos(angle), Math.sin(angle)];
  const offset = rng.uniform(-0.3, 0.3);
  const x = new Float32Array(2 * n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; ) {
    const p = [rng.uniform(-1, 1), rng.uniform(-1, 1)] as const;
    const d = normal[0] * p[0] + normal[1] * p[1] + offset;
    if (Math.abs(d) < margin) continue;
    x.set(p, 2 * i);
    y[i++] = d > 0 ? 1 : -1;
  }
  return { x: new Tensor(x, [n, 2]), y: new Tensor(y, [n]), normal, offset };
}

/** Novikoff's (R/γ)² for a set and the unit separator (normal, offset) that generated it. */
export function novikoffBound(data: Dataset): number {
  const n = data.y.size;
  const norm = Math.hypot(data.normal[0], data.normal[1], data.offset);
  let r = 0;
  let gamma = Infinity;
  for (let i = 0; i < n; i++) {
    const [a, b] = [data.x.data[2 * i]!, data.x.data[2 * i + 1]!];
    r = Math.max(r, Math.hypot(a, b, 1));
    gamma = Math.min(gamma, (data.y.data[i]! * (data.normal[0] * a + data.normal[1] * b + data.offset)) / norm);
  }
  return (r / gamma) ** 2;
}

/** The four XOR points and their labels (−1 for equal inputs, +1 for different ones). */
export function xorSet(): { x: Tensor; y: Tensor } {
  return { x: Tensor.from([0, 0, 0, 1, 1, 0, 1, 1], [4, 2]), y: Tensor.from([-1, 1, 1, -1]) };
}

/** Trains on the separable set and on XOR, prints what happened, writes `perceptron.png` and `xor.png`. */
export async function main(argv: string[], log: (line: string) => void = console.log): Promise<PerceptronSummary> {
  const flags = parseCli(argv, CLI);
  const run = startRun(flags);
  const rng = new Generator(flags.seed);
  const data = separableSet(rng, flags.points, flags.margin);
  const net = new Perceptron(2, { seed: flags.seed, lr: flags.lr });
  const fit = await fitReported(net, data, flags.epochs, new EpochReporter({ epochs: flags.epochs, steps: 1, lr: flags.lr }));
  const [w1, w2] = net.weight.toArray() as [number, number];
  const b = net.bias;
  const predictions = net.predict(data.x).toArray();
  const accuracy = predictions.filter((p, i) => p === data.y.data[i]).length / predictions.length;
  const mistakes = fit.history.reduce((s, m) => s + m, 0);
  const bound = novikoffBound(data);
  log(`perceptron: ${flags.points} points, margin ${flags.margin}, lr ${flags.lr}, seed ${flags.seed}, backend ${kernels.backend}`);
  log(`generating line: ${lineText(data.normal[0], data.normal[1], data.offset)}`);
  log(fit.converged ? `converged in ${fit.epochs} epochs (the last one without a mistake)` : `did not converge in ${fit.epochs} epochs (${fit.errors} mistakes in the last)`);
  log(`mistakes per epoch: ${fit.history.join(' ')}; total ${mistakes} (Novikoff bound (R/γ)² = ${bound.toFixed(1)})`);
  log(`learned line: ${lineText(w1, w2, b)}; training accuracy ${(100 * accuracy).toFixed(2)}%`);

  const xor = xorSet();
  const xnet = new Perceptron(2, { seed: flags.seed, lr: flags.lr });
  const xfit = xnet.fit(xor.x, xor.y, { maxEpochs: flags.epochs, shuffle: true });
  const xpred = xnet.predict(xor.x).toArray();
  log(
    xfit.converged
      ? `XOR: converged in ${xfit.epochs} epochs (impossible for a linear unit: report this)`
      : `XOR: does not converge: ${xfit.epochs} epochs, every one with a mistake (min ${Math.min(...xfit.history)}, last ${xfit.errors}); no line separates XOR`,
  );
  const [xw1, xw2] = xnet.weight.toArray() as [number, number];
  const files = [
    await renderPng(dataPlot(data, [w1, w2, b], `Perceptron: ${fit.converged ? `converged in ${fit.epochs} epochs` : `not converged (${fit.epochs} epochs)`}`), run.file('perceptron.png')),
    await renderPng(xorPlot(xor, [xw1, xw2, xnet.bias], xfit), run.file('xor.png')),
  ];
  for (const f of files) log(`wrote ${f}`);
  return {
    ...fit,
    mistakes,
    bound,
    weight: [w1, w2],
    bias: b,
    accuracy,
    xor: { ...xfit, predictions: xpred },
    backend: kernels.backend,
    files,
  };
}

/**
 * `net.fit(data, { maxEpochs, shuffle: true })`; with an active `live` reporter, run one epoch at a
 * time (the same run: the weights and the order generator go on from where each epoch left them)
 * and reported, each epoch one step over every point.
 */
async function fitReported(net: Perceptron, data: Dataset, maxEpochs: number, live: EpochReporter): Promise<PerceptronFitResult> {
  if (!live.active) return net.fit(data.x, data.y, { maxEpochs, shuffle: true });
  const n = data.y.size;
  live.start(3);
  const history: number[] = [];
  let converged = false;
  while (history.length < maxEpochs && !converged) {
    const { errors } = net.fit(data.x, data.y, { maxEpochs: 1, shuffle: true });
    history.push(errors);
    converged = errors === 0;
    live.step(errors / n, n, { terms: { mistakes: errors } });
    live.endEpoch();
    await live.turn();
  }
  live.done();
  return { converged, epochs: history.length, errors: history.at(-1)!, history };
}

const PLUS = '#d62728';
const MINUS = '#1f77b4';
const LEARNED = '#2ca02c';
const GREY = '#808080';

/** The points coloured by class, the learned line and the generating one (a Vega-Lite spec). */
export function dataPlot(data: Dataset, [w1, w2, b]: [number, number, number], title: string): ChartSpec {
  const classPoints = (label: number): Point[] => {
    const out: Point[] = [];
    for (let i = 0; i < data.y.size; i++) if (data.y.data[i] === label) out.push([data.x.data[2 * i]!, data.x.data[2 * i + 1]!]);
    return out;
  };
  return lineChart({
    title,
    xLabel: 'x1',
    yLabel: 'x2',
    width: 440,
    height: 440,
    xRange: [-1.1, 1.1],
    yRange: [-1.1, 1.1],
    series: [
      { name: 'class +1', points: classPoints(1), color: PLUS, style: 'points' },
      { name: 'class -1', points: classPoints(-1), color: MINUS, style: 'points' },
      { name: 'generating line', points: linePoints(data.normal[0], data.normal[1], data.offset), color: GREY, dash: [6, 4], size: 1 },
      { name: 'learned w·x + b = 0', points: linePoints(w1, w2, b), color: LEARNED },
    ],
    legend: 'outside',
  });
}

/** XOR's four points and the line the rule held when it gave up (a Vega-Lite spec). */
export function xorPlot(xor: { x: Tensor; y: Tensor }, [w1, w2, b]: [number, number, number], fit: PerceptronFitResult): ChartSpec {
  const pts = (label: number): Point[] => [0, 1, 2, 3].filter((i) => xor.y.data[i] === label).map((i) => [xor.x.data[2 * i]!, xor.x.data[2 * i + 1]!] as const);
  return lineChart({
    title: `XOR: ${fit.converged ? 'converged' : `no convergence in ${fit.epochs} epochs`}`,
    xLabel: 'x1',
    yLabel: 'x2',
    width: 360,
    height: 360,
    xRange: [-1.5, 2.5],
    yRange: [-1.5, 2.5],
    series: [
      { name: 'y = +1', points: pts(1), color: PLUS, style: 'points', size: 6 },
      { name: 'y = -1', points: pts(-1), color: MINUS, style: 'points', size: 6 },
      { name: w1 === 0 && w2 === 0 ? 'last line: none (w = 0)' : 'line after the last epoch', points: linePoints(w1, w2, b), color: LEARNED },
    ],
    legend: 'top-right',
  });
}

/** Two far points of the line w1·x1 + w2·x2 + b = 0 (the plot clips it), or none when w = 0. */
function linePoints(w1: number, w2: number, b: number): Point[] {
  const n2 = w1 * w1 + w2 * w2;
  if (n2 === 0) return [];
  const [px, py] = [(-b * w1) / n2, (-b * w2) / n2];
  const s = 10 / Math.sqrt(n2);
  return [
    [px - w2 * s, py + w1 * s],
    [px + w2 * s, py - w1 * s],
  ];
}

function lineText(w1: number, w2: number, b: number): string {
  const term = (v: number, name: string): string => `${v < 0 ? '- ' : '+ '}${Math.abs(v).toFixed(3)}${name}`;
  return `${w1.toFixed(3)}·x1 ${term(w2, '·x2')} ${term(b, '')} = 0`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runCli(main);
