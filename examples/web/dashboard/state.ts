// What the dashboard knows about a run, rebuilt from its events (no DOM: Node tests import it).
import { collectCurves, emptyCurves, type Curves } from '@eole/core/charts';
import type { DoneEvent, EpochEvent, StartEvent, StepEvent, ValidationEvent } from '@eole/core';
import type { ConfigEvent, FileEvent, LiveEvent } from '../../lib/LiveServer.js';

/** How many recent step losses the dashboard keeps (and draws). */
export const STEP_POINTS = 300;

/** Everything the dashboard knows about the run; rebuilt from the replayed history on every (re)connection. */
export interface RunState {
  config: ConfigEvent | null;
  start: StartEvent | null;
  step: StepEvent | null;
  epochs: Map<number, EpochEvent>;
  validations: Map<number, ValidationEvent>;
  /** The learning curves, gathered by core's `collectCurves` exactly as `plotCurves` gathers them for `curves.png`. */
  curves: Curves;
  /** The latest step losses: (the step's number in the whole run, its loss). */
  steps: [number, number][];
  files: Map<string, FileEvent>;
  done: DoneEvent | null;
  ended: boolean;
  /** Wall-clock ms of the run's start (for elapsed time). */
  since: number;
}

/** A run with nothing known yet. */
export function emptyRun(now: number = Date.now()): RunState {
  return { config: null, start: null, step: null, epochs: new Map(), validations: new Map(), curves: emptyCurves(), steps: [], files: new Map(), done: null, ended: false, since: now };
}

/**
 * Adds one live event to `run`.
 *
 * @example
 * const run = emptyRun();
 * for (const e of events) onEvent(run, e);
 */
export function onEvent(run: RunState, e: LiveEvent): void {
  switch (e.type) {
    case 'config':
      run.config = e;
      run.since = Date.parse(e.started) || run.since;
      break;
    case 'start':
      run.start = e;
      break;
    case 'step':
      run.step = e;
      if (Number.isFinite(e.loss)) {
        // x: the step's number in the whole run (the steps of the epochs before it, plus its own)
        let before = 0;
        for (const ep of run.epochs.values()) if (ep.epoch < e.epoch) before += ep.steps;
        run.steps.push([before + e.step, e.loss]);
        if (run.steps.length > STEP_POINTS) run.steps.shift();
      }
      break;
    case 'epoch':
      run.epochs.set(e.epoch, e);
      collectCurves(run.curves, e);
      break;
    case 'validation':
      run.validations.set(e.epoch, e);
      collectCurves(run.curves, e);
      break;
    case 'file':
      run.files.set(e.name, e);
      break;
    case 'done':
      run.done = e;
      break;
    case 'end':
      run.ended = true;
      break;
  }
}
