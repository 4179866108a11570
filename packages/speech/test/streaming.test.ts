import test from 'ava';
import { from, lastValueFrom, Subject, take, toArray } from 'rxjs';
import { fromIterable, Generator, prefetch, pull, Tensor, type Module } from '@eole/core';
import { maxRelErr } from '@eole/core/testing';
import {
  AcousticConvNet, decodeDigits, decodeWav, DigitDecoder, encodeWav, framePosteriors, mfcc, mfccFrames, MfccStream, slidingWindows, windowInput,
  type DecodedDigit, type DigitDecoderOptions, type FramePosterior, type MfccFrame, type MfccOptions,
} from '@eole/speech';

// ---- signals and helpers ---------------------------------------------------------------------

/** A seeded test signal: two tones gliding over noise, with a quiet stretch in the middle. */
function testSignal(n: number, sr: number, seed = 1): Float32Array {
  const rng = new Generator(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sr;
    const loud = i > n * 0.4 && i < n * 0.55 ? 0.01 : 1;
    x[i] = loud * (0.4 * Math.sin(2 * Math.PI * (300 + 400 * t) * t) + 0.2 * Math.sin(2 * Math.PI * 1250 * t)) + 0.02 * rng.normal();
  }
  return x;
}

/** Cuts `x` into chunks of the given sizes, cycling through them. */
function chunked(x: Float32Array, sizes: readonly number[]): Float32Array[] {
  const out: Float32Array[] = [];
  for (let s = 0, i = 0; s < x.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(x.slice(s, s + n));
    s += n;
  }
  return out;
}

const collect = <T>(o: import('rxjs').Observable<T>): Promise<T[]> => lastValueFrom(o.pipe(toArray()));

// ---- MfccStream and mfccFrames -----------------------------------------------------------------

const chunkings: [string, number[]][] = [
  ['1 sample', [1]],
  ['37 samples', [37]],
  ['exactly one hop (80)', [80]],
  ['100 ms (800)', [800]],
  ['ragged 0/3/250/1/91/1000', [0, 3, 250, 1, 91, 1000]],
  ['one chunk', [1e9]],
];

for (const [name, sizes] of chunkings) {
  test(`MfccStream over chunks of ${name} equals the batch mfcc of the whole signal`, (t) => {
    const sr = 8000;
    const x = testSignal(4321, sr);
    const batch = mfcc(x, sr);
    const stream = new MfccStream(sr);
    const got: MfccFrame[] = [];
    for (const c of chunked(x, sizes)) got.push(...stream.push(c));
    const [T, D] = batch.shape as [number, number];
    t.is(got.length, T);
    t.is(stream.frameCount, T);
    t.is(stream.sampleCount, x.length);
    got.forEach((f, i) => t.is(f.index, i));
    const flat = new Float32Array(T * D);
    got.forEach((f, i) => flat.set(f.coeffs, i * D));
    t.true(maxRelErr(flat, batch.data) < 1e-5, `max relative difference ${maxRelErr(flat, batch.data)}`);
    t.is(got[3]!.time, (3 * 80 + 100) / sr);
  });
}

test('MfccStream with other options (16 kHz, 26 mels, 13 coefficients, no pre-emphasis, 20/5 ms) matches mfcc', (t) => {
  const sr = 16000;
  const opts: MfccOptions = { nMels: 26, nCoeffs: 13, preEmphasis: 0, winMs: 20, hopMs: 5, fMin: 100, fMax: 7000 };
  const x = testSignal(5000, sr, 2);
  const batch = mfcc(x, sr, opts);
  const got = new MfccStream(sr, opts);
  const frames = chunked(x, [123, 7, 999]).flatMap((c) => got.push(c));
  t.is(frames.length, batch.shape[0]);
  const flat = new Float32Array(frames.length * 13);
  frames.forEach((f, i) => flat.set(f.coeffs, i * 13));
  t.true(maxRelErr(flat, batch.data) < 1e-5);
  t.is(frames[0]!.logMel.length, 26);
});

