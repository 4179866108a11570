import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeWav, loadUtterance, resample, WAV_LIMITS, type DecodedWav } from '@eole/speech';
import { fuzz, tempDir, type FuzzField, type FuzzMutator } from '@eole/core/testing';

// Seeded mutation fuzzing of the WAV readers (issue 13): every mutant of a valid file is either a
// valid decoding or an Error naming the field (decodeWav) or the file (loadUtterance), within
// TIME_MS and MEMORY_BYTES per read. Then one regression test per hostile header the fuzzer found.

/** What one read may take. */
const TIME_MS = 2000;
const MEMORY_BYTES = 64 * 2 ** 20;

/** A canonical 44-byte-header WAV, written here independently of the decoder: PCM16 or float32, channels interleaved. */
function wav(chans: ArrayLike<number>[], sr: number, float = false): Uint8Array {
  const C = chans.length, n = chans[0]!.length, bps = float ? 4 : 2;
  const buf = new Uint8Array(44 + n * C * bps);
  const v = new DataView(buf.buffer);
  const str = (o: number, s: string): void => { for (let i = 0; i < 4; i++) buf[o + i] = s.charCodeAt(i); };
  str(0, 'RIFF'); v.setUint32(4, buf.length - 8, true); str(8, 'WAVE'); str(12, 'fmt ');
  v.setUint32(16, 16, true); v.setUint16(20, float ? 3 : 1, true); v.setUint16(22, C, true); v.setUint32(24, sr, true);
  v.setUint32(28, sr * C * bps, true); v.setUint16(32, C * bps, true); v.setUint16(34, 8 * bps, true);
  str(36, 'data'); v.setUint32(40, n * C * bps, true);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) {
    const o = 44 + (i * C + c) * bps, x = chans[c]![i]!;
    if (float) v.setFloat32(o, x, true); else v.setInt16(o, Math.round(x * 32767), true);
  }
  return buf;
}

const tone = (n: number, phase: number): number[] => Array.from({ length: n }, (_, i) => 0.5 * Math.sin(i / 3 + phase));

/** The header fields of the canonical layout, set to extreme values by the fuzzer. */
const FIELDS: FuzzField[] = [
  { name: 'RIFF size', offset: 4, width: 4 },
  { name: 'fmt size', offset: 16, width: 4 },
  { name: 'format tag', offset: 20, width: 2 },
  { name: 'channels', offset: 22, width: 2 },
  { name: 'sample rate', offset: 24, width: 4 },
  { name: 'byte rate', offset: 28, width: 4 },
  { name: 'block align', offset: 32, width: 2 },
  { name: 'bits per sample', offset: 34, width: 2 },
  { name: 'data size', offset: 40, width: 4 },
];

/** Float mutants: one sample set to NaN, ±Infinity or a huge finite value. */
const nonFinite: FuzzMutator = (bytes, rng) => {
  const values = [NaN, Infinity, -Infinity, 3.4e38, -3.4e38];
  const value = values[rng.int(values.length)]!;
  const at = 44 + 4 * rng.int(Math.max(1, (bytes.length - 44) >> 2));
  if (at + 4 <= bytes.length) new DataView(bytes.buffer, bytes.byteOffset).setFloat32(at, value, true);
  return { bytes, description: `float at byte ${at} = ${value}` };
};

/** A valid decoding: a plausible header and finite samples. */
function validWav(result: unknown): boolean {
  const w = result as DecodedWav;
  if (!(w.samples instanceof Float32Array) || w.channels < 1 || w.channels > WAV_LIMITS.maxChannels) return false;
  if (w.sampleRate < WAV_LIMITS.minSampleRate || w.sampleRate > WAV_LIMITS.maxSampleRate) return false;
  return w.samples.every(Number.isFinite);
}

const SEEDS: [string, Uint8Array][] = [
  ['PCM16 mono', wav([tone(48, 0)], 8000)],
  ['PCM16 stereo', wav([tone(24, 0), tone(24, 1)], 16000)],
  ['float32 mono', wav([tone(24, 0)], 8000, true)],
  ['float32 stereo', wav([tone(12, 0), tone(12, 1)], 44100, true)],
];

SEEDS.forEach(([what, seedFile], k) => {
  const float = what.startsWith('float');
  test(`fuzz: decodeWav on ${what} mutants gives a valid decoding or an error naming the field`, async (t) => {
    await fuzz(t, {
      seedFile, seed: 13 + k, count: 250, fields: FIELDS, mutators: float ? { nonFinite } : {},
      read: (bytes) => decodeWav(bytes), errors: /^decodeWav: /, valid: validWav, timeLimitMs: TIME_MS, memoryLimitBytes: MEMORY_BYTES,
    });
  });
  test(`fuzz: loadUtterance on ${what} mutant files gives 8 kHz samples or an error naming the file`, async (t) => {
    await fuzz(t, {
      seedFile, seed: 113 + k, count: 200, truncations: 48, fields: FIELDS, mutators: float ? { nonFinite } : {}, fileName: 'fuzz.wav',
      read: (_, path) => loadUtterance(path), errors: /^loadUtterance: '.*fuzz\.wav': /,
      valid: (x) => x instanceof Float32Array && x.every(Number.isFinite), timeLimitMs: TIME_MS, memoryLimitBytes: MEMORY_BYTES,
    });
  });
});

/** The seed with `patch` applied to its header. */
function patched(seed: Uint8Array, patch: (v: DataView) => void): Uint8Array {
  const out = seed.slice();
  patch(new DataView(out.buffer));
  return out;
}

