import test from 'ava';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Generator } from '@eole/core';
import { dataTest } from '@eole/core/testing';
import {
  addNoise, applyBiquads, bandLimit, biquadCoefficients, biquadResponse, changeTempo, colouredNoise, composeAugmentations, convolve, loadUtterance, mfcc, mixAtSnr, muLaw,
  muLawQuantize, pitchShift, powerSpectrum, randomEqualizer, randomGain, reverberate, shiftPitch, syntheticImpulseResponse, tempoChange, timeStretch, vocalTractWarp, warpVocalTract,
  type Augmentation, type Waveform,
} from '@eole/speech';

// ---- helpers -------------------------------------------------------------------------------------

const sine = (f: number, sr: number, n: number, amp = 0.5): Float32Array => Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * f * i) / sr));
const rmsOf = (x: ArrayLike<number>): number => Math.sqrt(Array.from(x).reduce((a, v) => a + v * v, 0) / x.length);
const db = (r: number): number => 20 * Math.log10(r);
/** A speech-like test signal: two harmonic "vowels" with a rising then falling level, plus a little noise. */
function voiceLike(sr: number, n: number, seed = 1): Float32Array {
  const rng = new Generator(seed);
  return Float32Array.from({ length: n }, (_, i) => {
    const t = i / sr;
    const env = Math.sin((Math.PI * i) / n) ** 2;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
    return 0.3 * env * v + 0.003 * rng.normal();
  });
}
/** The frequency of the largest bin of the Hann-windowed power spectrum. */
function dominant(x: Float32Array, sr: number): number {
  let nFft = 1;
  while (nFft < 4 * x.length) nFft <<= 1;
  const w = x.map((v, i) => v * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / x.length)));
  const p = powerSpectrum(w, nFft);
  let k = 0;
  for (let i = 1; i < p.length; i++) if (p[i]! > p[k]!) k = i;
  return (k * sr) / nFft;
}
/** Power in [lo, hi) Hz of x (its periodogram). */
function bandPower(x: Float32Array, sr: number, lo: number, hi: number): number {
  let nFft = 1;
  while (nFft < x.length) nFft <<= 1;
  const p = powerSpectrum(x, nFft);
  let s = 0;
  for (let k = 0; k < p.length; k++) if ((k * sr) / nFft >= lo && (k * sr) / nFft < hi) s += p[k]!;
  return s;
}
const wave = (samples: Float32Array, sampleRate = 8000): Waveform => ({ samples, sampleRate });

// ---- every augmentation: length, sample rate, seeding, no mutation ------------------------------

const ALL: Record<string, { make: () => Augmentation; random: boolean }> = {
  randomEqualizer: { make: () => randomEqualizer(), random: true },
  randomGain: { make: () => randomGain(), random: true },
  addNoise: { make: () => addNoise(), random: true },
  reverberate: { make: () => reverberate({ rt60: [0.05, 0.3] }), random: true },
  bandLimit: { make: () => bandLimit(), random: true },
  muLaw: { make: () => muLaw(), random: false },
  pitchShift: { make: () => pitchShift(), random: true },
  tempoChange: { make: () => tempoChange(), random: true },
  vocalTractWarp: { make: () => vocalTractWarp(), random: true },
  composeAugmentations: { make: () => composeAugmentations([{ augmentation: randomEqualizer(), probability: 0.7 }, { augmentation: addNoise(), probability: 0.7 }, reverberate({ rt60: 0.1 }), randomGain()]), random: true },
};

