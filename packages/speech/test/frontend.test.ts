import test from 'ava';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor } from '@eole/core';
import { cmvn, dct2, decodeWav, deltas, frames, hamming, melCentres, melFilterbank, melScale, melToHz, mfcc, powerSpectrum, vtlnWarp } from '@eole/speech';
import { dataPath, missing } from '@eole/core/testing';

// ---- a WAV writer built here, independent of the decoder ----------------------------------------

/** Writes a WAV file; `chans` are per-channel values in [-1, 1]. */
function encodeWav(chans: number[][], sr: number, bits: number, format = 1, extra: Uint8Array | null = null, extensible = false): Uint8Array {
  const C = chans.length, n = chans[0]!.length, bps = bits / 8;
  const dataLen = n * C * bps;
  const fmtLen = extensible ? 40 : 16;
  const extraLen = extra ? 8 + extra.length + (extra.length & 1) : 0; // RIFF pads odd chunks to even
  const buf = new Uint8Array(12 + 8 + fmtLen + extraLen + 8 + dataLen);
  const v = new DataView(buf.buffer);
  const str = (o: number, s: string) => { for (let i = 0; i < 4; i++) buf[o + i] = s.charCodeAt(i); };
  str(0, 'RIFF'); v.setUint32(4, buf.length - 8, true); str(8, 'WAVE');
  let o = 12;
  str(o, 'fmt '); v.setUint32(o + 4, fmtLen, true);
  v.setUint16(o + 8, extensible ? 0xfffe : format, true); v.setUint16(o + 10, C, true); v.setUint32(o + 12, sr, true);
  v.setUint32(o + 16, sr * C * bps, true); v.setUint16(o + 20, C * bps, true); v.setUint16(o + 22, bits, true);
  if (extensible) { v.setUint16(o + 24, 22, true); v.setUint16(o + 26, bits, true); v.setUint16(o + 32, format, true); }
  o += 8 + fmtLen;
  if (extra) { str(o, 'LIST'); v.setUint32(o + 4, extra.length, true); buf.set(extra, o + 8); o += extraLen; }
  str(o, 'data'); v.setUint32(o + 4, dataLen, true); o += 8;
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) {
    const x = chans[c]![i]!;
    if (format === 3) v.setFloat32(o, x, true);
    else if (bits === 8) v.setUint8(o, Math.min(255, Math.round(x * 128) + 128));
    else if (bits === 16) v.setInt16(o, Math.round(x * 32767), true);
    else if (bits === 24) { const q = Math.round(x * 8388607); v.setUint8(o, q & 255); v.setUint8(o + 1, (q >> 8) & 255); v.setUint8(o + 2, (q >> 16) & 255); }
    else v.setInt32(o, Math.round(x * 2147483647), true);
    o += bps;
  }
  return buf;
}

const wave = Array.from({ length: 100 }, (_, i) => 0.9 * Math.sin(i / 3));

for (const [bits, format, tol] of [[8, 1, 1 / 200], [16, 1, 1e-4], [24, 1, 1e-6], [32, 1, 1e-6], [32, 3, 1e-7]] as const) {
  test(`WAV round trip: ${format === 3 ? 'float' : 'PCM'} ${bits}-bit mono, with an unknown chunk`, (t) => {
    const w = decodeWav(encodeWav([wave], 22050, bits, format, new Uint8Array([1, 2, 3])));
    t.is(w.sampleRate, 22050);
    t.is(w.channels, 1);
    t.is(w.samples.length, 100);
    for (let i = 0; i < 100; i++) t.true(Math.abs(w.samples[i]! - wave[i]!) < tol, `sample ${i}: ${w.samples[i]} vs ${wave[i]}`);
  });
}

