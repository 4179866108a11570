import cliProgress from 'cli-progress';
import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import type { EpochEvent, TrainEvent, ValidationEvent } from '../stream/events.js';

/** How {@link progressBar} reports: a live bar, one plain line per epoch, or nothing. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'off';

/** Options of {@link progressBar}. */
export interface ProgressBarOptions {
  /** Where to write; default `process.stderr`. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * `auto` (default): a bar when the stream is a terminal, plain lines otherwise. The environment
   * variable `EOLE_PROGRESS` (`off`, `bar`, `lines`) overrides the default, not an explicit mode.
   */
  mode?: ProgressMode;
  /** Steps per epoch when known in advance (an ETA from the first step); else learnt after epoch 1. */
  stepsPerEpoch?: number;
}

/**
 * Reports training as it runs, passing every event through unchanged. On a terminal it draws a
 * bar with `cli-progress`: progress over all epochs, the ETA (wall time so far, validation
 * included, scaled to the steps left), the epoch's running mean loss, the last held-out accuracy
 * and the recent steps' samples per second, with a line per finished epoch printed above it (its
 * samples/s are the epoch's samples over its wall time). Elsewhere (a log
 * file, CI) it writes only plain lines, one per epoch and one at the end, without control codes:
 *
 *     epoch 3/10  loss 0.1893  val loss 0.1412  val acc 95.80%  lr 0.04523  10.6s  757 samples/s  webasm+cpu
 *
 * @example
 * train({ model, criterion, optimizer, data, epochs: 10, validation })
 *   .pipe(progressBar({ stepsPerEpoch: 250 }), jsonLines('out/events.jsonl'))
 *   .subscribe();
 */
export function progressBar(options: ProgressBarOptions = {}): MonoTypeOperatorFunction<TrainEvent> {
  return (source) =>
    new Observable<TrainEvent>((subscriber) => {
      const stream = options.stream ?? process.stderr;
      const mode = resolveMode(options.mode, stream);
      const reporter: Reporter | null = mode === 'off' ? null : mode === 'bar' ? new BarReporter(stream, options.stepsPerEpoch) : new LineReporter(stream, options.stepsPerEpoch);
      let finished = false;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        reporter?.finish();
      };
      const subscription = source.subscribe({
        next: (event) => {
          try {
            reporter?.event(event);
          } catch (error) {
            finish();
            subscriber.error(error);
            return;
          }
          subscriber.next(event);
        },
        error: (e) => {
          finish();
          subscriber.error(e);
        },
        complete: () => {
          finish();
          subscriber.complete();
        },
      });
      return () => {
        finish();
        subscription.unsubscribe();
      };
    });
}

function resolveMode(mode: ProgressMode | undefined, stream: { isTTY?: boolean }): Exclude<ProgressMode, 'auto'> {
  const env = process.env['EOLE_PROGRESS'];
  const chosen = mode ?? (env === 'off' || env === 'bar' || env === 'lines' ? env : 'auto');
  if (chosen !== 'auto') return chosen;
  return stream.isTTY ? 'bar' : 'lines';
}

/** Follows the run: steps done, the epoch's figures, the last validation. */
abstract class Reporter {
  protected epochs = 0;
  protected startEpoch = 1;
  protected stepsDone = 0;
  protected started = performance.now();
  protected epochLossSum = 0;
  protected epochSteps = 0;
  protected epoch = 0;
  protected lastAccuracy: number | undefined;
  /** Samples per second of the recent steps (an exponential moving average of the step events'). */
  protected rate = 0;
  private pending: { epoch: EpochEvent; validation?: ValidationEvent } | null = null;

  constructor(protected stepsPerEpoch: number | undefined) {}

  event(e: TrainEvent): void {
    if (e.type === 'validation') {
      if (e.metrics.accuracy !== undefined) this.lastAccuracy = e.metrics.accuracy;
      if (this.pending && this.pending.epoch.epoch === e.epoch) {
        this.pending.validation = e;
        this.flush();
      }
    } else if (e.type !== 'checkpoint') this.flush();
    switch (e.type) {
      case 'start':
        this.epochs = e.epochs;
        this.startEpoch = e.startEpoch;
        this.started = performance.now();
        this.begin();
        break;
      case 'step':
        if (e.epoch !== this.epoch) {
          this.epoch = e.epoch;
          this.epochLossSum = 0;
          this.epochSteps = 0;
        }
        this.stepsPerEpoch ??= e.steps ?? undefined;
        this.stepsDone++;
        this.epochSteps++;
        this.epochLossSum += e.loss;
        this.rate = this.rate === 0 ? e.samplesPerSec : 0.9 * this.rate + 0.1 * e.samplesPerSec;
        this.step();
        break;
      case 'epoch':
        this.stepsPerEpoch ??= e.steps;
        this.pending = { epoch: e };
        break;
      case 'done': {
        const n = Math.max(0, this.epochs - this.startEpoch + 1);
        this.line(`done: ${n} epoch${n === 1 ? '' : 's'} in ${duration(e.seconds)}`);
        break;
      }
      default:
        break;
    }
  }