for (const [name, { make, random }] of Object.entries(ALL)) {
  test(`${name}: preserves length and sample rate, leaves its input alone, and is reproducible from a seed`, (t) => {
    const aug = make();
    for (const [sr, n] of [[8000, 1], [8000, 37], [8000, 3000], [16000, 2000], [11025, 1500]] as const) {
      const x = voiceLike(sr, n, n);
      const before = Float32Array.from(x);
      const y = aug.apply(wave(x, sr), new Generator(5));
      t.is(y.samples.length, n, `${aug.name} at ${sr} Hz, ${n} samples: length`);
      t.is(y.sampleRate, sr, 'sample rate');
      t.true(y.samples instanceof Float32Array && y.samples !== x);
      t.deepEqual(x, before, 'input unchanged');
      t.true(y.samples.every(Number.isFinite), 'finite output');
      t.deepEqual(aug.apply(wave(x, sr), new Generator(5)).samples, y.samples, 'same seed, same output');
      if (random && n >= 1000) t.notDeepEqual(aug.apply(wave(x, sr), new Generator(6)).samples, y.samples, 'another seed, another output');
    }
    t.throws(() => aug.apply(wave(new Float32Array(0)), new Generator(1)), { instanceOf: RangeError, message: /wave\.samples must hold at least 1 sample, got 0/ });
    t.throws(() => aug.apply({ samples: new Float64Array(4) as unknown as Float32Array, sampleRate: 8000 }, new Generator(1)), { instanceOf: TypeError, message: /wave\.samples must be a Float32Array/ });
    t.throws(() => aug.apply(wave(new Float32Array(4), 0), new Generator(1)), { message: /wave\.sampleRate must be a positive finite rate in Hz, got 0/ });
  });
}

// ---- what each one changes ----------------------------------------------------------------------

test('biquadCoefficients: the cookbook responses (peak gain, −3 dB corners, shelves) and a filtered sine of that amplitude', (t) => {
  const sr = 8000;
  const peak = biquadCoefficients('peaking', 1000, sr, { q: 2, gainDb: 6 });
  t.true(Math.abs(db(biquadResponse(peak, 1000, sr)) - 6) < 1e-9);
  t.true(Math.abs(db(biquadResponse(peak, 3500, sr))) < 0.5, 'peaking: ~0 dB far away');
  t.true(Math.abs(biquadResponse(biquadCoefficients('lowpass', 1000, sr), 1000, sr) - Math.SQRT1_2) < 1e-9);
  t.true(Math.abs(biquadResponse(biquadCoefficients('highpass', 1000, sr), 1000, sr) - Math.SQRT1_2) < 1e-9);
  t.true(Math.abs(db(biquadResponse(biquadCoefficients('lowshelf', 300, sr, { gainDb: -9 }), 5, sr)) + 9) < 0.05);
  t.true(Math.abs(db(biquadResponse(biquadCoefficients('highshelf', 1000, sr, { gainDb: 9 }), 3990, sr)) - 9) < 0.1);
  // a sine through the filter comes out with the predicted amplitude once settled
  const y = applyBiquads(sine(1000, sr, 8000), [peak]);
  t.true(Math.abs(rmsOf(y.subarray(4000)) / rmsOf(sine(1000, sr, 4000)) - biquadResponse(peak, 1000, sr)) < 0.01);
  t.throws(() => biquadCoefficients('peaking', 4000, sr), { instanceOf: RangeError, message: /frequency must be a number in \(0, 4000\), got 4000/ });
  t.throws(() => biquadCoefficients('notch' as 'peaking', 100, sr), { message: /kind must be one of lowpass, highpass, peaking, lowshelf, highshelf, got notch/ });
});

test('randomEqualizer: keeps the RMS, reshapes the spectrum (band powers of white noise move by several dB)', (t) => {
  const sr = 8000;
  const x = colouredNoise(16000, 'white', new Generator(1));
  const bands = [[100, 300], [300, 700], [700, 1500], [1500, 3000], [3000, 3600]] as const;
  let largest = 0;
  for (let seed = 0; seed < 4; seed++) {
    const y = randomEqualizer().apply(wave(x, sr), new Generator(seed)).samples;
    t.true(Math.abs(rmsOf(y) / rmsOf(x) - 1) < 1e-4, 'same RMS');
    const changes = bands.map(([lo, hi]) => 10 * Math.log10(bandPower(y, sr, lo, hi) / bandPower(x, sr, lo, hi)));
    largest = Math.max(largest, Math.max(...changes) - Math.min(...changes));
  }
  t.true(largest > 6, `band powers moved by at most ${largest.toFixed(2)} dB relative to each other`);
  // no bands and no shelf gain: the identity
  const flat = randomEqualizer({ bands: 0, shelfGainDb: 0 }).apply(wave(x, sr), new Generator(1)).samples;
  t.true(x.every((v, i) => Math.abs(v - flat[i]!) < 1e-5));
});

