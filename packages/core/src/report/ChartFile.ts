import type { ChartSpec } from './charts/theme.js';
import { renderPng, type RenderPngOptions } from './renderChart.js';

/**
 * A PNG chart file redrawn as a run goes on: {@link ChartFile.draw} asks for a new picture and
 * returns at once; one render runs at a time, and a request made while one runs replaces any other
 * waiting one (the newest data wins; the file never goes back to an older picture).
 * {@link ChartFile.flush} waits until the last picture asked for is on disk.
 *
 * @example
 * const file = new ChartFile('runs/mlp/curves.png');
 * file.draw(curvesChart(curves));
 * await file.flush();
 */
export class ChartFile {
  private waiting: ChartSpec | null = null;
  private running: Promise<void> | null = null;
  private failure: unknown = null;

  constructor(
    readonly path: string,
    private readonly options: RenderPngOptions = {},
  ) {}

  /** Asks for `spec` to be drawn into the file (after the render in progress, if any). */
  draw(spec: ChartSpec): void {
    this.waiting = spec;
    this.running ??= this.drain();
  }

  /** Resolves once every requested picture is written; rejects with the first render's error. */
  async flush(): Promise<void> {
    while (this.running) await this.running;
    if (this.failure !== null) throw this.failure;
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting !== null) {
        const spec = this.waiting;
        this.waiting = null;
        await renderPng(spec, this.path, this.options).catch((error: unknown) => {
          this.failure ??= error;
        });
      }
    } finally {
      this.running = null;
    }
  }
}
