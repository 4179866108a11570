import { describeValue } from '@eole/core';
import { cepstra, framePowers, logMel, melEnergies, mfccPlan, type MfccOptions, type MfccPlan } from '../frontend/mfcc.js';

/** One frame of an MFCC stream. */
export interface MfccFrame {
  /** Frame number from the start of the stream (0, 1, 2, …). */
  index: number;
  /** Time of the frame's centre in seconds: (index·hop + win/2) / sampleRate. */
  time: number;
  /** The cepstral coefficients [nCoeffs], equal to row `index` of the batch `mfcc`. */
  coeffs: Float32Array;
  /** The log-mel energies log(E_m + floor) [nMels] (the spectrogram). */
  logMel: Float32Array;
  /**
   * Log frame energy in dB, 10·log10(Σₙ x[n]²/N + 1e-10) over the N raw samples of the frame (before
   * pre-emphasis and window: HTK's raw energy). For speech/silence decisions: pre-emphasis would
   * take away the low-frequency energy of voiced sounds and nasals.
   */
  energyDb: number;
}

/**
 * Incremental MFCC: feed audio in chunks of any size, get every frame as soon as its last sample
 * arrives. State across chunks: the last raw sample (pre-emphasis y[n] = x[n] − α·x[n−1] carries
 * over the chunk boundary) and the pre-emphasised samples not yet consumed by a whole frame. The
 * frames equal those of the batch `mfcc` on the concatenated signal (same plan, same arithmetic;
 * the filterbank and DCT matmuls run per chunk, so sums may round differently, by about 1e-6).
 * Latency: a frame needs its whole window (25 ms), so it comes out at most one window after its start.
 *
 * @example
 * const stream = new MfccStream(8000);
 * for (const chunk of chunks) for (const f of stream.push(chunk)) use(f.coeffs);
 */
export class MfccStream {
  readonly plan: MfccPlan;
  /** Frames emitted so far (the index of the next frame). */
  private next = 0;
  /** Pre-emphasised samples from absolute sample `bufStart` on. */
  private buffer = new Float64Array(0);
  private bufStart = 0;
  private bufLength = 0;
  /** The raw samples of the same span (for the frame energy). */
  private raw = new Float64Array(0);
  private last: number | null = null;

  constructor(readonly sampleRate: number, options: MfccOptions = {}) {
    this.plan = mfccPlan(sampleRate, options);
  }

  /** Frames emitted so far. */
  get frameCount(): number {
    return this.next;
  }

  /** Samples received so far. */
  get sampleCount(): number {
    return this.bufStart + this.bufLength;
  }

  /** Adds a chunk (any length, 0 included) and returns the frames it completes, in order. */
  push(chunk: Float32Array | Float64Array): MfccFrame[] {
    if (!(chunk instanceof Float32Array || chunk instanceof Float64Array)) {
      throw new TypeError(`MfccStream.push: chunk must be a Float32Array or Float64Array, got ${describeValue(chunk)}`);
    }
    this.append(chunk);
    const { win, hop } = this.plan;
    const fr: Float64Array[] = [];
    const energies: number[] = [];
    for (let s = this.next * hop - this.bufStart; s + win <= this.bufLength; s += hop) {
      fr.push(this.buffer.slice(s, s + win));
      let e = 0;
      for (let i = s; i < s + win; i++) e += this.raw[i]! * this.raw[i]!;
      energies.push(10 * Math.log10(e / win + 1e-10));
    }
    if (fr.length === 0) return [];
    const out = this.compute(fr, energies);
    this.drop(this.next * hop - this.bufStart);
    return out;
  }

  /** Forgets all state: the next chunk starts a new stream at frame 0. */
  reset(): void {
    this.next = 0;
    this.bufStart = 0;
    this.bufLength = 0;
    this.last = null;
  }

  private append(chunk: Float32Array | Float64Array): void {
    const need = this.bufLength + chunk.length;
    if (need > this.buffer.length) {
      const size = Math.max(need, 2 * this.buffer.length, this.plan.win + this.plan.hop);
      const grown = new Float64Array(size);
      grown.set(this.buffer.subarray(0, this.bufLength));
      this.buffer = grown;
      const grownRaw = new Float64Array(size);
      grownRaw.set(this.raw.subarray(0, this.bufLength));
      this.raw = grownRaw;
    }
    const alpha = this.plan.alpha;
    for (let i = 0; i < chunk.length; i++) {
      const x = chunk[i]!;
      this.buffer[this.bufLength + i] = x - (this.last !== null ? alpha * this.last : 0);
      this.raw[this.bufLength + i] = x;
      this.last = x;
    }
    this.bufLength = need;
  }

  /** Drops the first `n` buffered samples (they belong to no future frame). */
  private drop(n: number): void {
    if (n <= 0) return;
    const keep = Math.max(0, this.bufLength - n);
    this.buffer.copyWithin(0, this.bufLength - keep, this.bufLength);
    this.raw.copyWithin(0, this.bufLength - keep, this.bufLength);
    this.bufStart += this.bufLength - keep;
    this.bufLength = keep;
  }

  private compute(fr: Float64Array[], energyDb: readonly number[]): MfccFrame[] {
    const plan = this.plan;
    const T = fr.length;
    const energies = melEnergies(plan, framePowers(plan, fr), T);
    const logE = logMel(plan, energies);
    const c = cepstra(plan, logE).data;
    const { nMels, nCoeffs, hop, win, sampleRate } = plan;
    const out: MfccFrame[] = [];
    for (let t = 0; t < T; t++) {
      const index = this.next++;
      out.push({
        index,
        time: (index * hop + win / 2) / sampleRate,
        coeffs: c.slice(t * nCoeffs, (t + 1) * nCoeffs),
        logMel: logE.data.slice(t * nMels, (t + 1) * nMels),
        energyDb: energyDb[t]!,
      });
    }
    return out;
  }
}
