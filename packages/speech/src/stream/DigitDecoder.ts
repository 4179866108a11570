/** The acoustic model's view of one frame: posteriors of the window centred on it, and its energy. */
export interface FramePosterior {
  /** Frame index of the window's centre (window start + ⌊size/2⌋). */
  frame: number;
  /** Time of the window's centre in seconds. */
  time: number;
  /** Posterior probabilities of the classes (the digits 0–9), summing to 1. */
  posteriors: Float32Array;
  /** Energy of the centre frame in dB (`MfccFrame.energyDb`). */
  energyDb: number;
}

/** One decoded digit. */
export interface DecodedDigit {
  /** The class (digit) recognised. */
  digit: number;
  /** Its pooled posterior, in [0, 1]. */
  score: number;
  /** The frame and time (s) the decision is centred on. */
  frame: number;
  time: number;
  /** The speech segment it came from: first and last frame, and their times. */
  startFrame: number;
  endFrame: number;
  start: number;
  end: number;
}

/** Options of {@link DigitDecoder}; lengths are in frames of the feature stream (10 ms), whatever the window hop. */
export interface DigitDecoderOptions {
  /** A frame is speech when its energy is at least `snrDb` above the local noise floor (default 12). */
  snrDb?: number;
  /**
   * The local noise floor of frame t is the 5th percentile of the energies of frames t − r … t + r,
   * r = `floorRadius` (default 50: 0.5 s, more than half the longest FSDD digit). The decoder looks
   * r frames ahead, so decisions come r frames later.
   */
  floorRadius?: number;
  /** Frames of silence that end a segment; shorter pauses (the closure in "six", "eight") are bridged (default 12). */
  minGap?: number;
  /** Segments spanning fewer frames (first to last speech frame) are dropped: clicks, breaths (default 6). */
  minSpeech?: number;
  /** Frames either side of a frame whose posteriors are averaged into its score (default 3). */
  pool?: number;
  /** Score (pooled posterior) below which a segment yields no digit, the blank (default 0.2, twice chance for 10 digits). */
  minScore?: number;
  /** Non-maximum suppression radius: two digits of one segment are more than `radius` frames apart (default 30). */
  radius?: number;
  /** Score the peak of a second or later digit of the same segment needs (default 0.9). */
  threshold?: number;
}

type Resolved = Required<DigitDecoderOptions>;

/** The quantile of the energies around a frame taken as its noise floor. */
const FLOOR_QUANTILE = 0.05;

/** The defaults of {@link DigitDecoderOptions}. @example new DigitDecoder({ minGap: DIGIT_DECODER_DEFAULTS.minGap * 2 }) */
export const DIGIT_DECODER_DEFAULTS: Readonly<Required<DigitDecoderOptions>> = Object.freeze({ snrDb: 12, floorRadius: 50, minGap: 12, minSpeech: 6, pool: 3, minScore: 0.2, radius: 30, threshold: 0.9 });
const DEFAULTS = DIGIT_DECODER_DEFAULTS;

/** A frame of the open segment: its posteriors, whether it is speech, and its noise floor. */
interface Classified {
  p: FramePosterior;
  speech: boolean;
  floor: number;
}

/**
 * Turns per-frame digit posteriors into a digit sequence, incrementally (push a frame, get the
 * digits decided by it). Two rules, in order:
 *
 * 1. **Silence (blank).** A frame is speech when its energy e_t (dB) is at least `snrDb` above its
 *    local noise floor, the 5th percentile of e over t ± `floorRadius` frames (minimum statistics,
 *    after Martin, "Noise power spectral density estimation based on optimal smoothing and minimum
 *    statistics", IEEE TSAP 2001, with a centred window). Speech frames separated by fewer than
 *    `minGap` silent frames form one segment; a segment ends (and is decided) after `minGap` silent
 *    frames. Silent stretches never yield a digit; segments spanning fewer than `minSpeech` frames
 *    are dropped. Lengths count frames (frame indices), so a window hop above 1 changes nothing.
 * 2. **Peaks with non-maximum suppression in time, else the energy centroid.** Posteriors are
 *    averaged over t ± `pool` frames (p̄). Candidates are the peaks of confident runs (frames with
 *    one best digit and p̄ ≥ `threshold`; one candidate per run, the middle of its maximum) lying
 *    more than `radius`/2 frames inside the segment; greedily, best first, each candidate more than
 *    `radius` frames from those kept gives a digit, so two digits spoken without a pause both come
 *    out. A segment without such a peak (short, or unsure) gives one digit, argmax_d p̄_d(c) at its
 *    energy centroid c = Σ t·w_t / Σ w_t (w_t the linear energy above the floor), when
 *    max_d p̄_d(c) ≥ `minScore`: the window centred on the spoken digit, the view the model was
 *    trained on. Windows straddling speech and silence are outside its training distribution and
 *    often confidently wrong, hence no candidate near a segment's ends. Digits come out in time order.
 *
 * Why these rules (measured on 200 held-out FSDD utterances laid end to end, examples/digit-stream):
 * a threshold relative to the loudest frame so far deleted a quiet speaker's digits (their peaks
 * lie 25–30 dB below another's); a floor from past frames only merged neighbours when the
 * background level jumped between recordings; the energy of the pre-emphasised spectrum (rather
 * than the raw frame energy) missed the nasal onsets of a quiet speaker; the posterior peak of a
 * segment, often at its edge, was wrong where the centroid was right.
 *
 * @example
 * const dec = new DigitDecoder({ minGap: 15 });
 * for (const p of posteriors) for (const d of dec.push(p)) console.log(d.digit, d.time);
 * for (const d of dec.flush()) console.log(d.digit, d.time);
 */