test('MfccFrame.logMel is the log-mel whose DCT is the MFCC; energyDb the raw frame energy in dB', (t) => {
  const x = testSignal(2000, 8000, 3);
  const frames = new MfccStream(8000).push(x);
  for (const f of [frames[0]!, frames[10]!]) {
    // c0 of the orthonormal DCT is the mean log-mel times √40.
    const c0 = f.logMel.reduce((a, b) => a + b, 0) / Math.sqrt(40);
    t.true(Math.abs(c0 - f.coeffs[0]!) < 1e-3 * (1 + Math.abs(c0)));
    let e = 0;
    for (let i = f.index * 80; i < f.index * 80 + 200; i++) e += x[i]! ** 2;
    t.true(Math.abs(f.energyDb - 10 * Math.log10(e / 200 + 1e-10)) < 1e-9);
  }
});

test('MfccStream: reset starts over; a signal shorter than one window gives no frame', (t) => {
  const s = new MfccStream(8000);
  t.deepEqual(s.push(new Float32Array(199)), []);
  t.is(s.push(new Float32Array(1)).length, 1);
  s.reset();
  t.is(s.frameCount, 0);
  const x = testSignal(1000, 8000);
  const again = s.push(x);
  t.true(maxRelErr(again.flatMap((f) => [...f.coeffs]), mfcc(x, 8000).data) < 1e-5);
});

test('mfccFrames operator equals the batch mfcc; each subscription is a fresh stream', async (t) => {
  const x = testSignal(3000, 8000, 4);
  const chunks$ = from(chunked(x, [800]));
  const op = chunks$.pipe(mfccFrames(8000));
  const a = await collect(op);
  const b = await collect(op);
  const batch = mfcc(x, 8000);
  t.is(a.length, batch.shape[0]);
  t.true(maxRelErr(a.flatMap((f) => [...f.coeffs]), batch.data) < 1e-5);
  t.deepEqual(b.map((f) => f.index), a.map((f) => f.index));
});

// ---- slidingWindows ----------------------------------------------------------------------------

test('slidingWindows(40) inputs equal windowInput on the batch features, hop 1 and hop 3', async (t) => {
  const x = testSignal(6000, 8000, 5);
  const batch = mfcc(x, 8000);
  const T = batch.shape[0]!;
  for (const hop of [1, 3]) {
    const windows = await collect(from(chunked(x, [800, 17])).pipe(mfccFrames(8000), slidingWindows(40, { hop })));
    const starts = Array.from({ length: Math.floor((T - 40) / hop) + 1 }, (_, k) => k * hop);
    t.deepEqual(windows.map((w) => w.start), starts);
    for (const w of windows) {
      t.deepEqual([...w.input.shape], [1, 40, 40]);
      t.is(w.frame, w.start + 20);
      const want = windowInput(batch, w.start);
      t.true(maxRelErr(w.input.data, want) < 1e-3, `window ${w.start}: ${maxRelErr(w.input.data, want)}`);
    }
    t.true(Math.abs(windows[0]!.time - (0.0125 + (39 * 0.01 + 0.0125)) / 2) < 1e-9);
  }
});

test('slidingWindows with a custom input and size (raw frames, no normalisation)', async (t) => {
  const x = testSignal(2000, 8000, 6);
  const batch = mfcc(x, 8000, { nCoeffs: 13 });
  const windows = await collect(from([x]).pipe(mfccFrames(8000, { nCoeffs: 13 }), slidingWindows(5, { input: (f) => f.data.slice() })));
  t.is(windows.length, batch.shape[0]! - 4);
  t.true(maxRelErr(windows[2]!.input.data, batch.data.subarray(2 * 13, 7 * 13)) < 1e-5);
  t.deepEqual([...windows[0]!.input.shape], [1, 13, 5]);
});

// ---- framePosteriors ---------------------------------------------------------------------------

/** A small acoustic model, and a wrapper that counts forward passes and windows. */
function countingModel(): { net: Module; calls: number[] } {
  const net = AcousticConvNet({ rng: new Generator(7), dropoutRng: new Generator(8), planes: [2, 4], hidden: 8 });
  const calls: number[] = [];
  const forward = net.forward.bind(net);
  net.forward = (x: Tensor) => {
    calls.push(x.shape[0]!);
    return forward(x);
  };
  return { net, calls };
}

