import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Generator, parseNpy, readNpy, serializeNpy, writeNpy, type NpyData } from '@eole/core';
import { fuzz, tempDir, type FuzzMutator } from '@eole/core/testing';

const dir = tempDir('npy-test');
let files = 0;
const put = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, bytes);
  return path;
};

/** A .npy file from a header dict text (padded as numpy pads it) and data bytes; `version` 1, 2 or 3. */
function npy(dict: string, data: Uint8Array, version = 1): Uint8Array {
  const start = version === 1 ? 10 : 12;
  const header = Buffer.from(dict.padEnd(Math.ceil((start + dict.length + 1) / 64) * 64 - start - 1, ' ') + '\n', version === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(start + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(header, start);
  out.set(data, start + header.length);
  return out;
}

const u8 = (n: number, seed = 0): Uint8Array => {
  const rng = new Generator(seed);
  return Uint8Array.from({ length: n }, () => rng.int(256));
};

test('serializeNpy and parseNpy round-trip uint8 [20, 3, 64, 64], float32, 1-D, scalar and empty arrays', (t) => {
  const video = u8(20 * 3 * 64 * 64);
  const bytes = serializeNpy(video, [20, 3, 64, 64]);
  t.is(new DataView(bytes.buffer).getUint16(8, true) + 10, 128, 'the data starts at 128, a multiple of 64');
  const back = parseNpy(bytes);
  t.is(back.dtype, 'uint8');
  t.deepEqual(back.shape, [20, 3, 64, 64]);
  t.true(back.data instanceof Uint8Array);
  t.deepEqual(back.data, video);
  const floats = Float32Array.from({ length: 24 }, (_, i) => i / 7 - 1.5);
  const f = parseNpy(serializeNpy(floats, [2, 3, 4]));
  t.is(f.dtype, 'float32');
  t.deepEqual(f.shape, [2, 3, 4]);
  t.true(f.data instanceof Float32Array);
  t.deepEqual(f.data, floats);
  t.deepEqual(parseNpy(serializeNpy(Float32Array.of(Math.PI), [])), { dtype: 'float32', shape: [], data: Float32Array.of(Math.PI) });
  t.deepEqual(parseNpy(serializeNpy(Uint8Array.of(1, 2, 3, 4, 5), [5])), { dtype: 'uint8', shape: [5], data: Uint8Array.of(1, 2, 3, 4, 5) });
  t.deepEqual(parseNpy(serializeNpy(new Float32Array(), [3, 0])), { dtype: 'float32', shape: [3, 0], data: new Float32Array() });
});

test('serializeNpy writes the bytes numpy.save writes (header, growth room, padding to 64)', (t) => {
  // numpy 1.26 and 2.x: np.save(f, np.zeros((2, 3), np.uint8)) and np.save(f, np.float32(1.5))
  const matrix = serializeNpy(new Uint8Array(6), [2, 3]);
  const dict = "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }";
  t.is(Buffer.from(matrix.subarray(0, 10)).toString('latin1'), '\x93NUMPY\x01\x00v\x00');
  t.is(Buffer.from(matrix.subarray(10, 128)).toString('latin1'), dict.padEnd(117, ' ') + '\n');
  t.is(matrix.length, 134);
  const scalar = serializeNpy(Float32Array.of(1.5), []);
  t.is(Buffer.from(scalar.subarray(10, 128)).toString('latin1'), "{'descr': '<f4', 'fortran_order': False, 'shape': (), }".padEnd(117, ' ') + '\n');
  t.deepEqual([...scalar.subarray(128)], [0, 0, 0xc0, 0x3f]);
});

test('parseNpy reads a header as numpy writes it, and the variants the format allows', (t) => {
  const data = Uint8Array.of(1, 2, 3, 4, 5, 6);
  const numpy = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", data);
  t.is(numpy.length, 128 + 6);
  t.deepEqual(parseNpy(numpy), { dtype: 'uint8', shape: [2, 3], data });
  const variants = [
    '{"shape": (2, 3), "descr": "u1", "fortran_order": False}',
    "{'fortran_order':False,'shape':(2,3,),'descr':'<u1',}",
    "{ 'descr' : '|u1' , 'fortran_order' : False , 'shape' : ( 2 , 3 ) }",
  ];
  for (const dict of variants) t.deepEqual(parseNpy(npy(dict, data)).shape, [2, 3], dict);
  for (const version of [2, 3]) t.deepEqual(parseNpy(npy("{'descr': '|u1', 'fortran_order': False, 'shape': (6,), }", data, version)), { dtype: 'uint8', shape: [6], data }, `version ${version}.0`);
  const floats = new Uint8Array(Float32Array.of(0.25, -2).buffer);
  t.deepEqual(parseNpy(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", floats)).data, Float32Array.of(0.25, -2));
});

test('parseNpy reads little-endian float64 (<f8) exactly, as a Float64Array: what numpy.save writes for float64 arrays', (t) => {
  // np.save(f, np.array([[0.1, -2.5, 1e-300], [np.pi, 0.0, 2**53 + 2.0]])): values float32 cannot hold exactly
  const values = Float64Array.of(0.1, -2.5, 1e-300, Math.PI, 0, 2 ** 53 + 2);
  const file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(values.buffer));
  t.is(file.length, 128 + 48);
  const back = parseNpy(file);
  t.deepEqual(back, { dtype: 'float64', shape: [2, 3], data: values } satisfies NpyData);
  t.true(back.data instanceof Float64Array);
  t.is(back.data[0], 0.1, 'no rounding through float32');
  // scalar, empty, format 2.0, and an unaligned offset inside a larger buffer (the data offset need not be a multiple of 8)
  t.deepEqual(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", new Uint8Array(Float64Array.of(-0.5).buffer))), { dtype: 'float64', shape: [], data: Float64Array.of(-0.5) });
  t.deepEqual(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 25, 25), }", new Uint8Array())), { dtype: 'float64', shape: [0, 25, 25], data: new Float64Array() });
  t.deepEqual(parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(values.buffer, 0, 24), 2)).data, Float64Array.of(0.1, -2.5, 1e-300));
  const big = new Uint8Array(file.length + 5);
  big.set(file, 3);
  t.deepEqual(parseNpy(big.subarray(3, 3 + file.length)).data, values);
  // the same strictness as the other dtypes: sizes count 8 bytes an element
  t.throws(() => parseNpy(file.subarray(0, file.length - 4), 'f.npy'), { message: /^parseNpy: f\.npy: truncated: expected 48 bytes of data for shape \(2, 3\) of float64, got 44$/ });
  t.throws(() => parseNpy(new Uint8Array([...file, 0, 0, 0, 0, 0, 0, 0, 0])), { message: /8 unexpected bytes after the 48 bytes of data for shape \(2, 3\) of float64/ });
  t.throws(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(48))), { message: /fortran_order True/ });
  t.throws(() => parseNpy(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2147483648, 2147483648), }", new Uint8Array(8))), { message: /shape \(2147483648, 2147483648\) of float64 overflows: its size is past 2\^53 bytes/ });
  // serializeNpy still writes only uint8 and float32
  t.throws(() => serializeNpy(values as unknown as Float32Array, [6]), { instanceOf: TypeError });
});