test('WAV: stereo is mixed to mono; WAVE_FORMAT_EXTENSIBLE 16-bit and float', (t) => {
  const other = wave.map((x) => -0.5 * x + 0.1);
  for (const [bits, format] of [[16, 1], [32, 3]] as const) {
    const w = decodeWav(encodeWav([wave, other], 8000, bits, format, null, true));
    t.is(w.channels, 2);
    t.is(w.sampleRate, 8000);
    for (let i = 0; i < 100; i++) t.true(Math.abs(w.samples[i]! - (wave[i]! + other[i]!) / 2) < 1e-4);
  }
});

test('WAV: clear errors for truncated, compressed and bad headers', (t) => {
  const good = encodeWav([wave], 16000, 16);
  t.throws(() => decodeWav(good.subarray(0, good.length - 10)), { message: /truncated/ });
  t.throws(() => decodeWav(good.subarray(0, 8)), { message: /too short/ });
  t.throws(() => decodeWav(encodeWav([wave], 16000, 16, 2)), { message: /format tag 2/ });
  const bad = good.slice(); bad[0] = 'X'.charCodeAt(0);
  t.throws(() => decodeWav(bad), { message: /RIFF/ });
  const noWave = good.slice(); noWave[8] = 'X'.charCodeAt(0);
  t.throws(() => decodeWav(noWave), { message: /WAVE/ });
  t.throws(() => decodeWav(good.subarray(0, 30)), { message: /truncated/ });
});

test('1 kHz tone at 16 kHz: FFT peak at bin 32 of 512, largest mel band is the one centred nearest 1 kHz', (t) => {
  const sr = 16000, nFft = 512;
  const x = Array.from({ length: nFft }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / sr));
  const p = powerSpectrum(x, nFft);
  t.is(p.length, 257);
  t.is(p.indexOf(Math.max(...p)), 32);
  t.true(Math.abs(p[32]! - (nFft / 2) ** 2) < 1e-6 * (nFft / 2) ** 2); // |X| = N/2 for a bin-centred sine
  const fb = melFilterbank(40, nFft, sr);
  const e = Array.from({ length: 40 }, (_, m) => p.reduce((s, v, k) => s + v * fb[m * 257 + k]!, 0));
  const best = e.indexOf(Math.max(...e));
  const c = melCentres(40, sr);
  const nearest = c.reduce((bi, f, i) => (Math.abs(f - 1000) < Math.abs(c[bi]! - 1000) ? i : bi), 0);
  t.is(best, nearest);
});

test('vtlnWarp: α·f below the knee, continuous, monotone, Nyquist fixed; α = 1 is the identity', (t) => {
  const N = 4000;
  for (const alpha of [0.85, 0.9, 1, 1.1, 1.2]) {
    const knee = (0.85 * N * Math.min(alpha, 1)) / alpha;
    t.true(Math.abs(vtlnWarp(1000, alpha, N) - alpha * 1000) < 1e-9, `α·f at 1 kHz, α=${alpha}`);
    t.true(Math.abs(vtlnWarp(knee, alpha, N) - vtlnWarp(knee + 1e-6, alpha, N)) < 1e-4, `continuous at the knee, α=${alpha}`);
    t.true(Math.abs(vtlnWarp(N, alpha, N) - N) < 1e-9, `Nyquist fixed, α=${alpha}`);
    t.is(vtlnWarp(0, alpha, N), 0);
    let last = -1;
    for (let f = 0; f <= N; f += 10) {
      const w = vtlnWarp(f, alpha, N);
      t.true(w > last && w <= N + 1e-9);
      last = w;
    }
  }
  t.throws(() => vtlnWarp(100, 0, N), { message: /alpha/ });
  t.throws(() => vtlnWarp(100, 1.1, N, N), { message: /cutoff/ });
});

