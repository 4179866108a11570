/**
 * A seeded pseudo-random generator (xoshiro128**, Blackman & Vigna 2018) with a serialisable
 * state. Every random draw in Eole comes from one of these, so a seed reproduces a run.
 *
 * @example
 * const rng = new Generator(42);
 * rng.uniform();            // in [0, 1)
 * rng.normal(0, 1);         // Box-Muller
 * rng.beta(0.2, 0.2);       // in [0, 1] (mixup's mixing weight)
 * const saved = rng.getState(); rng.setState(saved);
 */
export class Generator {
  private s = new Uint32Array(4);
  private spare: number | null = null;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  /** Resets the state from a seed (expanded with splitmix32), as `torch.manualSeed`. */
  manualSeed(seed: number): this {
    if (!Number.isFinite(seed)) throw new TypeError(`Generator: seed must be a finite number, got ${seed}`);
    let x = (Math.floor(seed) >>> 0) ^ 0x9e3779b9;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
    this.spare = null;
    return this;
  }

  /** Next raw 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform draw in [low, high). */
  uniform(low = 0, high = 1): number {
    return low + (high - low) * (this.nextUint32() / 4294967296);
  }

  /** Gaussian draw N(mean, std²) by the Box-Muller transform. */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /**
   * Gamma draw of shape k > 0 and scale 1 (density x^(k−1)·e^(−x)/Γ(k)) by Marsaglia and Tsang's
   * squeeze method ("A simple method for generating gamma variables", ACM TOMS 2000); for k < 1,
   * Gamma(k + 1)·U^(1/k).
   */
  gamma(shape: number): number {
    if (!(typeof shape === 'number' && shape > 0 && Number.isFinite(shape))) throw new RangeError(`Generator.gamma: shape must be a positive number, got ${String(shape)}`);
    if (shape < 1) {
      let u = 0;
      while (u === 0) u = this.uniform();
      return this.gamma(shape + 1) * u ** (1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** Beta(a, b) draw in [0, 1], as X/(X + Y) of X ~ Gamma(a), Y ~ Gamma(b) (mean a/(a + b)). */
  beta(a: number, b: number): number {
    for (const [name, v] of [['a', a], ['b', b]] as const) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new RangeError(`Generator.beta: ${name} must be a positive number, got ${String(v)}`);
    }
    const x = this.gamma(a);
    const y = this.gamma(b);
    // both can underflow to 0 for tiny shapes: then the draw is 0 or 1 with odds a : b
    return x + y > 0 ? x / (x + y) : this.uniform() < a / (a + b) ? 1 : 0;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Generator.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }

  /** The full state, to save beside a checkpoint. */
  getState(): GeneratorState {
    return { s: Array.from(this.s), spare: this.spare };
  }

  /** Restores a state from {@link Generator.getState}. */
  setState(state: GeneratorState): this {
    if (!Array.isArray(state.s) || state.s.length !== 4) throw new TypeError('Generator.setState: state.s must be an array of 4 integers');
    this.s.set(state.s.map((v) => v >>> 0));
    this.spare = state.spare;
    return this;
  }
}

/** Serialisable state of a {@link Generator}. */
export interface GeneratorState {
  s: number[];
  spare: number | null;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
