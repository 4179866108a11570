import test from 'ava';
import { join } from 'node:path';
import { Generator, loadModule, noGrad, saveModule, Tensor } from '@eole/core';
import { checkParity, maxRelErr, parameterCount, tempDir, testModules } from '@eole/core/testing';
import {
  AcousticConvNet, acousticConvNetConfig, backgroundRms, cepstralStatistics, digitFeatures, MfccStream, DIGIT_MFCC, recordingStatistics, N_COEFFS, noiseFloor, paddedFeatures, padWithNoise, speechCentre, utteranceWindow, windowInput, WINDOW_FRAMES, WINDOW_VARIANCE_FLOOR,
} from '@eole/speech';
import { SPEECH_ACOUSTIC_CASES } from '@eole/speech/testing';

/** A vowel-like burst of `ms` milliseconds at 8 kHz: 300 Hz and 1.2 kHz tones over broadband noise, under a half-sine envelope. */
function burst(ms: number): Float32Array {
  const n = Math.round(8 * ms);
  const rng = new Generator(99);
  return Float32Array.from({ length: n }, (_, i) => Math.sin((Math.PI * i) / n) * (0.3 * Math.sin((2 * Math.PI * 300 * i) / 8000) + 0.1 * Math.sin((2 * Math.PI * 1200 * i) / 8000) + rng.normal(0, 0.05)));
}

test('windowInput: 40 frames as a coefficient-major 40×40 image, each coefficient normalised over its window (independent oracle)', (t) => {
  const T = 60;
  const f = Tensor.randn([T, N_COEFFS], new Generator(1));
  for (let i = 0; i < f.size; i++) f.data[i] = f.data[i]! * (1 + (i % N_COEFFS)) + 3 * (i % 7);
  const start = 13;
  const x = windowInput(f, start);
  t.is(x.length, 1600);
  for (const c of [0, 5, 39]) {
    const col = Array.from({ length: WINDOW_FRAMES }, (_, k) => f.data[(start + k) * N_COEFFS + c]!);
    const mu = col.reduce((a, b) => a + b, 0) / WINDOW_FRAMES;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mu) ** 2, 0) / WINDOW_FRAMES + WINDOW_VARIANCE_FLOOR);
    for (const k of [0, 17, 39]) t.true(Math.abs(x[c * WINDOW_FRAMES + k]! - (col[k]! - mu) / sd) < 1e-5);
  }
  // shifting the whole signal's level (a constant cepstral offset, e.g. gain) changes nothing
  const shifted = new Tensor(Float32Array.from(f.data, (v, i) => v + (i % N_COEFFS === 0 ? 7 : 0)), [T, N_COEFFS]);
  t.true(maxRelErr(windowInput(shifted, start), x) < 1e-5);
  const out = new Float32Array(1600);
  t.is(windowInput(f, 0, out), out);
  t.is(windowInput(f, T - WINDOW_FRAMES).length, 1600);
});

test('windowInput: clear errors for a bad shape, start or buffer', (t) => {
  const f = Tensor.zeros([50, N_COEFFS]);
  t.throws(() => windowInput(Tensor.zeros([50, 13]), 0), { message: /features must be \[frames, 40\] .* got shape \[50, 13\]/ });
  t.throws(() => windowInput(f, 11), { message: /start must be an integer in \[0, 10\] for 50 frames .* got 11/ });
  t.throws(() => windowInput(f, -1), { message: /got -1/ });
  t.throws(() => windowInput(f, 1.5), { message: /got 1\.5/ });
  t.throws(() => windowInput(f, 0, new Float32Array(10)), { message: /out must hold 1600 values, got 10/ });
});