test('regression: a 1 Hz or 2 Hz sample rate is an error naming the file and the field, at once and without a large allocation', (t) => {
  const dir = tempDir('wav');
  for (const rate of [1, 2, 999, 768_001, 0xffffffff]) {
    const path = join(dir, `rate${rate}.wav`);
    writeFileSync(path, wav([tone(8000, 0)], rate));
    const heap = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const start = Date.now();
    t.throws(() => loadUtterance(path), { message: new RegExp(`^loadUtterance: '.*rate${rate}\\.wav': decodeWav: sample rate must be in \\[1000, 768000\\] Hz, got ${rate}$`) });
    t.true(Date.now() - start < TIME_MS);
    t.true(process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers - heap < MEMORY_BYTES);
  }
  for (const rate of [WAV_LIMITS.minSampleRate, WAV_LIMITS.maxSampleRate]) t.is(decodeWav(wav([tone(8, 0)], rate)).sampleRate, rate);
  const path = join(dir, 'ok.wav');
  writeFileSync(path, wav([tone(100, 0)], 1000));
  t.is(loadUtterance(path).length, 800, 'the lowest rate resamples to 8 kHz');
  t.throws(() => loadUtterance(path, 100), { instanceOf: RangeError, message: /loadUtterance: sampleRate must be a positive number of Hz in \[1000, 768000\], got 100/ });
});

test('regression: a resampled length over maxSamples (loadUtterance) or maxLength (resample) is an error naming the file and the field', (t) => {
  const dir = tempDir('wav');
  const path = join(dir, 'long.wav');
  writeFileSync(path, wav([tone(1000, 0)], 1000));
  t.is(loadUtterance(path, 8000, { maxSamples: 8000 }).length, 8000);
  t.throws(() => loadUtterance(path, 8000, { maxSamples: 7999 }), { message: /^loadUtterance: '.*long\.wav': resample: 1000 samples from 1000 Hz to 8000 Hz make 8000 samples, more than options\.maxLength = 7999$/ });
  t.throws(() => loadUtterance(path, 1000, { maxSamples: 999 }), { message: /^loadUtterance: '.*long\.wav': 1000 samples, more than options\.maxSamples = 999$/ });
  t.throws(() => resample(new Float32Array(10), 1, 1e9), { instanceOf: RangeError, message: /make 10000000000 samples, more than options\.maxLength = 268435456/ });
  t.throws(() => resample([1], 8000, 16000, { maxLength: -1 }), { message: /options\.maxLength must be >= 0/ });
});

test('regression: a float sample that is NaN or infinite is an error naming the sample, the channel and the byte', (t) => {
  const seed = wav([tone(10, 0), tone(10, 1)], 8000, true);
  for (const value of [NaN, Infinity, -Infinity]) {
    const bad = patched(seed, (v) => v.setFloat32(44 + 4 * 7, value, true)); // sample 3, channel 1
    t.throws(() => decodeWav(bad), { message: `decodeWav: float sample 3 of channel 1 (byte 72) is ${value}; samples must be finite` });
  }
  const dir = tempDir('wav');
  writeFileSync(join(dir, 'nan.wav'), patched(seed, (v) => v.setFloat32(44, NaN, true)));
  t.throws(() => loadUtterance(join(dir, 'nan.wav')), { message: /^loadUtterance: '.*nan\.wav': decodeWav: float sample 0 of channel 0 \(byte 44\) is NaN/ });
});

test('regression: bad channel counts, bits, block aligns and chunk sizes are errors naming the field', (t) => {
  const seed = wav([tone(10, 0)], 8000);
  const cases: [string, Uint8Array, RegExp][] = [
    ['0 channels', patched(seed, (v) => v.setUint16(22, 0, true)), /^decodeWav: channel count must be in \[1, 256\], got 0$/],
    ['65535 channels', patched(seed, (v) => v.setUint16(22, 65535, true)), /^decodeWav: channel count must be in \[1, 256\], got 65535$/],
    ['12 bits', patched(seed, (v) => v.setUint16(34, 12, true)), /^decodeWav: PCM bits per sample must be 8, 16, 24 or 32, got 12$/],
    ['a block align of 4 for mono 16-bit', patched(seed, (v) => v.setUint16(32, 4, true)), /^decodeWav: block align must be channels × bits\/8 = 1 × 2 = 2 bytes, got 4$/],
    ['a data size past the end', patched(seed, (v) => v.setUint32(40, 0xffffffff, true)), /^decodeWav: truncated file: 'data' chunk declares 4294967295 bytes, only 20 present$/],
    ['a fmt size past the end', patched(seed, (v) => v.setUint32(16, 1000, true)), /^decodeWav: truncated 'fmt ' chunk \(size 1000, 44 bytes left\)$/],
    ['no data chunk', patched(seed, (v) => v.setUint32(36, 0x41544144, true)), /^decodeWav: no 'data' chunk \(truncated file\?\)$/],
  ];
  for (const [what, bytes, message] of cases) t.throws(() => decodeWav(bytes), { message }, what);
  const list = new Uint8Array(seed.length + 8);
  list.set(seed.subarray(0, 36));
  list.set([0x4c, 0x49, 0x53, 0x54], 36); // 'LIST' with a size far past the end, before the data
  new DataView(list.buffer).setUint32(40, 0x7fffffff, true);
  list.set(seed.subarray(36), 44);
  t.throws(() => decodeWav(list), { message: /^decodeWav: truncated file: chunk 'LIST' at byte 36 declares 2147483647 bytes, only \d+ present \(no 'data' chunk before it\)$/ });
  const odd = patched(seed, (v) => { v.setUint32(36, 0x01020304, true); v.setUint32(40, 1000, true); });
  t.throws(() => decodeWav(odd), { message: /^decodeWav: truncated file: chunk '\\x04\\x03\\x02\\x01' at byte 36 declares 1000 bytes, only 20 present/ }, 'control bytes of a chunk id are shown escaped');
});