test('parseNpy reads float32 data at an unaligned offset (a file inside a larger buffer)', (t) => {
  const file = serializeNpy(Float32Array.of(1, 2, 3), [3]);
  const big = new Uint8Array(file.length + 3);
  big.set(file, 1);
  t.deepEqual(parseNpy(big.subarray(1, 1 + file.length)).data, Float32Array.of(1, 2, 3));
});

test('parseNpy rejects malformed files with a clear error', (t) => {
  const ok = (dict: string, n: number): Uint8Array => npy(dict, new Uint8Array(n));
  t.throws(() => parseNpy(Buffer.from('\x89PNG\r\n\x1a\n....', 'latin1'), 'x.npy'), { message: /^parseNpy: x\.npy: not a \.npy file: expected the magic \\x93NUMPY \(93 4e 55 4d 50 59\) and a version, got 89 50 4e 47 0d 0a 1a 0a$/ });
  t.throws(() => parseNpy(new Uint8Array()), { message: /^parseNpy: npy: not a \.npy file: .*got no bytes/ });
  const v4 = ok("{'descr': '|u1', 'fortran_order': False, 'shape': (), }", 1);
  v4[6] = 4;
  t.throws(() => parseNpy(v4), { message: /unsupported \.npy format version 4\.0: expected 1\.0, 2\.0 or 3\.0/ });
  t.throws(() => parseNpy(ok("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", 4)), { message: /unsupported dtype '<f2': expected '\|u1' \(uint8; also 'u1', '<u1'\), '<f4' \(float32, little-endian\) or '<f8' \(float64, little-endian\)/ });
  t.throws(() => parseNpy(ok("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8)), { message: /unsupported dtype '>f4'/ });
  t.throws(() => parseNpy(ok("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", 16)), { message: /unsupported dtype '>f8'/ });
  t.throws(() => parseNpy(ok("{'descr': 'f8', 'fortran_order': False, 'shape': (2,), }", 16)), { message: /unsupported dtype 'f8'/ });
  t.throws(() => parseNpy(ok("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", 16)), { message: /unsupported dtype '<i8'/ });
  t.throws(() => parseNpy(ok("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8)), { message: /bad header: unexpected character "\[" at character 10/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 3), }", 6)), { message: /fortran_order True \(column-major data\) is not supported/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'shape': (2, 3), }", 6)), { message: /bad header: missing key 'fortran_order'/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), 'x': True}", 6)), { message: /bad header: unknown key 'x'/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'descr': '|u1', 'fortran_order': False, 'shape': (2, 3)}", 6)), { message: /key 'descr' appears twice/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, -3), }", 6)), { message: /bad shape \(2, -3\): dimension 1 is -3, expected an integer in \[0, 2\^53\)/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3.5), }", 6)), { message: /bad header: unexpected character "\." at character/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (6), }", 6)), { message: /\(6\) is an integer in Python, not a tuple: a 1-D shape is written \(6,\)/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (99999999999999999999,), }", 6)), { message: /dimension 0 is 99999999999999999999/ });
  t.throws(() => parseNpy(ok("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 6)), { message: /shape \(4294967296, 4294967296\) of float32 overflows: its size is past 2\^53 bytes/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), ", 6)), { message: /bad header: expected a quoted key or '\}', got the end of the header/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), } x", 6)), { message: /bad header: unexpected 'x' after the closing '\}'/ });
  t.throws(() => parseNpy(ok("__import__('os')", 6)), { message: /bad header: expected '\{', got '__import__'/ });
  t.throws(() => parseNpy(ok("{'descr': '|u1, 'fortran_order': False, 'shape': (2, 3), }", 6)), { message: /bad header/ });
  const good = ok("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", 6);
  t.throws(() => parseNpy(good.subarray(0, good.length - 1)), { message: /truncated: expected 6 bytes of data for shape \(2, 3\) of uint8, got 5/ });
  t.throws(() => parseNpy(new Uint8Array([...good, 0, 0])), { message: /2 unexpected bytes after the 6 bytes of data for shape \(2, 3\) of uint8/ });
  t.throws(() => parseNpy(good.subarray(0, 100)), { message: /truncated: the header length field says 118 bytes, but only 90 bytes follow it/ });
  t.throws(() => parseNpy(good.subarray(0, 9)), { message: /truncated: 9 bytes, shorter than the 10-byte preamble of format 1\.0/ });
  const badUtf8 = npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(6), 3);
  badUtf8[100] = 0xff;
  t.throws(() => parseNpy(badUtf8), { message: /bad header: not valid UTF-8 \(format 3\.0\)/ });
});