test('randomGain: multiplies by 10^(g/20) with g in the range', (t) => {
  const x = voiceLike(8000, 4000);
  const y = randomGain({ gainDb: 6 }).apply(wave(x), new Generator(1)).samples;
  t.true(Math.abs(db(rmsOf(y) / rmsOf(x)) - 6) < 1e-4);
  for (let seed = 0; seed < 20; seed++) {
    const g = db(rmsOf(randomGain({ gainDb: [-3, 9] }).apply(wave(x), new Generator(seed)).samples) / rmsOf(x));
    t.true(g >= -3 - 1e-4 && g <= 9 + 1e-4, `gain ${g} dB`);
  }
});

test('colouredNoise: unit RMS; white has power ∝ bandwidth, pink about equal power per octave', (t) => {
  const sr = 8000;
  const white = colouredNoise(65536, 'white', new Generator(1));
  const pink = colouredNoise(65536, 'pink', new Generator(1));
  t.true(Math.abs(rmsOf(white) - 1) < 0.02 && Math.abs(rmsOf(pink) - 1) < 1e-5);
  const octaves = [[125, 250], [250, 500], [500, 1000], [1000, 2000], [2000, 4000]] as const;
  const w = octaves.map(([lo, hi]) => bandPower(white, sr, lo, hi));
  const p = octaves.map(([lo, hi]) => bandPower(pink, sr, lo, hi));
  for (let i = 1; i < octaves.length; i++) {
    t.true(Math.abs(w[i]! / w[i - 1]! - 2) < 0.3, `white octave ${i}: ratio ${w[i]! / w[i - 1]!}`);
    t.true(Math.abs(p[i]! / p[i - 1]! - 1) < 0.2, `pink octave ${i}: ratio ${p[i]! / p[i - 1]!}`);
  }
  t.throws(() => colouredNoise(10, 'brown' as 'pink', new Generator(1)), { message: /colour must be one of white, pink, got brown/ });
});

test('mixAtSnr and addNoise: the added noise has the SNR asked for', (t) => {
  const x = voiceLike(8000, 8000);
  const n = colouredNoise(8000, 'pink', new Generator(2));
  for (const snr of [0, 10, 25]) {
    const y = mixAtSnr(x, n, snr);
    t.true(Math.abs(db(rmsOf(x) / rmsOf(y.map((v, i) => v - x[i]!))) - snr) < 0.01, `snr ${snr}`);
  }
  for (let seed = 0; seed < 10; seed++) {
    const y = addNoise({ snrDb: [5, 15] }).apply(wave(x), new Generator(seed)).samples;
    const snr = db(rmsOf(x) / rmsOf(y.map((v, i) => v - x[i]!)));
    t.true(snr > 5 - 0.01 && snr < 15 + 0.01, `snr ${snr}`);
  }
  t.deepEqual(mixAtSnr(new Float32Array(4), n, 10), new Float32Array(4), 'silence stays silent');
  t.throws(() => mixAtSnr(x, new Float32Array(3), 10), { message: /noise must hold at least signal\.length = 8000 samples, got 3/ });
  t.throws(() => addNoise({ snrDb: [20, 5] }), { instanceOf: RangeError, message: /options\.snrDb must be a range \[low, high\] with low <= high, got \[20, 5\]/ });
  t.throws(() => addNoise({ colours: [] }), { message: /options\.colours must be a non-empty list of white, pink, got \[\]/ });
});

