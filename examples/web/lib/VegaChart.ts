/// <reference lib="dom" />
// A Vega-Lite spec drawn in a page: compiled by vega-lite, rendered as SVG by a vega View, kept
// across updates.
import { parse, View, type Spec } from 'vega';
import { compile } from './vegaLite.js';
import type { ChartSpec } from '@eole/core/charts';

/** A mark of vega's scenegraph: its type, its role (`mark` for data marks) and its items (groups hold marks). */
interface SceneMark {
  marktype: string;
  role: string;
  items: { items?: SceneMark[] }[];
}

/** A compiled Vega spec split into its inline data sets and the rest (its "shape"), as text. */
function split(spec: Spec): { shape: string; values: Map<string, unknown[]> } {
  const values = new Map<string, unknown[]>();
  const data = (spec.data ?? []).map((d) => {
    if (!('values' in d) || !Array.isArray(d.values)) return d;
    values.set(d.name, d.values as unknown[]);
    return { ...d, values: [] };
  });
  return { shape: JSON.stringify({ ...spec, data }), values };
}

/**
 * One chart of a page, redrawn from Vega-Lite specs (the same builders `renderPng` takes in Node):
 * the first spec creates a vega `View` with the SVG renderer in `container`; a later spec that
 * differs only in its data swaps the data into that view (`view.data`), any other change (axis
 * ranges, legend text) replaces the view. Specs arriving faster than `intervalMs` are coalesced:
 * only the newest is drawn.
 *
 * @example
 * const chart = new VegaChart(document.getElementById('curves')!);
 * chart.show(curvesChart(curves, 'mnist-lenet'));
 */
export class VegaChart {
  private view: View | null = null;
  private shape = '';
  private pending: ChartSpec | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private last = -Infinity;
  private drawing: Promise<void> = Promise.resolve();
  /** Views created and data swaps done (for tests and curiosity). */
  readonly stats = { views: 0, updates: 0 };

  constructor(
    readonly container: HTMLElement,
    readonly intervalMs = 250,
  ) {}

  /** Draws `spec` now, or once `intervalMs` has passed since the last drawing (a newer spec replaces it). */
  show(spec: ChartSpec): void {
    this.pending = spec;
    if (this.timer !== null) return;
    const wait = Math.max(0, this.last + this.intervalMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.drawing = this.drawing.then(() => this.draw(next)).catch((e: unknown) => this.fail(e));
    }, wait);
  }

  /** Resolves once every spec shown so far is drawn. */
  async settled(): Promise<void> {
    while (this.timer !== null || this.pending !== null) await new Promise((r) => setTimeout(r, this.intervalMs / 4));
    await this.drawing;
  }

  /** The view drawn last (null before the first spec). */
  get current(): View | null {
    return this.view;
  }

  /**
   * How many items the data marks of the drawn view hold, by mark type (`line`: one per point of
   * the lines, `symbol`: dots); axes, legends and titles left out. Empty before the first drawing.
   */
  markCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    const stack: SceneMark[] = this.view ? [(this.view.scenegraph() as unknown as { root: SceneMark }).root] : [];
    for (let mark = stack.pop(); mark; mark = stack.pop()) {
      if (mark.role === 'mark') counts[mark.marktype] = (counts[mark.marktype] ?? 0) + mark.items.length;
      for (const item of mark.items) stack.push(...(item.items ?? []));
    }
    return counts;
  }

  private async draw(spec: ChartSpec): Promise<void> {
    this.last = performance.now();
    const compiled = compile(spec).spec;
    const { shape, values } = split(compiled);
    if (this.view && shape === this.shape) {
      for (const [name, rows] of values) this.view.data(name, rows);
      this.stats.updates++;
    } else {
      this.view?.finalize();
      this.container.replaceChildren();
      this.view = new View(parse(compiled), { renderer: 'svg', container: this.container, hover: false });
      this.shape = shape;
      this.stats.views++;
    }
    await this.view.runAsync();
  }

  private fail(e: unknown): void {
    this.container.textContent = `chart error: ${(e as Error).message}`;
    setTimeout(() => {
      throw e; // an uncaught error, so the page reports it; later specs still draw
    });
  }
}