test('readNpy and writeNpy go through the disk atomically; errors name the path', (t) => {
  const path = join(dir, 'frames.npy');
  const frames = u8(4 * 2 * 8 * 8, 1);
  writeNpy(path, frames, [4, 2, 8, 8]);
  const back = readNpy(path);
  t.deepEqual(back, { dtype: 'uint8', shape: [4, 2, 8, 8], data: frames } satisfies NpyData);
  t.false(readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file is left');
  t.throws(() => readNpy(join(dir, 'missing.npy')), { message: /^readNpy: '.*missing\.npy': cannot read it \(ENOENT\)/ });
  t.throws(() => readNpy(put('i8.npy', npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)))), { message: /^readNpy: '.*i8\.npy': unsupported dtype '<i8'/ });
  t.throws(() => readNpy(put('f8-short.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", new Uint8Array(31)))), { message: /^readNpy: '.*f8-short\.npy': truncated: expected 32 bytes of data for shape \(2, 2\) of float64, got 31/ });
  t.throws(() => writeNpy(join(dir, 'bad.npy'), new Uint8Array(5), [2, 3]), { message: /^writeNpy: '.*bad\.npy': data has 5 values, shape \(2, 3\) needs 6/ });
  t.false(existsSync(join(dir, 'bad.npy')));
});

test('serializeNpy validates its arguments', (t) => {
  t.throws(() => serializeNpy(new Float64Array(2) as unknown as Float32Array, [2]), { instanceOf: TypeError, message: /^serializeNpy: data must be a Uint8Array \(uint8\) or a Float32Array \(float32\), got \[object Float64Array\]/ });
  t.throws(() => serializeNpy(new Uint8Array(2), [2, -1]), { message: /^serializeNpy: shape\[1\] must be a non-negative integer, got -1/ });
  t.throws(() => serializeNpy(new Uint8Array(2), [1.5]), { message: /^serializeNpy: shape\[0\] must be a non-negative integer, got 1\.5/ });
  t.throws(() => serializeNpy(new Uint8Array(2), [3]), { message: /^serializeNpy: data has 2 values, shape \(3,\) needs 3/ });
});

test('serializeNpy switches to format 2.0 when the header passes 65,535 bytes', (t) => {
  const shape = Array.from({ length: 30000 }, () => 1);
  const bytes = serializeNpy(Uint8Array.of(7), shape);
  t.is(bytes[6], 2);
  t.is((12 + new DataView(bytes.buffer).getUint32(8, true)) % 64, 0);
  const back = parseNpy(bytes);
  t.is(back.shape.length, 30000);
  t.deepEqual(back.data, Uint8Array.of(7));
});

// ---- fuzz --------------------------------------------------------------------------------

const seedU8 = serializeNpy(Uint8Array.from({ length: 3 * 4 * 4 }, (_, i) => (i * 37) % 256), [3, 4, 4]);
const seedF32 = serializeNpy(Float32Array.from({ length: 6 }, (_, i) => i - 2.5), [2, 3]);
const seedF64 = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", new Uint8Array(Float64Array.from({ length: 6 }, (_, i) => i / 3 - 1).buffer));

/** Rewrites the header text (a word, a digit, a quote, a bracket) and fixes the length field up. */
const headerEdit: FuzzMutator = (bytes, rng) => {
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint16(8, true);
  const text = Buffer.from(bytes.subarray(10, 10 + length)).toString('latin1');
  const edits: Array<[string, string]> = [["'|u1'", "'<f8'"], ["'<f4'", "'>f4'"], ['False', 'True'], ['False', 'false'], ['(', '['], [')', ''], [',', ''], ["'", '"'], ['3', '-3'], ['3', '99999999999'], ['4', '4294967296, 4294967296'], ['shape', 'shap'], ['}', ''], ['{', '']];
  const [from, to] = edits[rng.int(edits.length)]!;
  const edited = text.replace(from, to);
  const header = Buffer.from(edited, 'latin1');
  const out = new Uint8Array(10 + header.length + bytes.length - 10 - length);
  out.set(bytes.subarray(0, 10));
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(header, 10);
  out.set(bytes.subarray(10 + length), 10 + header.length);
  return { bytes: out, description: `header: ${JSON.stringify(from)} -> ${JSON.stringify(to)}` };
};

const validNpy = (r: unknown): boolean => {
  const { dtype, shape, data } = r as NpyData;
  const typed = dtype === 'uint8' ? data instanceof Uint8Array : dtype === 'float32' ? data instanceof Float32Array : data instanceof Float64Array;
  return shape.every((d) => Number.isSafeInteger(d) && d >= 0) && data.length === shape.reduce((a, b) => a * b, 1) && typed;
};

const fields = [
  { name: 'major version', offset: 6, width: 1 as const },
  { name: 'minor version', offset: 7, width: 1 as const },
  { name: 'header length', offset: 8, width: 2 as const },
];

for (const [what, seedFile, seed] of [['uint8', seedU8, 31], ['float32', seedF32, 32], ['float64', seedF64, 34]] as const) {
  test(`fuzz: readNpy on ${what} names the file for every mutant`, async (t) => {
    await fuzz(t, { seedFile, fileName: `${what}.npy`, read: (_, path) => readNpy(path), errors: new RegExp(`^readNpy: '.*${what}\\.npy': `), seed, count: 300, fields, mutators: { headerEdit }, valid: validNpy });
  });
}

test('fuzz: parseNpy names its source for every mutant', async (t) => {
  await fuzz(t, { seedFile: seedU8, read: (bytes) => parseNpy(bytes, 'seq.npy'), errors: /^parseNpy: seq\.npy: /, seed: 33, count: 200, truncations: 32, fields, mutators: { headerEdit }, valid: validNpy });
});