test('syntheticImpulseResponse and reverberate: RT60 decay, direct-to-reverberant ratio, a click gets a tail', (t) => {
  const sr = 8000;
  const h = syntheticImpulseResponse(0.4, sr, 3, new Generator(1));
  t.is(h.length, 3200);
  t.is(h[0], 1);
  const tail = h.subarray(1).reduce((a, v) => a + v * v, 0);
  t.true(Math.abs(10 * Math.log10(1 / tail) - 3) < 1e-4, 'direct-to-reverberant ratio 3 dB');
  // energy falls 60 dB per RT60: segments 0.4·RT60 apart differ by 24 dB
  const energy = (a: number, b: number) => h.subarray(Math.round(a * 3200), Math.round(b * 3200)).reduce((s, v) => s + v * v, 0);
  t.true(Math.abs(10 * Math.log10(energy(0.1, 0.2) / energy(0.5, 0.6)) - 24) < 2, `${10 * Math.log10(energy(0.1, 0.2) / energy(0.5, 0.6))} dB`);
  // convolution against a direct loop
  const x = voiceLike(sr, 300);
  const direct = Float32Array.from({ length: 300 }, (_, i) => { let s = 0; for (let k = 0; k <= i; k++) s += h[k]! * x[i - k]!; return s; });
  const fast = convolve(x, h);
  t.true(direct.every((v, i) => Math.abs(v - fast[i]!) < 1e-4));
  // a click in the middle of silence: reverberated, energy follows it
  const click = new Float32Array(4000);
  click[1000] = 1;
  const y = reverberate({ rt60: 0.3, drrDb: 0 }).apply(wave(click, sr), new Generator(3)).samples;
  t.true(Math.abs(rmsOf(y) / rmsOf(click) - 1) < 1e-4, 'RMS kept');
  t.true(y.subarray(0, 1000).every((v) => Math.abs(v) < 1e-6), 'causal');
  t.true(rmsOf(y.subarray(1100, 2000)) > 0.05 * rmsOf(y), 'a tail after the click');
  t.throws(() => reverberate({ rt60: 0 }), { message: /options\.rt60 must be a number in \(0, 10\], got 0/ });
});

test('bandLimit: the telephone band keeps 1 kHz and removes 100 Hz and 6 kHz', (t) => {
  const sr = 16000;
  const tele = bandLimit({ low: 300, high: 3400 });
  const gain = (f: number) => db(rmsOf(tele.apply(wave(sine(f, sr, 16000), sr), new Generator(1)).samples.subarray(8000)) / rmsOf(sine(f, sr, 8000)));
  t.true(Math.abs(gain(1000)) < 0.5, `1 kHz: ${gain(1000)} dB`);
  t.true(gain(100) < -30, `100 Hz: ${gain(100)} dB`);
  t.true(gain(6000) < -20, `6 kHz: ${gain(6000)} dB`);
  t.true(Math.abs(gain(300) + 3) < 0.5 && Math.abs(gain(3400) + 3) < 0.5, 'the −3 dB edges');
  t.throws(() => bandLimit({ low: 3000, high: 2000 }), { message: /options\.low must lie below options\.high, got low 3000 Hz and high 2000 Hz/ });
});

test('muLawQuantize: at most 2^bits levels, about 38 dB SNR at 8 bits, coarser at 4', (t) => {
  const x = voiceLike(8000, 8000);
  const err = (y: Float32Array) => db(rmsOf(x) / rmsOf(y.map((v, i) => v - x[i]!)));
  const y8 = muLawQuantize(x);
  const y4 = muLawQuantize(x, 4);
  t.true(new Set(y8).size <= 256 && new Set(y8).size > 64, `${new Set(y8).size} levels`);
  t.true(new Set(y4).size <= 16);
  t.true(err(y8) > 30 && err(y8) < 45, `8 bits: ${err(y8)} dB`);
  t.true(err(y4) < err(y8) - 15, `4 bits: ${err(y4)} dB`);
  t.deepEqual(muLawQuantize(new Float32Array(3)), new Float32Array(3));
  t.deepEqual(muLaw().apply(wave(x), new Generator(1)).samples, y8);
  t.throws(() => muLaw({ bits: 0 }), { message: /bits must be an integer >= 1, got 0/ });
});