test('framePosteriors: softmax of the model on each window, batched per chunk, in evaluation mode, mode restored', async (t) => {
  const x = testSignal(8000, 8000, 9);
  const { net, calls } = countingModel();
  net.train();
  const windows = await collect(from(chunked(x, [800])).pipe(mfccFrames(8000), slidingWindows(40)));
  const posts = await collect(from(chunked(x, [800])).pipe(mfccFrames(8000), slidingWindows(40), framePosteriors(net, { batchSize: 64 })));
  t.true(net.training, 'training mode restored');
  t.is(posts.length, windows.length);
  t.true(calls.length < posts.length / 5, `${calls.length} forward passes for ${posts.length} windows`);
  net.evaluate();
  const direct = net.forward(new Tensor(Float32Array.from(windows.slice(0, 3).flatMap((w) => [...w.input.data])), [3, 1, 40, 40]));
  for (let i = 0; i < 3; i++) {
    const p = posts[i]!;
    t.is(p.frame, windows[i]!.frame);
    t.is(p.energyDb, windows[i]!.energyDb);
    t.true(Math.abs(p.posteriors.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    for (let k = 0; k < 10; k++) t.true(Math.abs(p.posteriors[k]! - Math.exp(direct.data[i * 10 + k]!)) < 1e-4);
  }
  calls.length = 0;
  const one = await collect(from(chunked(x, [800])).pipe(mfccFrames(8000), slidingWindows(40), framePosteriors(net, { batchSize: 1 })));
  t.true(calls.every((n) => n === 1));
  t.true(maxRelErr(one.flatMap((p) => [...p.posteriors]), posts.flatMap((p) => [...p.posteriors])) < 1e-4);
});

test('backpressure: a slow pulling consumer behind prefetch holds the audio source back', async (t) => {
  const x = testSignal(8000 * 5, 8000, 10);
  const chunks = chunked(x, [800]);
  let produced = 0;
  const source = fromIterable(function* () {
    for (const c of chunks) {
      produced++;
      yield c;
    }
  });
  const { net } = countingModel();
  const posts = source.pipe(mfccFrames(8000), slidingWindows(40), framePosteriors(net), prefetch(4));
  let taken = 0;
  for await (const _ of pull(posts)) {
    taken++;
    await new Promise((r) => setTimeout(r, 5));
    if (taken === 30) break;
  }
  t.true(produced < 12, `${produced} of ${chunks.length} chunks read for 30 posteriors`);
});

test('cancellation: unsubscribing stops the model and the source', async (t) => {
  const x = testSignal(8000 * 5, 8000, 11);
  let produced = 0;
  const source = fromIterable(function* () {
    for (const c of chunked(x, [800])) {
      produced++;
      yield c;
    }
  });
  const { net, calls } = countingModel();
  const first = await lastValueFrom(source.pipe(mfccFrames(8000), slidingWindows(40), framePosteriors(net), take(5), toArray()));
  t.is(first.length, 5);
  const [p, c] = [produced, calls.length];
  await new Promise((r) => setTimeout(r, 50));
  t.is(produced, p, 'no chunk read after unsubscribe');
  t.is(calls.length, c, 'no forward pass after unsubscribe');
  t.true(produced < 10);
});

// ---- the decoder on synthetic posteriors -------------------------------------------------------

const SIL = -60;
const SPEECH = -20;

/** A frame with energy `db` and posteriors `p` (one-hot-ish: `digit` at `conf`, the rest shared). */
function frame(i: number, db: number, digit: number, conf: number): FramePosterior {
  const p = new Float32Array(10).fill((1 - conf) / 9);
  p[digit] = conf;
  return { frame: i, time: i / 100, posteriors: p, energyDb: db };
}

/** Runs the decoder over frames given as [count, dB, digit, confidence] runs; returns digits and when each came out. */
function decode(runs: readonly (readonly [number, number, number, number])[], options: DigitDecoderOptions = {}): { digits: DecodedDigit[]; at: number[] } {
  const dec = new DigitDecoder(options);
  const digits: DecodedDigit[] = [];
  const at: number[] = [];
  let i = 0;
  for (const [n, db, d, c] of runs) {
    for (let k = 0; k < n; k++, i++) {
      for (const out of dec.push(frame(i, db, d, c))) {
        digits.push(out);
        at.push(i);
      }
    }
  }
  for (const out of dec.flush()) {
    digits.push(out);
    at.push(-1);
  }
  return { digits, at };
}

test('decoder: one digit per speech segment, emitted once minGap silent frames are classified (floorRadius frames of look-ahead)', (t) => {
  const { digits, at } = decode([[30, SIL, 1, 0.9], [40, SPEECH, 4, 0.9], [30, SIL, 2, 0.9], [40, SPEECH, 7, 0.95], [80, SIL, 0, 0.5]], { minGap: 12, floorRadius: 50 });
  t.deepEqual(digits.map((d) => d.digit), [4, 7]);
  t.deepEqual(at, [69 + 12 + 50, 139 + 12 + 50]);
  t.is(digits[0]!.startFrame, 30);
  t.is(digits[0]!.endFrame, 69);
  t.true(digits[0]!.frame >= 30 && digits[0]!.frame <= 69);
  t.true(Math.abs(digits[1]!.score - 0.95) < 1e-6);
});

test('decoder: silence suppresses: confident posteriors on silent frames give nothing', (t) => {
  const { digits } = decode([[50, SPEECH, 3, 0.9], [100, SIL, 5, 0.99], [50, SPEECH, 3, 0.9]], { minGap: 10 });
  t.deepEqual(digits.map((d) => d.digit), [3, 3]);
  t.is(decode([[300, SIL, 5, 0.99]]).digits.length, 0, 'silence alone');
});

test('decoder: non-maximum suppression keeps the maximum; peaks farther apart than the radius are two digits', (t) => {
  // Unsure edges (the windows that straddle silence), then 2, 6 and 2 again, all confident.
  const runs = [[20, SIL, 0, 0.5], [15, SPEECH, 1, 0.5], [15, SPEECH, 2, 0.93], [15, SPEECH, 6, 0.97], [15, SPEECH, 2, 0.93], [15, SPEECH, 1, 0.5], [20, SIL, 0, 0.5]] as const;
  const one = decode(runs, { radius: 30 }).digits;
  t.deepEqual(one.map((d) => d.digit), [6]);
  t.is(one[0]!.frame, 57, 'the middle of the best run');
  t.deepEqual(decode(runs, { radius: 10 }).digits.map((d) => d.digit), [2, 6, 2]);
  // Two digits without a pause: both come out unless the second is below the threshold.
  const merged = [[20, SIL, 0, 0.5], [10, SPEECH, 1, 0.5], [20, SPEECH, 2, 0.95], [6, SPEECH, 6, 0.4], [20, SPEECH, 9, 0.9], [10, SPEECH, 1, 0.5], [20, SIL, 0, 0.5]] as const;
  t.deepEqual(decode(merged, { radius: 20, threshold: 0.85 }).digits.map((d) => d.digit), [2, 9]);
  t.deepEqual(decode(merged, { radius: 20, threshold: 0.92 }).digits.map((d) => d.digit), [2]);
  t.deepEqual(decode(merged, { radius: 30, threshold: 0.85 }).digits.map((d) => d.digit), [2], 'closer than the radius: the better one');
});

test('decoder: a segment without a confident peak inside gives the digit at its energy centroid, not its confident edges', (t) => {
  const dec = new DigitDecoder();
  const digits: DecodedDigit[] = [];
  const plan = [[30, SIL, 0, 0.5], [6, -30, 7, 0.99], [14, -10, 4, 0.8], [6, -30, 7, 0.99], [30, SIL, 0, 0.5]] as const;
  let i = 0;
  for (const [n, db, d, c] of plan) for (let k = 0; k < n; k++) digits.push(...dec.push(frame(i++, db, d, c)));
  digits.push(...dec.flush());
  t.deepEqual(digits.map((d) => d.digit), [4]);
  t.true(digits[0]!.frame >= 36 && digits[0]!.frame < 50);
});

test('decoder: minimum gap: a pause shorter than minGap is bridged, a longer one separates', (t) => {
  const runs = (gap: number) => [[20, SIL, 0, 0.5], [25, SPEECH, 6, 0.9], [gap, SIL, 6, 0.9], [10, SPEECH, 6, 0.7], [30, SIL, 0, 0.5]] as const;
  t.deepEqual(decode(runs(8), { minGap: 12, minSpeech: 5 }).digits.map((d) => d.digit), [6], 'the closure of "six" is bridged');
  t.deepEqual(decode(runs(20), { minGap: 12, minSpeech: 5 }).digits.map((d) => d.digit), [6, 6]);
});

test('decoder: short bursts are dropped (minSpeech); unsure segments are blank (minScore); flush decides an open segment', (t) => {
  t.is(decode([[30, SIL, 0, 0.5], [4, SPEECH, 1, 0.99], [30, SIL, 0, 0.5]], { minSpeech: 6 }).digits.length, 0);
  t.is(decode([[30, SIL, 0, 0.5], [40, SPEECH, 1, 0.1], [30, SIL, 0, 0.5]], { minScore: 0.3 }).digits.length, 0);
  const open = decode([[30, SIL, 0, 0.5], [40, SPEECH, 5, 0.9]]);
  t.deepEqual(open.digits.map((d) => d.digit), [5]);
  t.deepEqual(open.at, [-1]);
});

test('decoder: the noise floor is local: a quiet speaker 35 dB below a loud one is heard; a louder background is not speech', (t) => {
  const levels = decode([[60, SIL, 0, 0.5], [40, -5, 1, 0.9], [60, SIL, 0, 0.5], [40, -45, 2, 0.9], [60, SIL, 0, 0.5]]).digits;
  t.deepEqual(levels.map((d) => d.digit), [1, 2]);
  // After digit 1, the background rises by 25 dB for good; the noise carries confident posteriors of 5.
  const step = decode([[60, SIL, 0, 0.5], [40, -10, 1, 0.9], [100, -35, 5, 0.99], [40, -10, 3, 0.9], [100, -35, 5, 0.99]]).digits;
  t.deepEqual(step.map((d) => d.digit), [1, 3]);
});

test('decoder: lengths count frame indices, so posteriors every 2nd frame (window hop 2) decode the same', (t) => {
  const pattern = [[30, SIL, 1, 0.9], [40, SPEECH, 4, 0.9], [8, SIL, 2, 0.9], [10, SPEECH, 4, 0.7], [30, SIL, 2, 0.9], [30, SPEECH, 0, 0.9], [80, SIL, 2, 0.9]] as const;
  const all: FramePosterior[] = [];
  let i = 0;
  for (const [n, db, d, c] of pattern) for (let k = 0; k < n; k++) all.push(frame(i++, db, d, c));
  const run = (frames: FramePosterior[]): DecodedDigit[] => {
    const dec = new DigitDecoder();
    return [...frames.flatMap((f) => dec.push(f)), ...dec.flush()];
  };
  const one = run(all);
  const two = run(all.filter((f) => f.frame % 2 === 0));
  t.deepEqual(one.map((d) => d.digit), [4, 0]);
  t.deepEqual(two.map((d) => d.digit), [4, 0]);
  two.forEach((d, k) => t.true(Math.abs(d.startFrame - one[k]!.startFrame) <= 1 && Math.abs(d.endFrame - one[k]!.endFrame) <= 1));
});

test('decodeDigits operator equals the decoder, digits in time order as they are decided', async (t) => {
  const frames: FramePosterior[] = [];
  const pattern = [[30, SIL, 1], [40, SPEECH, 4], [30, SIL, 2], [30, SPEECH, 0], [30, SIL, 2], [35, SPEECH, 9], [10, SIL, 2]] as const;
  let i = 0;
  for (const [n, db, d] of pattern) for (let k = 0; k < n; k++) frames.push(frame(i++, db, d, 0.9));
  const subject = new Subject<FramePosterior>();
  const seen: [number, number][] = [];
  subject.pipe(decodeDigits()).subscribe((d) => seen.push([d.digit, i]));
  for (i = 0; i < frames.length; i++) subject.next(frames[i]!);
  subject.complete();
  t.deepEqual(seen.map((s) => s[0]), [4, 0, 9]);
  t.deepEqual(seen.map((s) => s[1]), [69 + 12 + 50, 129 + 12 + 50, frames.length], 'the first two as they were decided, the last at the end');
  const viaClass = decode(pattern.map(([n, db, d]) => [n, db, d, 0.9] as const)).digits;
  t.deepEqual(seen.map((s) => s[0]), viaClass.map((d) => d.digit));
});

// ---- errors -------------------------------------------------------------------------------------

test('clear errors for bad options and inputs', (t) => {
  t.throws(() => mfccFrames(0), { message: /sampleRate must be a positive number, got 0/ });
  t.throws(() => mfccFrames(8000, { nMels: 13, nCoeffs: 20 }), { message: /nCoeffs \(20\) must be <= nMels \(13\)/ });
  t.throws(() => new MfccStream(8000).push([1, 2] as unknown as Float32Array), { message: /chunk must be a Float32Array or Float64Array, got Array/ });
  t.throws(() => slidingWindows(0), { message: /size must be a positive integer/ });
  t.throws(() => slidingWindows(40, { hop: 0.5 }), { message: /hop must be a positive integer/ });
  t.throws(() => slidingWindows(20), { message: /needs windows of 40 frames, got size 20/ });
  const { net } = countingModel();
  t.throws(() => framePosteriors(net, { batchSize: 0 }), { message: /batchSize must be a positive integer, got 0/ });
  t.throws(() => framePosteriors({} as Module), { message: /model must be a Module/ });
  t.throws(() => decodeDigits({ minGap: 0 }), { message: /minGap must be a positive integer/ });
  t.throws(() => decodeDigits({ floorRadius: -1 }), { message: /floorRadius must be a non-negative integer/ });
  t.throws(() => decodeDigits({ minScore: 2 }), { message: /minScore must be in \[0, 1\], got 2/ });
  t.throws(() => decodeDigits({ gap: 3 } as DigitDecoderOptions), { message: /unknown option 'gap'/ });
  const dec = new DigitDecoder();
  dec.push(frame(5, -20, 1, 0.9));
  t.throws(() => dec.push(frame(5, -20, 1, 0.9)), { message: /frames must increase, got frame 5 after 5/ });
  t.throws(() => dec.push(frame(6, NaN, 1, 0.9)), { message: /energyDb of frame 6 must be finite/ });
});

test('slidingWindows errors in the stream when frames do not have 40 coefficients', async (t) => {
  await t.throwsAsync(collect(from([testSignal(4000, 8000)]).pipe(mfccFrames(8000, { nCoeffs: 13 }), slidingWindows(40))), { message: /needs 40 coefficients a frame, got 13/ });
});

// ---- WAV encoder --------------------------------------------------------------------------------

test('encodeWav: 16-bit PCM that decodeWav reads back within one quantisation step; clipping; errors', (t) => {
  const x = testSignal(1234, 8000, 12);
  const bytes = encodeWav(x, 8000);
  t.is(bytes.length, 44 + 2 * 1234);
  const w = decodeWav(bytes);
  t.is(w.sampleRate, 8000);
  t.is(w.channels, 1);
  t.is(w.samples.length, 1234);
  // within one quantisation step relative to 1 + |x| (encoded as round(x·32767), read back as q/32768)
  t.true(x.every((v, i) => Math.abs(w.samples[i]! - v) / (1 + Math.abs(v)) <= 1 / 32767 + 1e-6));
  const clipped = decodeWav(encodeWav([2, -3, 0.5], 44100)).samples;
  t.true(Math.abs(clipped[0]! - 32767 / 32768) < 1e-9 && Math.abs(clipped[1]! + 32767 / 32768) < 1e-9);
  t.is(decodeWav(encodeWav([], 8000)).samples.length, 0);
  t.throws(() => encodeWav(x, 0), { message: /sampleRate must be a positive integer, got 0/ });
  t.throws(() => encodeWav([0, NaN], 8000), { message: /sample 1 is NaN/ });
});
