import { describeValue, type Generator } from '@eole/core';
import type { ParameterRange, Waveform } from './Augmentation.js';

/** Checks a waveform argument: a non-empty Float32Array of finite samples and a positive finite rate. */
export function checkWaveform(op: string, wave: Waveform): void {
  if (wave === null || typeof wave !== 'object') throw new TypeError(`${op}: wave must be { samples: Float32Array, sampleRate }, got ${describeValue(wave)}`);
  if (!(wave.samples instanceof Float32Array)) throw new TypeError(`${op}: wave.samples must be a Float32Array, got ${describeValue(wave.samples)}`);
  if (wave.samples.length === 0) throw new RangeError(`${op}: wave.samples must hold at least 1 sample, got 0`);
  if (typeof wave.sampleRate !== 'number' || !Number.isFinite(wave.sampleRate) || wave.sampleRate <= 0) {
    throw new RangeError(`${op}: wave.sampleRate must be a positive finite rate in Hz, got ${String(wave.sampleRate)}`);
  }
}

/** Bounds of a numeric argument (inclusive unless said). */
export interface Bounds {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
}

function describeBounds(b: Bounds): string {
  const lo = b.min === undefined ? '(−∞' : `${b.minExclusive ? '(' : '['}${b.min}`;
  const hi = b.max === undefined ? '∞)' : `${b.max}${b.maxExclusive ? ')' : ']'}`;
  return `${lo}, ${hi}`;
}

function inBounds(v: number, b: Bounds): boolean {
  if (!Number.isFinite(v)) return false;
  if (b.min !== undefined && (b.minExclusive ? v <= b.min : v < b.min)) return false;
  if (b.max !== undefined && (b.maxExclusive ? v >= b.max : v > b.max)) return false;
  return true;
}

/** Checks a number argument against `bounds`; the error names `op`, `name`, the bounds and the value. */
export function checkNumber(op: string, name: string, v: unknown, bounds: Bounds = {}): number {
  if (typeof v !== 'number' || !inBounds(v, bounds)) throw new RangeError(`${op}: ${name} must be a number in ${describeBounds(bounds)}, got ${String(v)}`);
  return v;
}

/** Checks a positive integer argument. */
export function checkInteger(op: string, name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new RangeError(`${op}: ${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/** Checks a {@link ParameterRange} (each end within `bounds`, low ≤ high) and returns it as [low, high]. */
export function checkRange(op: string, name: string, v: unknown, bounds: Bounds = {}): [number, number] {
  if (typeof v === 'number') return [checkNumber(op, name, v, bounds), v];
  if (!Array.isArray(v) || v.length !== 2) throw new RangeError(`${op}: ${name} must be a number or a range [low, high], got ${String(v)}`);
  const lo = checkNumber(op, `${name}[0]`, v[0], bounds);
  const hi = checkNumber(op, `${name}[1]`, v[1], bounds);
  if (lo > hi) throw new RangeError(`${op}: ${name} must be a range [low, high] with low <= high, got [${lo}, ${hi}]`);
  return [lo, hi];
}

/** A uniform draw in [lo, hi] (no draw from `rng` when lo = hi, so a fixed value consumes nothing). */
export function draw(rng: Generator, [lo, hi]: readonly [number, number]): number {
  return lo === hi ? lo : rng.uniform(lo, hi);
}

/** A log-uniform draw in [lo, hi] (lo > 0), as for frequencies. */
export function drawLog(rng: Generator, [lo, hi]: readonly [number, number]): number {
  return lo === hi ? lo : Math.exp(rng.uniform(Math.log(lo), Math.log(hi)));
}

/** The printed form of a range: `5` or `5..20`. */
export function showRange([lo, hi]: readonly [number, number]): string {
  return lo === hi ? `${lo}` : `${lo}..${hi}`;
}

/** Root mean square of `x` (float64 accumulation). */
export function rms(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** `y` scaled in place to the RMS `target` (left as is when it is silent). */
export function scaleToRms(y: Float32Array, target: number): Float32Array {
  const r = rms(y);
  if (r > 0) {
    const g = target / r;
    for (let i = 0; i < y.length; i++) y[i] = y[i]! * g;
  }
  return y;
}
