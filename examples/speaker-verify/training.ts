/**
 * The training run of speaker-verify: a Siamese pair of the embedding net with the DrLIM loss,
 * driven by core's `train(...)` event stream, with the held-out equal error rate after every epoch.
 */
import { join } from 'node:path';
import { from, map } from 'rxjs';
import { Adam, CHECKPOINT_FILE, CosineAnnealingLR, Generator, Sequential, Tensor, train, type Batch, type Module, type TrainEvent, type ValidationEvent } from '@eole/core';
import { linePanel, CHART_CONFIG, SERIES_COLORS, VEGA_LITE_SCHEMA, type ChartSpec, type Point } from '@eole/core/charts';
import { drawChart } from '@eole/core/report';
import { ContrastiveCriterion, PairwiseDistance, randomPairs, randomTriplets, Siamese, TripletMarginCriterion, type Metric } from '@eole/metric';
import { CURVES_FILE, recordTraining, resumeRun } from '../lib/run.js';
import { featureWindow, pairBatches, WINDOW_SIZE, windowStarts, type FeatureNorm, type Mining, type SpeakerUtterance } from './data.js';
import { embedUtterances, scoreTrials, trialsEer, type UtteranceEmbedding } from './verify.js';

/** Everything a training run needs besides the data. */
export interface TrainSetup {
  name: string;
  out: string;
  seed: number;
  epochs: number;
  resume: boolean;
  stopAfter: number;
  lr: number;
  margin: number;
  /** `contrastive` (DrLIM on pairs) or `triplet` (TripletMarginCriterion on triplets, with the same margin). */
  loss: 'contrastive' | 'triplet';
  batch: number;
  pairs: number;
  positiveFraction: number;
  mining: Mining;
  /** How held-out utterances are embedded and scored after every epoch. */
  embedding: UtteranceEmbedding;
  metric: Metric;
  /** Saved with the weights (how to rebuild the net and embed utterances). */
  metadata: Record<string, string>;
}

/** One epoch of a run. */
export interface EpochRecord {
  epoch: number;
  /** Mean DrLIM loss of the epoch's training pairs. */
  loss: number;
  /** DrLIM loss of fixed held-out pairs. */
  validationLoss: number;
  /** Equal error rate of the held-out trials after the epoch. */
  eer: number;
  seconds: number;
  backend: string;
}

/** What {@link trainVerifier} returns. */
export interface TrainResult {
  history: EpochRecord[];
  startEpoch: number;
  lastEpoch: number;
  weights: string;
  files: string[];
}

/** A validation event with the held-out EER added to its metrics (as written to events.jsonl). */
type EerValidation = ValidationEvent & { metrics: ValidationEvent['metrics'] & { eer?: number } };

/** Fixed held-out pairs (centred windows, half same-speaker) for the validation loss, or triplets. */
function validationBatches(utterances: readonly SpeakerUtterance[], norm: FeatureNorm, seed: number, count: number, loss: 'contrastive' | 'triplet'): Batch[] {
  const speakers = [...new Set(utterances.map((u) => u.speaker))];
  const labels = utterances.map((u) => speakers.indexOf(u.speaker));
  if (loss === 'triplet') {
    const t = randomTriplets(labels, count, new Generator(seed));
    const batches: Batch[] = [];
    for (let s = 0; s < count; s += 128) {
      const p = Math.min(128, count - s);
      const x = new Float32Array(3 * p * WINDOW_SIZE);
      [t.anchor, t.positive, t.negative].forEach((list, b) => {
        for (let k = 0; k < p; k++) {
          const u = utterances[list[s + k]!]!;
          featureWindow(u, windowStarts(u, 1, 0)[0]!, norm, x.subarray((b * p + k) * WINDOW_SIZE, (b * p + k + 1) * WINDOW_SIZE));
        }
      });
      batches.push({ x: new Tensor(x, [3, p, WINDOW_SIZE]), y: Tensor.zeros([p]), samples: p });
    }
    return batches;
  }
  const pairs = randomPairs(labels, count, new Generator(seed));
  const batches: Batch[] = [];
  for (let s = 0; s < count; s += 128) {
    const p = Math.min(128, count - s);
    const x = new Float32Array(2 * p * WINDOW_SIZE);
    for (let k = 0; k < p; k++) {
      const a = utterances[pairs.first[s + k]!]!;
      const b = utterances[pairs.second[s + k]!]!;
      featureWindow(a, windowStarts(a, 1, 0)[0]!, norm, x.subarray(k * WINDOW_SIZE, (k + 1) * WINDOW_SIZE));
      featureWindow(b, windowStarts(b, 1, 0)[0]!, norm, x.subarray((p + k) * WINDOW_SIZE, (p + k + 1) * WINDOW_SIZE));
    }
    batches.push({ x: new Tensor(x, [2, p, WINDOW_SIZE]), y: new Tensor(pairs.target.slice(s, s + p), [p]), samples: p });
  }
  return batches;
}