test('cepstralStatistics: mean and soft-floored variance over all frames of all blocks (independent oracle)', (t) => {
  const a = Tensor.randn([30, N_COEFFS], new Generator(2));
  const b = Tensor.randn([50, N_COEFFS], new Generator(3));
  for (let i = 0; i < b.size; i++) b.data[i] = 4 * b.data[i]! + (i % N_COEFFS);
  const stats = cepstralStatistics([a, b.data]);
  for (const c of [0, 9, 39]) {
    const col = [...Array.from({ length: 30 }, (_, k) => a.data[k * N_COEFFS + c]!), ...Array.from({ length: 50 }, (_, k) => b.data[k * N_COEFFS + c]!)];
    const mu = col.reduce((x, y) => x + y, 0) / col.length;
    const v = col.reduce((x, y) => x + (y - mu) ** 2, 0) / col.length;
    t.true(Math.abs(stats.mean[c]! - mu) < 1e-4);
    t.true(Math.abs(stats.scale[c]! - 1 / Math.sqrt(v + WINDOW_VARIANCE_FLOOR)) < 1e-5);
  }
  t.true(Math.abs(cepstralStatistics([a], N_COEFFS, 0).scale[0]! - cepstralStatistics([a], N_COEFFS, 1).scale[0]!) > 1e-3, 'the floor counts');
  t.throws(() => cepstralStatistics([]), { message: /at least one frame, got none/ });
  t.throws(() => cepstralStatistics([Tensor.zeros([5, 13])]), { message: /blocks\[0\] must be \[frames, 40\], got shape \[5, 13\]/ });
  t.throws(() => cepstralStatistics([a, new Float32Array(41)]), { message: /blocks\[1\] must hold whole frames of 40 coefficients, got 41 values/ });
});

test('recordingStatistics: the statistics of the speech frames of a recording, its long silences left out', (t) => {
  // 0.2 s bursts separated by 1 s of quiet noise: most frames are silence
  const parts: Float32Array[] = [];
  for (let k = 0; k < 4; k++) parts.push(padWithNoise(new Float32Array(8000), 0, 0, 1e-4, new Generator(k)), burst(200));
  const x = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  parts.reduce((o, p) => (x.set(p, o), o + p.length), 0);
  const frames = new MfccStream(8000, DIGIT_MFCC).push(x);
  const sorted = frames.map((f) => f.energyDb).sort((a, b) => a - b);
  const gate = sorted[Math.floor(sorted.length * 0.1)]! + 10;
  const speech = frames.filter((f) => f.energyDb >= gate);
  t.true(speech.length >= 40 && speech.length < frames.length / 3, `${speech.length} speech frames of ${frames.length}`);
  const stats = recordingStatistics(x);
  const want = cepstralStatistics(speech.map((f) => f.coeffs));
  t.deepEqual(Array.from(stats.mean), Array.from(want.mean));
  t.deepEqual(Array.from(stats.scale), Array.from(want.scale));
  t.true(stats.mean[0]! > cepstralStatistics(frames.map((f) => f.coeffs)).mean[0]! + 5, 'the silences do not pull c0 (loudness) down');
  // a recording with too few speech frames falls back to all of them
  const quiet = padWithNoise(new Float32Array(4000), 0, 0, 1e-3, new Generator(9));
  t.deepEqual(Array.from(recordingStatistics(quiet, 8000, { marginDb: 100 }).mean), Array.from(cepstralStatistics(new MfccStream(8000, DIGIT_MFCC).push(quiet).map((f) => f.coeffs)).mean));
  t.throws(() => recordingStatistics(new Float32Array(10)), { message: /at least one 25 ms frame \(200 samples at 8000 Hz\), got 10 samples/ });
  t.throws(() => recordingStatistics(quiet, 8000, { marginDb: Number.NaN }), { message: /marginDb must be a finite number of dB, got NaN/ });
});