test('timeStretch (WSOLA): rate 1 is the identity; other rates change the length, not the pitch', (t) => {
  const sr = 8000;
  const x = voiceLike(sr, 6000);
  const same = timeStretch(x, sr, 1);
  t.true(same.every((v, i) => Math.abs(v - x[i]!) < 1e-5), 'rate 1: the input');
  const tone = sine(440, sr, 8000);
  for (const rate of [0.8, 1.25]) {
    const y = timeStretch(tone, sr, rate);
    t.is(y.length, Math.round(8000 / rate));
    t.true(Math.abs(dominant(y.subarray(400, y.length - 400), sr) - 440) < 3, `rate ${rate}: ${dominant(y, sr)} Hz`);
    t.true(Math.abs(rmsOf(y.subarray(400, y.length - 400)) / rmsOf(tone) - 1) < 0.05, 'level kept');
  }
  t.throws(() => timeStretch(x, sr, 0), { message: /rate must be a number in \[0\.1, 10\], got 0/ });
});

test('shiftPitch and pitchShift: +12 semitones doubles the frequency, same length', (t) => {
  const sr = 8000;
  const tone = sine(300, sr, 8000);
  const up = shiftPitch(tone, sr, 12);
  t.is(up.length, 8000);
  t.true(Math.abs(dominant(up.subarray(500, 7500), sr) - 600) < 4, `${dominant(up, sr)} Hz`);
  const down = shiftPitch(tone, sr, -5);
  t.true(Math.abs(dominant(down.subarray(500, 7500), sr) - 300 * 2 ** (-5 / 12)) < 4, `${dominant(down, sr)} Hz`);
  t.deepEqual(shiftPitch(tone, sr, 0), tone);
  for (let seed = 0; seed < 5; seed++) {
    const f = dominant(pitchShift({ semitones: [-2, 2] }).apply(wave(tone, sr), new Generator(seed)).samples.subarray(500, 7500), sr);
    t.true(f > 300 * 2 ** (-2 / 12) - 4 && f < 300 * 2 ** (2 / 12) + 4, `${f} Hz`);
  }
});

test('changeTempo and tempoChange: a tone burst lasts 1/rate as long, at the same pitch, in the same frame', (t) => {
  const sr = 8000;
  const burst = new Float32Array(16000);
  burst.set(sine(500, sr, 8000), 4000);
  const duration = (y: Float32Array) => {
    let count = 0;
    for (let i = 0; i + 80 <= y.length; i += 80) if (rmsOf(y.subarray(i, i + 80)) > 0.1) count += 80;
    return count;
  };
  for (const rate of [0.8, 1.25]) {
    const y = changeTempo(burst, sr, rate);
    t.is(y.length, 16000);
    t.true(Math.abs(duration(y) - 8000 / rate) <= 240, `rate ${rate}: ${duration(y)} samples of tone`);
    t.true(Math.abs(dominant(y, sr) - 500) < 3);
  }
  t.deepEqual(changeTempo(burst, sr, 1), burst);
  t.throws(() => tempoChange({ rate: [1.2, 0.8] }), { message: /options\.rate must be a range \[low, high\] with low <= high, got \[1\.2, 0\.8\]/ });
});