export class DigitDecoder {
  readonly options: Readonly<Resolved>;
  /** Frames t − r … newest, t (at `lead`) the next to classify, and their energies sorted. */
  private window: FramePosterior[] = [];
  private lead = 0;
  private sorted: number[] = [];
  /** The open segment: its frames from the first speech frame on, the silent ones at its end included. */
  private segment: Classified[] = [];
  /** Frame index of the last speech frame of the open segment. */
  private lastSpeech = -Infinity;
  private lastFrame = -Infinity;

  constructor(options: DigitDecoderOptions = {}) {
    this.options = Object.freeze(resolveDecoderOptions(options));
  }

  /** Adds the next frame; returns the digits it decides (usually none). Frames must come in order. */
  push(p: FramePosterior): DecodedDigit[] {
    if (!(p.frame > this.lastFrame)) throw new RangeError(`DigitDecoder.push: frames must increase, got frame ${p.frame} after ${this.lastFrame}`);
    if (!Number.isFinite(p.energyDb)) throw new RangeError(`DigitDecoder.push: energyDb of frame ${p.frame} must be finite, got ${p.energyDb}`);
    this.lastFrame = p.frame;
    this.window.push(p);
    insertSorted(this.sorted, p.energyDb);
    const out: DecodedDigit[] = [];
    while (this.lead < this.window.length && p.frame - this.window[this.lead]!.frame >= this.options.floorRadius) out.push(...this.classifyNext());
    return out;
  }

  /** Ends the stream: classifies the frames still waiting for their look-ahead and decides the open segment. */
  flush(): DecodedDigit[] {
    const out: DecodedDigit[] = [];
    while (this.lead < this.window.length) out.push(...this.classifyNext());
    if (this.segment.length > 0) out.push(...this.close());
    return out;
  }

  /** Classifies the frame at `lead` against the floor of its window, then slides the window. */
  private classifyNext(): DecodedDigit[] {
    const p = this.window[this.lead]!;
    const floor = this.sorted[Math.floor(FLOOR_QUANTILE * (this.sorted.length - 1))]!;
    const out = this.step({ p, speech: p.energyDb >= floor + this.options.snrDb, floor });
    this.lead++;
    const next = this.window[this.lead]?.frame ?? Infinity;
    while (this.lead > 0 && next - this.window[0]!.frame > this.options.floorRadius) {
      removeSorted(this.sorted, this.window.shift()!.energyDb);
      this.lead--;
    }
    return out;
  }

  private step(c: Classified): DecodedDigit[] {
    if (this.segment.length === 0 && !c.speech) return [];
    this.segment.push(c);
    if (c.speech) this.lastSpeech = c.p.frame;
    return c.p.frame - this.lastSpeech >= this.options.minGap ? this.close() : [];
  }

  private close(): DecodedDigit[] {
    const frames = this.segment.filter((f) => f.p.frame <= this.lastSpeech);
    this.segment = [];
    const span = frames.length > 0 ? frames[frames.length - 1]!.p.frame - frames[0]!.p.frame + 1 : 0;
    if (span < this.options.minSpeech) return [];
    return decideSegment(frames, this.options);
  }
}

function insertSorted(a: number[], v: number): void {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, v);
}

function removeSorted(a: number[], v: number): void {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 1);
}