/**
 * Trains the embedding net `net` as the shared branch of `Sequential(Siamese(net), PairwiseDistance())`
 * with `ContrastiveCriterion(margin)` (DrLIM), Adam and a cosine schedule over `epochs`. The data
 * stream is {@link pairBatches} (seeded by `seed`); the events feed a checkpoint every epoch
 * (model, optimizer, schedule and generator, for `--resume`), the plain net weights with their
 * metadata (`<name>.safetensors`, what `--eval` reads), the progress bar, `events.jsonl` (each
 * validation event carries the held-out EER) and `curves.png` (losses and EER by epoch).
 *
 * @example
 * const result = await trainVerifier(net, trainUtts, heldOutUtts, speakerId, setup, console.log);
 */
export async function trainVerifier(
  net: Module,
  trainSet: readonly SpeakerUtterance[],
  evaluation: readonly SpeakerUtterance[],
  speakerId: ReadonlyMap<string, number>,
  trial: ((a: SpeakerUtterance, b: SpeakerUtterance) => boolean) | undefined,
  setup: TrainSetup,
  log: (line: string) => void,
): Promise<TrainResult> {
  const { name, out } = setup;
  const model = setup.loss === 'triplet' ? new Sequential(new Siamese(net)) : new Sequential(new Siamese(net), new PairwiseDistance());
  const criterion = setup.loss === 'triplet' ? new TripletMarginCriterion(setup.margin) : new ContrastiveCriterion(setup.margin);
  const optimizer = new Adam(model.parameters(), { lr: setup.lr });
  const scheduler = new CosineAnnealingLR(optimizer, { tMax: Math.max(1, setup.epochs) });
  const rng = new Generator(setup.seed);
  const rngs = { data: rng };
  const weights = join(out, `${name}.safetensors`);

  const start = resumeRun(out, { model, optimizer, scheduler, rngs }, setup.resume);
  if (start.resumed) log(`${name}: resuming from ${join(out, CHECKPOINT_FILE)} at epoch ${start.startEpoch} of ${setup.epochs}`);

  const validation = validationBatches(evaluation, setup.embedding.norm, setup.seed + 1, Math.min(512, 2 * evaluation.length), setup.loss);
  const withEer = (e: TrainEvent): TrainEvent => {
    if (e.type !== 'validation') return e;
    const trials = scoreTrials(embedUtterances(net, evaluation, setup.embedding), evaluation, setup.metric, trial);
    const eer = trialsEer(trials).eer;
    const loss = start.events.find((s) => s.type === 'epoch' && s.epoch === e.epoch);
    log(`epoch ${e.epoch}: training loss ${loss?.type === 'epoch' ? loss.loss.toFixed(4) : '?'}, held-out loss ${e.metrics.loss.toFixed(4)}, held-out EER ${(eer * 100).toFixed(2)}%`);
    return { ...e, metrics: Object.assign({}, e.metrics, { eer }) };
  };
  const events$ = train({
    model,
    criterion,
    optimizer,
    scheduler,
    data: pairBatches(trainSet, speakerId, rng, {
      batch: setup.batch,
      pairs: setup.pairs,
      positiveFraction: setup.positiveFraction,
      mining: setup.mining,
      net,
      norm: setup.embedding.norm,
      loss: setup.loss === 'triplet' ? 'triplets' : 'pairs',
    }),
    validation: () => from(validation),
    epochs: setup.epochs,
    rngs,
    startEpoch: start.startEpoch,
  });
  const done = await recordTraining(events$, {
    out,
    start,
    weights: { path: weights, module: net, metadata: { example: name, ...setup.metadata, seed: String(setup.seed), epochs: String(setup.epochs) } },
    stepsPerEpoch: Math.floor(trainSet.length / setup.batch),
    stopAfter: setup.stopAfter,
    // the held-out EER joins each validation event (and so events.jsonl); the curves show it
    before: map(withEer),
    after: drawChart(join(out, CURVES_FILE), (e: TrainEvent) => (e.type === 'validation' ? curvesChart(records(start.events), name) : null)),
    log,
    name,
  });
  return { history: records(done.events), startEpoch: start.startEpoch, lastEpoch: done.lastEpoch, weights, files: done.files };
}

