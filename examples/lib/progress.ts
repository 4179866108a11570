/** One progress report: where the run is, and the figures worth watching. */
export interface ProgressEvent {
  type: 'step' | 'epoch' | 'done';
  epoch: number;
  epochs: number;
  step?: number;
  steps?: number;
  [key: string]: unknown;
}

/**
 * Reports long work: a redrawn bar with an ETA on a terminal, JSON lines otherwise (a log, CI),
 * as the brief asks. Step events are throttled on a terminal and skipped in JSON mode except
 * every `jsonEvery` steps. `EOLE_PROGRESS=off` silences it (the tests), `=json` forces JSON lines.
 */
export class Progress {
  private readonly tty: boolean;
  private readonly off = process.env['EOLE_PROGRESS'] === 'off';
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly jsonEvery = 50,
  ) {
    this.tty = Boolean(out.isTTY) && process.env['EOLE_PROGRESS'] !== 'json';
  }

  report(e: ProgressEvent): void {
    if (this.off) return;
    if (!this.tty) {
      if (e.type !== 'step' || (e.step ?? 0) % this.jsonEvery === 0) this.out.write(`${JSON.stringify(e)}\n`);
      return;
    }
    const now = Date.now();
    if (e.type === 'step' && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const done = e.epoch - 1 + (e.steps ? (e.step ?? 0) / e.steps : 1);
    const fraction = Math.min(1, done / e.epochs);
    const width = 30;
    const bar = '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
    const elapsed = (now - this.started) / 1000;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    const figures = Object.entries(e)
      .filter(([k, v]) => !['type', 'epoch', 'epochs', 'step', 'steps'].includes(k) && typeof v === 'number')
      .map(([k, v]) => `${k} ${formatNumber(v as number)}`)
      .join('  ');
    this.out.write(`\r\x1b[2Kepoch ${e.epoch}/${e.epochs} ${bar} ${(fraction * 100).toFixed(0)}%  ETA ${eta.toFixed(0)}s  ${figures}`);
    if (e.type !== 'step') this.out.write('\n');
  }
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}