test('a filterbank warped by α hears a tone at f/α where the plain one hears it at f', (t) => {
  const sr = 8000, nFft = 512, alpha = 1.1;
  const plain = melFilterbank(40, nFft, sr);
  const warped = melFilterbank(40, nFft, sr, 0, sr / 2, alpha);
  t.deepEqual(melFilterbank(40, nFft, sr, 0, sr / 2, 1), plain);
  // bin 64 is 1 kHz; under the warp, the bin that lands there is the one at 1 kHz/α (bin 64/α ≈ 58.2)
  const bands = (fb: Float64Array, k: number): number[] => Array.from({ length: 40 }, (_, m) => fb[m * 257 + k]!);
  const target = bands(plain, 64);
  const best = [55, 56, 57, 58, 59, 60, 61].map((k) => ({ k, d: bands(warped, k).reduce((s, v, m) => s + Math.abs(v - target[m]!), 0) })).sort((a, b) => a.d - b.d)[0]!;
  t.true(best.k === 58, `closest warped bin ${best.k}`);
  t.throws(() => melFilterbank(40, nFft, sr, 0, sr / 2, -1), { message: /warp/ });
});

test('FFT power spectrum matches a direct DFT', (t) => {
  const x = Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7) + 0.3 * Math.sin(i * i * 0.01));
  const p = powerSpectrum(x, 64);
  for (let k = 0; k <= 32; k++) {
    let re = 0, im = 0;
    for (let n = 0; n < 64; n++) { re += x[n]! * Math.cos((2 * Math.PI * k * n) / 64); im -= x[n]! * Math.sin((2 * Math.PI * k * n) / 64); }
    t.true(Math.abs(p[k]! - (re * re + im * im)) < 1e-9);
  }
  t.throws(() => powerSpectrum(x, 60), { message: /power of two/ });
});

test('mel scale values and inverse', (t) => {
  t.true(Math.abs(melScale(1000) - 1000) < 0.1); // 2595·log10(1 + 1000/700) = 999.99
  t.true(Math.abs(melScale(0)) < 1e-12);
  t.true(Math.abs(melScale(700) - 2595 * Math.log10(2)) < 1e-9);
  for (const f of [0, 123, 1000, 4000, 8000]) t.true(Math.abs(melToHz(melScale(f)) - f) < 1e-6);
});

test('DCT-II matches the direct orthonormal formula', (t) => {
  const x = [3, -1, 4, 1, -5, 9, 2, -6];
  const X = dct2(x, 8);
  for (let k = 0; k < 8; k++) {
    let s = 0;
    for (let n = 0; n < 8; n++) s += x[n]! * Math.cos((Math.PI / 8) * (n + 0.5) * k);
    t.true(Math.abs(X[k]! - s * Math.sqrt((k === 0 ? 1 : 2) / 8)) < 1e-12);
  }
  // orthonormal: energy is preserved
  t.true(Math.abs(X.reduce((s, v) => s + v * v, 0) - x.reduce((s, v) => s + v * v, 0)) < 1e-9);
});

test('frames and hamming', (t) => {
  const f = frames(new Float32Array(1000), 16000);
  t.is(f.length, Math.floor((1000 - 400) / 160) + 1);
  t.is(f[0]!.length, 400);
  const w = hamming(5);
  t.true(Math.abs(w[0]! - 0.08) < 1e-12 && Math.abs(w[2]! - 1) < 1e-12 && Math.abs(w[4]! - 0.08) < 1e-12);
});

/** MFCC straight from the formulas, float64, naive DFT, no code from the package. */
function mfccOracle(x: number[], sr: number, nMels: number, nCoeffs: number): number[][] {
  const y = x.map((v, i) => v - (i > 0 ? 0.97 * x[i - 1]! : 0));
  const win = Math.round(0.025 * sr), hop = Math.round(0.01 * sr);
  let nFft = 1; while (nFft < win) nFft *= 2;
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const imel = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const pts = Array.from({ length: nMels + 2 }, (_, i) => imel((mel(sr / 2) * i) / (nMels + 1)));
  const out: number[][] = [];
  for (let s = 0; s + win <= y.length; s += hop) {
    const fr = Array.from({ length: win }, (_, n) => y[s + n]! * (0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (win - 1))));
    const P: number[] = [];
    for (let k = 0; k <= nFft / 2; k++) {
      let re = 0, im = 0;
      for (let n = 0; n < win; n++) { re += fr[n]! * Math.cos((2 * Math.PI * k * n) / nFft); im -= fr[n]! * Math.sin((2 * Math.PI * k * n) / nFft); }
      P.push(re * re + im * im);
    }
    const logE = Array.from({ length: nMels }, (_, m) => {
      let e = 0;
      P.forEach((p, k) => {
        const f = (k * sr) / nFft, [l, c, r] = [pts[m]!, pts[m + 1]!, pts[m + 2]!];
        e += p * (f > l && f <= c ? (f - l) / (c - l) : f > c && f < r ? (r - f) / (r - c) : 0);
      });
      return Math.log(e + 1e-10);
    });
    out.push(Array.from({ length: nCoeffs }, (_, k) =>
      Math.sqrt((k === 0 ? 1 : 2) / nMels) * logE.reduce((a, v, j) => a + v * Math.cos((Math.PI * k * (j + 0.5)) / nMels), 0)));
  }
  return out;
}