/** One record per epoch, joining its epoch and validation events. */
export function records(events: readonly TrainEvent[]): EpochRecord[] {
  const byEpoch = new Map<number, EpochRecord>();
  for (const e of events) {
    if (e.type === 'epoch') byEpoch.set(e.epoch, { epoch: e.epoch, loss: e.loss, validationLoss: Number.NaN, eer: Number.NaN, seconds: e.seconds, backend: e.backend });
    if (e.type === 'validation') {
      const r = byEpoch.get(e.epoch);
      if (r) {
        r.validationLoss = e.metrics.loss;
        r.eer = (e as EerValidation).metrics.eer ?? Number.NaN;
      }
    }
  }
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

/**
 * The learning curves of a run as a Vega-Lite spec: the DrLIM loss of the training and held-out
 * pairs by epoch (log scale), and the held-out equal error rate in percent.
 *
 * @example
 * await renderPng(curvesChart(records(events), 'speaker-verify'), 'runs/speaker-verify/curves.png');
 */
export function curvesChart(history: readonly EpochRecord[], title: string): ChartSpec {
  const pts = (f: (r: EpochRecord) => number): Point[] => history.map((r) => [r.epoch, f(r)] as Point).filter(([, y]) => Number.isFinite(y) && y > 0);
  const trainLoss = pts((r) => r.loss);
  const valLoss = pts((r) => r.validationLoss);
  const eer = history.map((r) => [r.epoch, r.eer * 100] as Point).filter(([, y]) => Number.isFinite(y));
  const first = history[0]?.epoch ?? 1;
  const last = Math.max(first + 1, history.at(-1)?.epoch ?? 2);
  const panel = { width: 400, height: 300, xLabel: 'epoch', xRange: [first - 0.25, last + 0.25] as const, integerX: true };
  const top = Math.max(5, ...eer.map(([, y]) => y)) * 1.1;
  const lastEer = eer.at(-1);
  const loss = linePanel({
    ...panel,
    title: `${title}: DrLIM loss`,
    yLabel: 'loss (log scale)',
    yLog: true,
    legend: 'top-right',
    series: [
      { name: 'training pairs', points: trainLoss, color: SERIES_COLORS[0]!, style: 'line+points' },
      { name: 'held-out pairs', points: valLoss, color: SERIES_COLORS[1]!, style: 'line+points', dash: [6, 3] },
    ],
  });
  const eerPanel = linePanel({
    ...panel,
    title: `${title}: held-out EER`,
    yLabel: 'equal error rate (%)',
    yRange: [0, top],
    legend: 'top-right',
    series: [{ name: lastEer ? `EER (last ${lastEer[1].toFixed(2)}%)` : 'EER', points: eer, color: SERIES_COLORS[2]!, style: 'line+points' }],
  });
  return { $schema: VEGA_LITE_SCHEMA, config: CHART_CONFIG, hconcat: [loss, eerPanel], resolve: { scale: { color: 'independent', strokeDash: 'independent' } } };
}
