/**
 * Tick positions and labels for plot axes ("nice numbers": steps of 1, 2 or 5 times a power of
 * ten, after Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 *
 * @example
 * niceTicks(0, 0.93);          // [0, 0.2, 0.4, 0.6, 0.8]
 * formatTick(0.4, 0.2);        // '0.4'
 */

/** About `target` evenly spaced round values inside [lo, hi], and their step. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi)) return Number.isFinite(lo) ? [lo] : [];
  const step = niceStep((hi - lo) / Math.max(1, target - 1));
  const first = Math.ceil(lo / step - 1e-9);
  const last = Math.floor(hi / step + 1e-9);
  const ticks: number[] = [];
  for (let k = first; k <= last; k++) ticks.push(cleanZero(k * step));
  return ticks;
}

/** The tick step niceTicks uses for [lo, hi]. */
export function tickStep(ticks: readonly number[]): number {
  return ticks.length > 1 ? ticks[1]! - ticks[0]! : Math.abs(ticks[0] ?? 1) || 1;
}

/** Powers of ten inside [lo, hi] (both > 0), with 2x and 5x added when they span few decades. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  const mults = Math.log10(hi / lo) < 2.5 ? [1, 2, 5] : [1];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of mults) {
      const v = Number(`${m}e${e}`);
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/** A short label for a tick value, with as many decimals as the step needs. */
export function formatTick(value: number, step: number): string {
  const v = cleanZero(value);
  if (v === 0) return '0';
  const mag = Math.abs(v);
  if (mag >= 1e5 || mag < 1e-3 || Math.abs(step) < 1e-3) return v.toExponential(1).replace('.0e', 'e').replace('e+', 'e');
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(Math.abs(step)) + 1e-9)));
  return v.toFixed(decimals);
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

function cleanZero(v: number): number {
  return Math.abs(v) < 1e-12 ? 0 : Number(v.toPrecision(12));
}