test('warpVocalTract and vocalTractWarp: α = 1 is the identity; α moves frequencies to α·f below the knee', (t) => {
  const sr = 8000;
  const x = voiceLike(sr, 6000);
  const same = warpVocalTract(x, sr, 1);
  t.true(same.every((v, i) => Math.abs(v - x[i]!) < 1e-4), 'α = 1 reproduces the input');
  const tone = sine(1000, sr, 8000);
  for (const alpha of [0.9, 1.1]) {
    const y = warpVocalTract(tone, sr, alpha);
    t.is(y.length, 8000);
    t.true(Math.abs(dominant(y.subarray(500, 7500), sr) - 1000 * alpha) < 4, `α ${alpha}: ${dominant(y, sr)} Hz`);
  }
  // on a harmonic voice the spectral centroid moves by about α
  const centroid = (y: Float32Array) => {
    const p = powerSpectrum(y.subarray(1000, 5096), 4096);
    let s = 0, w = 0;
    for (let k = 0; k < p.length; k++) (s += k * p[k]!), (w += p[k]!);
    return ((s / w) * sr) / 4096;
  };
  const ratio = centroid(warpVocalTract(x, sr, 1.15)) / centroid(x);
  t.true(ratio > 1.08 && ratio < 1.2, `centroid ratio ${ratio}`);
  t.throws(() => vocalTractWarp({ alpha: 3 }), { message: /options\.alpha must be a number in \[0\.5, 2\], got 3/ });
});

test('composeAugmentations: each step applied with its probability; p = 0 is a copy, p = 1 always applies', (t) => {
  const x = voiceLike(8000, 2000);
  const never = composeAugmentations([{ augmentation: randomGain({ gainDb: 6 }), probability: 0 }]).apply(wave(x), new Generator(1));
  t.deepEqual(never.samples, x);
  t.not(never.samples, x);
  const always = composeAugmentations([randomGain({ gainDb: 6 })]).apply(wave(x), new Generator(1)).samples;
  t.true(Math.abs(db(rmsOf(always) / rmsOf(x)) - 6) < 1e-4);
  let applied = 0;
  const some = composeAugmentations([{ augmentation: randomGain({ gainDb: 6 }), probability: 0.3 }]);
  for (let seed = 0; seed < 1000; seed++) applied += Number(some.apply(wave(x.subarray(0, 10)), new Generator(seed)).samples[5] !== x[5]);
  t.true(Math.abs(applied / 1000 - 0.3) < 0.05, `applied ${applied} times in 1000`);
  const rogue: Augmentation = { name: 'rogue', apply: (w) => ({ samples: w.samples.subarray(1), sampleRate: w.sampleRate }) };
  t.throws(() => composeAugmentations([rogue]).apply(wave(x), new Generator(1)), { message: /rogue changed 2000 samples at 8000 Hz into 1999 at 8000 Hz/ });
  t.throws(() => composeAugmentations([{ augmentation: randomGain(), probability: 1.5 }]), { message: /steps\[0\]\.probability must be a number in \[0, 1\], got 1\.5/ });
  t.regex(composeAugmentations([{ augmentation: randomGain(), probability: 0.5 }, muLaw()]).name, /^compose\(0\.5×randomGain\(-10\.\.10 dB\), muLaw\(8 bits, μ=255\)\)$/);
});

dataTest(test, 'augmentations on real FSDD recordings: same length and rate, different MFCCs, digit-keeping pipeline runs', ['fsdd', 'recordings'], (t, dir) => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.wav')).sort().slice(0, 3);
  const channel = composeAugmentations([
    { augmentation: randomEqualizer(), probability: 0.8 },
    { augmentation: reverberate(), probability: 0.5 },
    { augmentation: bandLimit(), probability: 0.3 },
    { augmentation: addNoise({ snrDb: [10, 30] }), probability: 0.5 },
    randomGain({ gainDb: [-6, 6] }),
  ]);
  const voice = composeAugmentations([vocalTractWarp(), { augmentation: pitchShift({ semitones: [-1, 1] }), probability: 0.5 }, { augmentation: tempoChange(), probability: 0.5 }]);
  for (const f of files) {
    const x = loadUtterance(join(dir, f), 8000);
    for (const aug of [channel, voice]) {
      const y = aug.apply(wave(x), new Generator(11)).samples;
      t.is(y.length, x.length);
      const a = mfcc(x, 8000), b = mfcc(y, 8000);
      t.deepEqual(a.shape, b.shape);
      t.notDeepEqual(Array.from(a.data), Array.from(b.data));
    }
  }
});