test('windowInput with statistics: the fixed (speaker) normalisation instead of the window\'s own; a window\'s mean is kept', (t) => {
  const f = Tensor.randn([60, N_COEFFS], new Generator(4));
  for (let i = 0; i < f.size; i++) f.data[i] = f.data[i]! + 5 * (i % 3);
  const stats = cepstralStatistics([f]);
  const x = windowInput(f, 7, undefined, stats);
  for (const c of [0, 20, 39]) for (const k of [0, 39]) t.true(Math.abs(x[c * WINDOW_FRAMES + k]! - (f.data[(7 + k) * N_COEFFS + c]! - stats.mean[c]!) * stats.scale[c]!) < 1e-5);
  // a constant offset of the whole recording is removed once the statistics are those of the same recording
  const shifted = new Tensor(Float32Array.from(f.data, (v, i) => v + (i % N_COEFFS === 3 ? 9 : 0)), f.shape);
  t.true(maxRelErr(windowInput(shifted, 7, undefined, cepstralStatistics([shifted])), x) < 1e-4);
  // unlike the per-window normalisation, a window's own mean is not removed
  const own = windowInput(f, 7);
  t.true(maxRelErr(own, x) > 0.01);
  t.throws(() => windowInput(f, 0, undefined, { mean: new Float32Array(13), scale: new Float32Array(13) }), { message: /statistics must hold 40 means and scales, got 13 and 13/ });
});

test('padWithNoise, noiseFloor and speechCentre on a burst between silences', (t) => {
  const b = burst(200);
  const x = padWithNoise(b, 2000, 1000, 1e-3, new Generator(1));
  t.is(x.length, 2000 + b.length + 1000);
  t.deepEqual(Array.from(x.subarray(2000, 2000 + b.length)), Array.from(b));
  const floor = noiseFloor(x);
  t.true(floor > 5e-4 && floor < 2e-3, `floor ${floor}`);
  t.true(Math.abs(speechCentre(x) - (2000 + b.length / 2)) < 40, `centre ${speechCentre(x)}`);
  t.deepEqual(Array.from(padWithNoise(b, 5, 5, 0.1, new Generator(3))), Array.from(padWithNoise(b, 5, 5, 0.1, new Generator(3))));
  t.throws(() => padWithNoise(b, -1, 0, 0.1, new Generator(1)), { message: /before and after must be non-negative integers/ });
});

test('backgroundRms matches white noise, and ignores a DC offset and low-frequency rumble that noiseFloor counts', (t) => {
  const rng = new Generator(2);
  const white = Float32Array.from({ length: 8000 }, () => rng.normal(0, 2e-3));
  t.true(Math.abs(backgroundRms(white) / 2e-3 - 1) < 0.25, `white: ${backgroundRms(white)}`);
  const rumble = Float32Array.from(white, (v, i) => v + 0.01 + 0.02 * Math.sin((2 * Math.PI * 50 * i) / 8000));
  t.true(noiseFloor(rumble) > 3 * 2e-3, `noiseFloor ${noiseFloor(rumble)}`);
  t.true(Math.abs(backgroundRms(rumble) / 2e-3 - 1) < 0.35, `with rumble: ${backgroundRms(rumble)}`);
});

test('paddedFeatures centres the speech of a short utterance in a window; utteranceWindow is deterministic per seed and jitters', (t) => {
  const b = burst(150);
  const { features, centre } = paddedFeatures(b, 8000, { rng: new Generator(1), margin: 5 });
  t.is(features.shape[1], N_COEFFS);
  t.true(centre >= 5 && centre + WINDOW_FRAMES + 5 <= features.shape[0]!, `centre ${centre} of ${features.shape[0]} frames`);
  // the loudest frame (c0) of the window sits near its middle
  const x = windowInput(features, centre);
  const c0 = Array.from(x.subarray(0, WINDOW_FRAMES));
  const loudest = c0.indexOf(Math.max(...c0));
  t.true(Math.abs(loudest - WINDOW_FRAMES / 2) <= 4, `loudest frame ${loudest}`);
  const a = utteranceWindow(b, 8000, { rng: new Generator(7), jitter: 3 });
  t.deepEqual(Array.from(a), Array.from(utteranceWindow(b, 8000, { rng: new Generator(7), jitter: 3 })));
  const starts = new Set<string>();
  for (let s = 0; s < 12; s++) starts.add(utteranceWindow(b, 8000, { rng: new Generator(s), jitter: 3, noiseRms: 1e-4 }).subarray(0, 40).join(','));
  t.true(starts.size > 1);
  // a long utterance is cut by the window, not rejected
  t.is(utteranceWindow(burst(900), 8000, { rng: new Generator(1) }).length, 1600);
  t.deepEqual(digitFeatures(b).shape, [Math.floor((b.length - 200) / 80) + 1, 40]);
});