test('MFCC of a known signal matches an independent float64 implementation of the formulas', (t) => {
  const sr = 8000;
  const x = Array.from({ length: 800 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / sr) + 0.2 * Math.sin((2 * Math.PI * 1500 * i) / sr) + 0.05 * Math.cos(i * i * 0.001));
  const got = mfcc(Float32Array.from(x), sr, { nMels: 26, nCoeffs: 13 });
  const want = mfccOracle(Array.from(Float32Array.from(x)), sr, 26, 13);
  t.deepEqual(got.shape, [want.length, 13]);
  t.is(want.length, 8);
  let worst = 0;
  want.forEach((row, i) => row.forEach((v, k) => { worst = Math.max(worst, Math.abs(got.data[i * 13 + k]! - v) / (1 + Math.abs(v))); }));
  t.true(worst < 1e-3, `worst relative error ${worst}`);
  const def = mfcc(Float32Array.from(x), sr);
  t.deepEqual(def.shape, [8, 40]);
});

test('deltas of a linear ramp are constant (away from the edges); delta-deltas are zero', (t) => {
  const T = 10, D = 3;
  const f = Tensor.from(Array.from({ length: T * D }, (_, i) => Math.floor(i / D) * (1 + (i % D))), [T, D]);
  const d = deltas(f, 2);
  for (let tt = 2; tt < T - 2; tt++) for (let k = 0; k < D; k++) t.true(Math.abs(d.data[tt * D + k]! - (1 + k)) < 1e-6);
  const dd = deltas(d, 2);
  for (let tt = 4; tt < T - 4; tt++) for (let k = 0; k < D; k++) t.true(Math.abs(dd.data[tt * D + k]!) < 1e-6);
});

test('cmvn gives zero mean and unit variance per dimension', (t) => {
  const T = 50, D = 4;
  const f = Tensor.from(Array.from({ length: T * D }, (_, i) => Math.sin(i * 1.3) * (i % D + 1) + 5 * (i % D)), [T, D]);
  const y = cmvn(f);
  for (let k = 0; k < D; k++) {
    let m = 0, v = 0;
    for (let tt = 0; tt < T; tt++) m += y.data[tt * D + k]!;
    m /= T;
    for (let tt = 0; tt < T; tt++) v += (y.data[tt * D + k]! - m) ** 2;
    t.true(Math.abs(m) < 1e-5);
    t.true(Math.abs(v / T - 1) < 1e-4);
  }
});

test('real data: decode one FSDD recording (8 kHz)', (t) => {
  const dir = dataPath('fsdd', 'recordings');
  if (dir === null) { t.log(missing('fsdd/recordings')); t.pass(); return; }
  const file = readdirSync(dir).find((f) => f.endsWith('.wav'));
  if (file === undefined) { t.log(missing('a .wav file in fsdd/recordings')); t.pass(); return; }
  const w = decodeWav(readFileSync(join(dir, file)));
  t.is(w.sampleRate, 8000);
  t.true(w.samples.length > 0);
  t.true(w.samples.every((s) => s >= -1 && s <= 1));
});
