import test from 'ava';
import { resample } from '@eole/speech';

const tone = (n: number, sr: number, hz: number, amp = 0.5, phase = 0.3): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / sr + phase));

/**
 * Least-squares fit of a·sin + b·cos at `hz` over the middle half of `y` (away from the edges, where
 * the filter sees zeros): the amplitude √(a² + b²), and the RMS of what the fit leaves over.
 */
function fitTone(y: Float32Array, sr: number, hz: number): { amplitude: number; residual: number } {
  const lo = Math.floor(y.length / 4), hi = Math.floor((3 * y.length) / 4);
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = lo; i < hi; i++) {
    const s = Math.sin((2 * Math.PI * hz * i) / sr), c = Math.cos((2 * Math.PI * hz * i) / sr);
    ss += s * s; cc += c * c; sc += s * c; ys += y[i]! * s; yc += y[i]! * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  let r = 0;
  for (let i = lo; i < hi; i++) r += (y[i]! - a * Math.sin((2 * Math.PI * hz * i) / sr) - b * Math.cos((2 * Math.PI * hz * i) / sr)) ** 2;
  return { amplitude: Math.hypot(a, b), residual: Math.sqrt(r / (hi - lo)) };
}

const rms = (y: Float32Array): number => {
  const lo = Math.floor(y.length / 4), hi = Math.floor((3 * y.length) / 4);
  let s = 0;
  for (let i = lo; i < hi; i++) s += y[i]! ** 2;
  return Math.sqrt(s / (hi - lo));
};

for (const [from, to, hz] of [[16000, 8000, 1000], [44100, 8000, 3000], [8000, 44100, 440], [8000, 8800, 3000], [8000, 7999.5, 2000], [22050, 16000, 6000]] as const) {
  test(`resample ${from} → ${to} Hz: a ${hz} Hz tone keeps its frequency and amplitude (within 1%)`, (t) => {
    const x = tone(Math.round(from * 0.25), from, hz);
    const y = resample(x, from, to);
    t.is(y.length, Math.round((x.length * to) / from));
    const fit = fitTone(y, to, hz);
    t.true(Math.abs(fit.amplitude - 0.5) < 0.005, `amplitude ${fit.amplitude}`);
    t.true(fit.residual < 0.005, `residual ${fit.residual} after fitting ${hz} Hz: the tone moved or is distorted`);
  });
}

for (const [from, to, hz] of [[16000, 8000, 5000], [16000, 8000, 7000], [44100, 8000, 6000], [8000, 7200, 3900]] as const) {
  test(`resample ${from} → ${to} Hz: a ${hz} Hz tone above the new Nyquist frequency is attenuated by more than 40 dB (no aliasing)`, (t) => {
    const y = resample(tone(Math.round(from * 0.25), from, hz), from, to);
    const db = 20 * Math.log10(rms(y) / (0.5 / Math.SQRT2));
    t.true(db < -40, `attenuation only ${(-db).toFixed(1)} dB`);
  });
}

test('resample: equal rates give an identical copy; lengths round n·to/from; a DC signal stays DC', (t) => {
  const x = tone(101, 8000, 700);
  const y = resample(x, 8000, 8000);
  t.deepEqual(Array.from(y), Array.from(x));
  t.not(y, x);
  for (const [n, from, to] of [[101, 8000, 16000], [101, 16000, 8000], [1000, 44100, 8000], [7, 3, 2], [0, 8000, 16000]] as const) {
    t.is(resample(new Float32Array(n), from, to).length, Math.round((n * to) / from));
  }
  const dc = resample(new Float32Array(4000).fill(0.25), 16000, 11025);
  for (let i = 500; i < dc.length - 500; i++) t.true(Math.abs(dc[i]! - 0.25) < 1e-4);
});

test('resample: clear errors for bad rates and options', (t) => {
  const x = new Float32Array(10);
  t.throws(() => resample(x, 0, 8000), { message: /fromRate must be a positive finite sample rate in Hz, got 0/ });
  t.throws(() => resample(x, 8000, -1), { message: /toRate must be a positive finite sample rate in Hz, got -1/ });
  t.throws(() => resample(x, Number.NaN, 8000), { message: /fromRate .* got NaN/ });
  t.throws(() => resample(x, 8000, Infinity), { message: /toRate .* got Infinity/ });
  t.throws(() => resample(x, 8000, 16000, { rolloff: 1.5 }), { message: /rolloff must be in \(0, 1\]/ });
  t.throws(() => resample(x, 8000, 16000, { zeroCrossings: 0 }), { message: /zeroCrossings must be a positive integer/ });
});