  finish(): void {
    this.flush();
    this.end();
  }

  protected abstract begin(): void;
  protected abstract step(): void;
  protected abstract line(text: string): void;
  protected abstract end(): void;

  /** Steps in the whole run, when the steps per epoch are known. */
  protected totalSteps(): number | undefined {
    return this.stepsPerEpoch === undefined ? undefined : Math.max(0, this.epochs - this.startEpoch + 1) * this.stepsPerEpoch;
  }

  private flush(): void {
    if (!this.pending) return;
    const { epoch: e, validation: v } = this.pending;
    this.pending = null;
    const parts = [`epoch ${e.epoch}/${e.epochs}`, `loss ${e.loss.toFixed(4)}`];
    for (const [name, value] of Object.entries(e.terms ?? {})) parts.push(`${name} ${value.toFixed(4)}`);
    if (v) {
      parts.push(`val loss ${v.metrics.loss.toFixed(4)}`);
      if (v.metrics.accuracy !== undefined) parts.push(`val acc ${(v.metrics.accuracy * 100).toFixed(2)}%`);
    }
    parts.push(`lr ${e.lr.toPrecision(4)}`, duration(e.seconds), `${Math.round(e.samples / Math.max(e.seconds, 1e-9))} samples/s`, e.backend);
    this.line(parts.join('  '));
  }
}

/** Plain text, one line per epoch: for logs and CI (no carriage returns, no escape codes). */
class LineReporter extends Reporter {
  constructor(private readonly stream: NodeJS.WritableStream, stepsPerEpoch: number | undefined) {
    super(stepsPerEpoch);
  }

  protected begin(): void {}
  protected step(): void {}
  protected end(): void {}

  protected line(text: string): void {
    this.stream.write(`${text}\n`);
  }
}

const FORMAT = 'epoch {epoch}/{epochs} {bar} {percentage}% | {where} | ETA {remaining} | loss {loss} | acc {acc} | {rate} samples/s';

/** A `cli-progress` bar over the whole run, the epoch lines logged above it. */
class BarReporter extends Reporter {
  private readonly multibar: cliProgress.MultiBar;
  private bar: cliProgress.SingleBar | null = null;

  constructor(stream: NodeJS.WritableStream, stepsPerEpoch: number | undefined) {
    super(stepsPerEpoch);
    this.multibar = new cliProgress.MultiBar({
      stream,
      format: FORMAT,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      barsize: 24,
      hideCursor: false,
      gracefulExit: false,
      clearOnComplete: false,
      fps: 10,
      // Redraw every frame: the epoch lines logged above the bar erase it.
      forceRedraw: true,
    });
  }

  protected begin(): void {
    this.bar = this.multibar.create(this.totalSteps() ?? Number.MAX_SAFE_INTEGER, 0, this.payload());
  }

  protected step(): void {
    const total = this.totalSteps();
    if (total !== undefined) this.bar?.setTotal(total);
    this.bar?.update(this.stepsDone, this.payload());
  }

  protected line(text: string): void {
    this.multibar.log(`${text}\n`);
  }

  protected end(): void {
    if (!this.multibar.isActive) return;
    this.bar?.update(this.stepsDone, this.payload());
    this.multibar.update();
    this.multibar.stop();
  }

  private payload(): Record<string, string | number> {
    const total = this.totalSteps();
    const elapsed = (performance.now() - this.started) / 1000;
    const fraction = total ? this.stepsDone / total : 0;
    return {
      epoch: Math.max(this.epoch, this.startEpoch),
      epochs: this.epochs,
      where: `step ${this.epochSteps}/${this.stepsPerEpoch ?? '?'}`,
      remaining: fraction > 0 ? duration((elapsed * (1 - fraction)) / fraction) : '--',
      loss: this.epochSteps > 0 ? (this.epochLossSum / this.epochSteps).toFixed(4) : '--',
      acc: this.lastAccuracy === undefined ? '--' : `${(this.lastAccuracy * 100).toFixed(2)}%`,
      rate: this.rate > 0 ? Math.round(this.rate) : '--',
    };
  }
}

/** Seconds as `42s`, `3m07s` or `1h05m`. */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return seconds < 10 ? `${Math.max(0, seconds).toFixed(1)}s` : `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