/** Validated options with defaults (throws a RangeError naming the option). */
export function resolveDecoderOptions(options: DigitDecoderOptions): Resolved {
  const o: Resolved = { ...DEFAULTS };
  for (const [key, value] of Object.entries(options) as [keyof Resolved, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULTS)) throw new RangeError(`DigitDecoder: unknown option '${key}' (expected one of ${Object.keys(DEFAULTS).join(', ')})`);
    o[key] = value;
  }
  const check = (key: keyof Resolved, ok: (v: number) => boolean, what: string): void => {
    const v = o[key];
    if (typeof v !== 'number' || !ok(v)) throw new RangeError(`DigitDecoder: ${key} must be ${what}, got ${String(v)}`);
  };
  const whole = (v: number): boolean => Number.isInteger(v) && v >= 0;
  check('snrDb', (v) => Number.isFinite(v) && v > 0, 'a positive number of dB');
  check('floorRadius', whole, 'a non-negative integer (frames)');
  check('minGap', (v) => whole(v) && v >= 1, 'a positive integer (frames)');
  check('minSpeech', whole, 'a non-negative integer (frames)');
  check('pool', whole, 'a non-negative integer (frames)');
  check('minScore', (v) => v >= 0 && v <= 1, 'in [0, 1]');
  check('radius', whole, 'a non-negative integer (frames)');
  check('threshold', (v) => v >= 0 && v <= 1, 'in [0, 1]');
  return o;
}

/** Rule 2 of {@link DigitDecoder} on one closed segment. */
function decideSegment(seg: readonly Classified[], o: Resolved): DecodedDigit[] {
  const frames = seg.map((s) => s.p);
  const n = frames.length;
  const K = frames[0]!.posteriors.length;
  const pooled = frames.map((_, t) => {
    const avg = new Float64Array(K);
    let lo = t, hi = t;
    while (lo > 0 && frames[t]!.frame - frames[lo - 1]!.frame <= o.pool) lo--;
    while (hi < n - 1 && frames[hi + 1]!.frame - frames[t]!.frame <= o.pool) hi++;
    for (let u = lo; u <= hi; u++) for (let k = 0; k < K; k++) avg[k] += frames[u]!.posteriors[k]! / (hi - lo + 1);
    let best = 0;
    for (let k = 1; k < K; k++) if (avg[k]! > avg[best]!) best = k;
    return { digit: best, score: avg[best]! };
  });
  // The energy centroid (in positions of the segment).
  let sw = 0, st = 0;
  seg.forEach((s, t) => {
    const w = Math.max(0, 10 ** (s.p.energyDb / 10) - 10 ** (s.floor / 10));
    sw += w;
    st += w * t;
  });
  const centre = sw > 0 ? Math.round(st / sw) : (n - 1) >> 1;
  // Peaks of confident runs (one candidate per plateau of one digit) away from the segment's ends,
  // best first, with non-maximum suppression; the energy centroid when there is none.
  const first = frames[0]!, last = frames[n - 1]!;
  const inside = (t: number): boolean => frames[t]!.frame - first.frame > o.radius / 2 && last.frame - frames[t]!.frame > o.radius / 2;
  const peaks: number[] = [];
  for (let a = 0; a < n; ) {
    if (pooled[a]!.score < o.threshold) {
      a++;
      continue;
    }
    let b = a + 1;
    while (b < n && pooled[b]!.score >= o.threshold && pooled[b]!.digit === pooled[a]!.digit) b++;
    const peak = peakOf(pooled, a, b);
    if (inside(peak)) peaks.push(peak);
    a = b;
  }
  const kept: number[] = [];
  for (const t of peaks.sort((a, b) => pooled[b]!.score - pooled[a]!.score || a - b)) {
    if (kept.every((k) => Math.abs(frames[k]!.frame - frames[t]!.frame) > o.radius)) kept.push(t);
  }
  if (kept.length === 0 && pooled[centre]!.score >= o.minScore) kept.push(centre);
  return kept
    .sort((a, b) => a - b)
    .map((t) => ({ ...pooled[t]!, frame: frames[t]!.frame, time: frames[t]!.time, startFrame: first.frame, endFrame: last.frame, start: first.time, end: last.time }));
}

/** The best-scoring index of scores[a..b), the middle one of a tie. */
function peakOf(scores: readonly { score: number }[], a: number, b: number): number {
  let max = -Infinity;
  for (let t = a; t < b; t++) max = Math.max(max, scores[t]!.score);
  const ties: number[] = [];
  for (let t = a; t < b; t++) if (scores[t]!.score >= max - 1e-9) ties.push(t);
  return ties[(ties.length - 1) >> 1]!;
}