test('AcousticConvNet: 9×9 first layer, [N, 1600] or [N, 1, 40, 40] to log-probabilities over the classes', (t) => {
  const net = AcousticConvNet({ rng: new Generator(1), dropoutRng: new Generator(2) });
  t.is(parameterCount(net), 8 * 81 + 8 + 16 * 8 * 25 + 16 + 576 * 64 + 64 + 64 * 10 + 10);
  const text = net.toString();
  t.regex(text, /nn\.SpatialConvolution\(1 -> 8, 9x9\)/);
  t.regex(text, /nn\.Dropout\(0\.3\)/);
  net.evaluate();
  const x = Tensor.randn([3, 1600], new Generator(3));
  const out = net.forward(x);
  t.deepEqual([...out.shape], [3, 10]);
  for (let r = 0; r < 3; r++) t.true(Math.abs(out.data.subarray(r * 10, r * 10 + 10).reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5);
  t.deepEqual(Array.from(net.forward(x.reshape([3, 1, 40, 40])).data), Array.from(out.data));
  const wide = AcousticConvNet({ rng: new Generator(1), classes: 11, planes: [4, 6], hidden: 20, dropout: 0 });
  t.deepEqual([...wide.forward(Tensor.zeros([2, 1600])).shape], [2, 11]);
  t.notRegex(wide.toString(), /Dropout/);
  t.deepEqual(acousticConvNetConfig({}), { classes: 10, planes: [8, 16], hidden: 64, dropout: 0.3 });
});

test('AcousticConvNet: clear errors for a wrong input shape and bad options', (t) => {
  const net = AcousticConvNet({ rng: new Generator(1) });
  t.throws(() => net.forward(Tensor.zeros([2, 1500])), { message: /\[2, 1500\].*\[1, 40, 40\]/ });
  t.throws(() => net.forward(Tensor.zeros([2, 1, 40, 39])), { message: /1560 elements per sample|\[1, 40, 40\]/ });
  t.throws(() => AcousticConvNet({ planes: [0, 4] }), { message: /planes\[0\] must be a positive integer, got 0/ });
  t.throws(() => AcousticConvNet({ dropout: 1 }), { message: /dropout must be in \[0, 1\), got 1/ });
  t.throws(() => AcousticConvNet({ classes: 2.5 }), { message: /classes must be a positive integer, got 2\.5/ });
});

// The whole net, composed as trained (ReLU, max pooling), on a tiny batch: a seeded check of the
// gradient of the input and of every parameter tensor against central finite differences (fixed
// seeds, so that no finite difference straddles a kink), Torch7 backward, parity, round trip.
testModules(test, SPEECH_ACOUSTIC_CASES);

test('AcousticConvNet in training mode (dropout): cpu and webasm backends agree on the output and every gradient', (t) => {
  checkParity(t, 'AcousticConvNet', () => {
    const net = AcousticConvNet({ rng: new Generator(6), dropoutRng: new Generator(7) });
    const x = Tensor.randn([4, 1600], new Generator(8)).requiresGrad_();
    return { output: net.forward(x), inputs: [x, ...net.parameters()] };
  }, 1e-4);
});

test('AcousticConvNet round-trips through a safetensors file', (t) => {
  const a = AcousticConvNet({ rng: new Generator(10), dropoutRng: new Generator(11) });
  const b = AcousticConvNet({ rng: new Generator(12), dropoutRng: new Generator(13) });
  const path = join(tempDir('acoustic'), 'net.safetensors');
  saveModule(path, a, { planes: '8,16' });
  t.deepEqual(loadModule(path, b), { planes: '8,16' });
  a.evaluate();
  b.evaluate();
  const x = Tensor.randn([3, 1600], new Generator(14));
  t.deepEqual(noGrad(() => b.forward(x)).toArray(), noGrad(() => a.forward(x)).toArray());
  t.throws(() => loadModule(path, AcousticConvNet({ planes: [8, 12] })));
});
