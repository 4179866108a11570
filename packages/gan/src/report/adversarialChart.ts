import { lineChart, type ChartSeries, type ChartSpec, type Point } from '@eole/core/charts';

/** The `terms` of one step event of an adversarial run, with where the step falls. */
export interface AdversarialStep {
  epoch: number;
  step: number;
  terms: Readonly<Record<string, number>>;
}

/** What {@link adversarialChart} draws: the terms of every epoch and, optionally, of every step. */
export interface AdversarialCurves {
  /** Epoch → that epoch's terms (`lossD`, `lossG`, `D(x)`, `D(G(z))`). */
  epochs: ReadonlyMap<number, Readonly<Record<string, number>>>;
  /** Step terms, in order; drawn light behind the epoch curves when there are at least two. */
  steps?: readonly AdversarialStep[];
  /** The last step number of each epoch (to place steps at fractional epochs); default each epoch's largest step. */
  stepsPerEpoch?: ReadonlyMap<number, number>;
}

/**
 * The curves of an adversarial run as a Vega-Lite spec (Goodfellow et al., "Generative Adversarial
 * Nets", 2014): the discriminator's and the generator's losses per step (light, behind) and per
 * epoch (bold), with D(x) and D(G(z)) per epoch, dashed, on the same axes (both in [0, 1]).
 *
 * @example
 * const spec = adversarialChart({ epochs: new Map([[1, { lossD: 1.2, lossG: 0.8, 'D(x)': 0.6, 'D(G(z))': 0.4 }]]) });
 * await renderPng(spec, 'runs/dcgan/losses.png');
 */
export function adversarialChart(curves: AdversarialCurves, title = 'adversarial losses'): ChartSpec {
  const epochs = [...curves.epochs].sort((a, b) => a[0] - b[0]);
  const steps = curves.steps ?? [];
  const last = new Map<number, number>(curves.stepsPerEpoch ?? []);
  if (!curves.stepsPerEpoch) for (const s of steps) last.set(s.epoch, Math.max(last.get(s.epoch) ?? 0, s.step));
  const byEpoch = (k: string): Point[] => epochs.map(([x, t]) => [x, t[k] ?? Number.NaN]);
  const bySteps = (k: string): Point[] => steps.map((s) => [s.epoch - 1 + s.step / last.get(s.epoch)!, s.terms[k] ?? Number.NaN]);
  const stepSeries: ChartSeries[] =
    steps.length > 1
      ? [
          { name: 'D step', points: bySteps('lossD'), color: '#aec7e8', size: 1 },
          { name: 'G step', points: bySteps('lossG'), color: '#ff9896', size: 1 },
        ]
      : [];
  return lineChart({
    title,
    xLabel: 'epoch',
    yLabel: 'loss, probability',
    legend: 'outside',
    series: [
      ...stepSeries,
      { name: 'loss D', points: byEpoch('lossD'), color: '#1f77b4', size: 3 },
      { name: 'loss G', points: byEpoch('lossG'), color: '#d62728', size: 3 },
      { name: 'D(x)', points: byEpoch('D(x)'), color: '#2ca02c', dash: [6, 4] },
      { name: 'D(G(z))', points: byEpoch('D(G(z))'), color: '#ff7f0e', dash: [6, 4] },
    ],
  });
}
