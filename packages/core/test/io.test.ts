import test from 'ava';
import fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  Generator,
  Linear,
  loadModule,
  noGrad,
  parseIdx,
  parseSafetensors,
  readIdx,
  readMnistIdx,
  saveModule,
  Sequential,
  serializeIdx,
  serializeSafetensors,
  Tensor,
  writeFileAtomic,
  writeIdx,
} from '@eole/core';
import { tempDir } from '@eole/core/testing';

const dir = tempDir('io-test');
let counter = 0;
const tmpFile = (name: string): string => join(dir, `${counter++}-${name}`);

const mlp = (seed: number): Sequential => new Sequential(new Linear(4, 3, { rng: new Generator(seed) }), new Linear(3, 2, { rng: new Generator(seed + 1) }));

/** The test's own minimal safetensors reader: u64 LE length, JSON, raw little-endian float32 data. */
function minimalParse(bytes: Uint8Array): { n: number; headerText: string; header: Record<string, any>; data: Uint8Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  const headerText = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
  return { n, headerText, header: JSON.parse(headerText), data: bytes.subarray(8 + n) };
}

/** The test's own minimal writer, for hand-made (and broken) files. */
function rawFile(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = Buffer.from(headerText, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32bytes = (values: number[]): Uint8Array => new Uint8Array(Float32Array.from(values).buffer);

test('a Sequential(Linear, Linear) round trips through a file with identical outputs', (t) => {
  const path = tmpFile('mlp.safetensors');
  const a = mlp(1);
  saveModule(path, a, { epoch: '3', note: 'héllo' });
  const b = mlp(50);
  const x = Tensor.randn([5, 4], new Generator(9));
  const before = noGrad(() => b.forward(x)).toArray();
  const metadata = loadModule(path, b);
  t.deepEqual(metadata, { epoch: '3', note: 'héllo' });
  const ya = noGrad(() => a.forward(x)).toArray();
  t.notDeepEqual(before, ya);
  t.deepEqual(noGrad(() => b.forward(x)).toArray(), ya);
  for (const [name, p] of b.stateDict()) t.deepEqual(p.data, a.stateDict().get(name)!.data, name);
});

test('the bytes follow the safetensors layout (checked by an independent parser)', (t) => {
  const net = mlp(2);
  const bytes = serializeSafetensors(net.stateDict(), { format: 'pt' });
  const { n, headerText, header, data } = minimalParse(bytes);
  t.is((8 + n) % 8, 0);
  t.regex(headerText, /^\{.*\} *$/);
  t.deepEqual(header['__metadata__'], { format: 'pt' });
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  t.deepEqual(names, ['0.bias', '0.weight', '1.bias', '1.weight']);
  let offset = 0;
  for (const name of names) {
    const e = header[name];
    const t0 = net.stateDict().get(name)!;
    t.is(e.dtype, 'F32');
    t.deepEqual(e.shape, [...t0.shape]);
    t.deepEqual(e.data_offsets, [offset, offset + 4 * t0.size]);
    const view = new DataView(data.buffer, data.byteOffset + offset, 4 * t0.size);
    const values = Array.from({ length: t0.size }, (_, i) => view.getFloat32(4 * i, true));
    t.deepEqual(values, t0.toArray(), name);
    offset += 4 * t0.size;
  }
  t.is(data.length, offset);
  t.deepEqual(serializeSafetensors(net.stateDict(), { format: 'pt' }), bytes, 'deterministic');
});

test('parseSafetensors reads hand-made files, scalars, empty tensors and the F16, BF16 and F64 dtypes', (t) => {
  const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001]).buffer);
  const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer);
  const f64 = new Uint8Array(new Float64Array([1 / 3]).buffer);
  const f32 = f32bytes([7]);
  const data = new Uint8Array([...f16, ...bf16, ...f64, ...f32]);
  const { tensors, metadata } = parseSafetensors(rawFile({
    h: { dtype: 'F16', shape: [2, 2], data_offsets: [0, 8] },
    b: { dtype: 'BF16', shape: [2], data_offsets: [8, 12] },
    d: { dtype: 'F64', shape: [1], data_offsets: [12, 20] },
    s: { dtype: 'F32', shape: [], data_offsets: [20, 24] },
    e: { dtype: 'F32', shape: [0, 3], data_offsets: [24, 24] },
  }, data));
  t.deepEqual(metadata, {});
  t.deepEqual(tensors.get('h')!.toArray(), [1, -2, Math.fround(0.333251953125), 2 ** -24]);
  t.deepEqual(tensors.get('h')!.shape, [2, 2]);
  t.deepEqual(tensors.get('b')!.toArray(), [1, -3]);
  t.deepEqual(tensors.get('d')!.toArray(), [Math.fround(1 / 3)]);
  t.is(tensors.get('s')!.item(), 7);
  t.deepEqual(tensors.get('e')!.shape, [0, 3]);
});

const good = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, v: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
const goodData = f32bytes([1, 2, 3]);

const CORRUPT: [string, () => Uint8Array, RegExp][] = [
  ['truncated data', () => {
    const b = serializeSafetensors(mlp(1).stateDict());
    return b.subarray(0, b.length - 10);
  }, /tensor '1\.weight': data_offsets \[68, 92\] run past the end of the data \(82 bytes; truncated file\?\)/],
  ['a file truncated inside its header', () => serializeSafetensors(mlp(1).stateDict()).subarray(0, 100), /header length \d+ exceeds the 92 bytes that follow it \(truncated or not a safetensors file\)/],
  ['a file shorter than 8 bytes', () => new Uint8Array([1, 2, 3]), /truncated: 3 bytes, shorter than the 8-byte header length/],
  ['a huge header length', () => {
    const b = rawFile(good, goodData);
    new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true);
    return b;
  }, /header length 4611686018427387904 exceeds the \d+ bytes that follow it/],
  ['bad JSON', () => rawFile(null, goodData, '{"w": {"dtype": "F32",'), /header is not valid JSON/],
  ['a header that is not an object', () => rawFile([1, 2], new Uint8Array()), /header must be a JSON object/],
  ['an unsupported dtype', () => rawFile({ w: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(8)), /tensor 'w': dtype 'I64' is not supported \(Eole loads F32, F16, BF16 and F64/],
  ['an unknown dtype', () => rawFile({ w: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), /tensor 'w': unknown dtype 'Q4'/],
  ['a missing field', () => rawFile({ w: { dtype: 'F32', shape: [3] } }, goodData), /tensor 'w': missing or invalid field 'data_offsets'/],
  ['a bad shape', () => rawFile({ w: { dtype: 'F32', shape: [-3], data_offsets: [0, 12] } }, goodData), /tensor 'w': missing or invalid field 'shape'/],
  ['a shape that disagrees with the offsets', () => rawFile({ w: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 12] } }, goodData), /tensor 'w': shape \[2, 3\] of F32 needs 24 bytes but data_offsets \[0, 12\] span 12/],
  ['overlapping offsets', () => rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, v: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, goodData), /tensor 'v' data_offsets \[4, 12\] overlap the previous tensor, which ends at 8/],
  ['a gap between tensors', () => rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, v: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } }, goodData), /tensor 'v' starts at 8, leaving a gap after byte 4/],
  ['trailing bytes', () => rawFile({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, goodData), /the tensors cover 8 bytes of data but the file holds 12/],
  ['offsets reversed', () => rawFile({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, goodData), /data_offsets \[8, 0\] end before they begin/],
  ['non-string metadata', () => rawFile({ ...good, __metadata__: { epoch: 3 } }, goodData), /'__metadata__'.epoch must be a string, got number/],
];

for (const [what, make, message] of CORRUPT) {
  test(`parseSafetensors rejects ${what} with a clear error`, (t) => {
    t.throws(() => parseSafetensors(make()), { message });
  });
}

test('the hand-made good file parses (so the corrupt cases fail for their own reason)', (t) => {
  const { tensors } = parseSafetensors(rawFile(good, goodData));
  t.deepEqual(tensors.get('w')!.toArray(), [1, 2]);
  t.deepEqual(tensors.get('v')!.toArray(), [3]);
});

test('loadModule names the file, the tensor and both shapes on a mismatch, and leaves the module untouched', (t) => {
  const path = tmpFile('small.safetensors');
  saveModule(path, new Sequential(new Linear(4, 3), new Linear(3, 2)));
  const other = new Sequential(new Linear(4, 5, { rng: new Generator(1) }), new Linear(5, 2, { rng: new Generator(2) }));
  const before = [...other.stateDict()].map(([, v]) => v.toArray());
  const err = t.throws(() => loadModule(path, other));
  t.regex(err!.message, /small\.safetensors' does not fit nn\.Sequential/);
  t.regex(err!.message, /tensor '0\.weight' has shape \[3, 4\] in the file, the module expects \[5, 4\]/);
  t.regex(err!.message, /tensor '1\.weight' has shape \[2, 3\] in the file, the module expects \[2, 5\]/);
  t.deepEqual([...other.stateDict()].map(([, v]) => v.toArray()), before);
});

test('loadModule reports missing and unexpected names', (t) => {
  const path = tmpFile('two.safetensors');
  saveModule(path, mlp(3));
  t.throws(() => loadModule(path, new Sequential(new Linear(4, 3))), { message: /unexpected '1\.bias', '1\.weight'/ });
  t.throws(() => loadModule(path, new Sequential(new Linear(4, 3), new Linear(3, 2), new Linear(2, 2))), {
    message: /missing '2\.weight' \(expected shape \[2, 2\]\), '2\.bias' \(expected shape \[2\]\)/,
  });
  const bad = tmpFile('bad.safetensors');
  writeFileSync(bad, 'not a model');
  t.throws(() => loadModule(bad, mlp(3)), { message: /^loadModule: '.*bad\.safetensors': safetensors: header length \d+ exceeds/ });
});

function patchFs<K extends 'renameSync' | 'writeSync' | 'fsyncSync'>(name: K, replacement: (...args: any[]) => unknown, fn: () => void): void {
  const target = fs as unknown as Record<string, unknown>;
  const original = target[name];
  target[name] = replacement;
  try {
    fn();
  } finally {
    target[name] = original;
  }
}

const listDir = (d: string): string[] => readdirSync(d).sort();

test.serial('a crash before the rename leaves the previous file intact and no temporary file', (t) => {
  const sub = mkdtempSync(join(dir, 'atomic-'));
  const path = join(sub, 'model.safetensors');
  saveModule(path, mlp(1));
  const previous = readFileSync(path);
  patchFs('renameSync', () => {
    throw new Error('simulated crash in rename');
  }, () => {
    t.throws(() => saveModule(path, mlp(2)), { message: /could not write '.*model\.safetensors' \(the previous file, if any, is unchanged\): simulated crash in rename/ });
  });
  t.deepEqual(readFileSync(path), previous);
  t.deepEqual(listDir(sub), ['model.safetensors']);
  const restored = mlp(5);
  loadModule(path, restored);
  t.deepEqual(restored.stateDict().get('0.weight')!.data, mlp(1).stateDict().get('0.weight')!.data);
});

test.serial('a write that fails half way leaves the previous file intact', (t) => {
  const sub = mkdtempSync(join(dir, 'atomic-'));
  const path = join(sub, 'model.safetensors');
  writeFileAtomic(path, new Uint8Array([1, 2, 3]));
  const realWrite = fs.writeSync;
  let calls = 0;
  patchFs('writeSync', (fd: number, buf: Uint8Array, offset: number, length: number) => {
    if (calls++ > 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    return realWrite(fd, buf, offset, Math.min(length, 5));
  }, () => {
    const err = t.throws(() => writeFileAtomic(path, new Uint8Array(100).fill(7)), { message: /ENOSPC/ });
    t.is((err!.cause as { code?: string }).code, 'ENOSPC');
  });
  t.deepEqual([...readFileSync(path)], [1, 2, 3]);
  t.deepEqual(listDir(sub), ['model.safetensors']);
  writeFileAtomic(path, new Uint8Array([4, 5]));
  t.deepEqual([...readFileSync(path)], [4, 5]);
  t.deepEqual(listDir(sub), ['model.safetensors']);
});

test('writeFileAtomic into a missing directory fails clearly and creates nothing', (t) => {
  const path = join(dir, 'no-such-dir', 'model.safetensors');
  t.throws(() => writeFileAtomic(path, new Uint8Array([1])), { message: /could not write '.*no-such-dir.*ENOENT/ });
  t.false(existsSync(join(dir, 'no-such-dir')));
});

// ---- IDX ------------------------------------------------------------------------------------

function idx(type: number, dims: number[], body: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, (type << 8) | dims.length, false);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  return new Uint8Array([...head, ...body]);
}

const pixels = new Uint8Array([0, 51, 102, 153, 204, 255, 255, 0, 0, 0, 0, 17]);
const imagesIdx = idx(0x08, [2, 2, 3], pixels);
const labelsIdx = idx(0x08, [2], new Uint8Array([7, 3]));

function put(name: string, bytes: Uint8Array): string {
  const p = tmpFile(name);
  writeFileSync(p, bytes);
  return p;
}

for (const gz of [false, true]) {
  test(`readIdx and readMnistIdx read ${gz ? 'gzipped' : 'plain'} files`, (t) => {
    const wrap = (b: Uint8Array): Uint8Array => (gz ? gzipSync(b) : b);
    const imagesPath = put('images-idx3-ubyte', wrap(imagesIdx));
    const labelsPath = put('labels-idx1-ubyte', wrap(labelsIdx));
    const raw = readIdx(imagesPath);
    t.is(raw.magic, 0x00000803);
    t.deepEqual(raw.dims, [2, 2, 3]);
    t.true(raw.data instanceof Uint8Array);
    t.deepEqual([...raw.data], [...pixels]);
    const { images, labels } = readMnistIdx(imagesPath, labelsPath);
    t.deepEqual(images.shape, [2, 6]);
    t.deepEqual(images.toArray(), [...pixels].map((v) => Math.fround(v / 255)));
    t.deepEqual(labels.shape, [2]);
    t.deepEqual(labels.toArray(), [7, 3]);
  });
}

test('parseIdx converts the signed, integer and floating types from big-endian', (t) => {
  const be = (n: number, write: (v: DataView, at: number) => void, width: number): Uint8Array => {
    const b = new Uint8Array(n * width);
    const v = new DataView(b.buffer);
    for (let i = 0; i < n; i++) write(v, i * width);
    return b;
  };
  const sbyte = parseIdx(idx(0x09, [2], new Uint8Array([0xff, 0x05])));
  t.deepEqual([...sbyte.data], [-1, 5]);
  t.true(sbyte.data instanceof Float32Array);
  t.deepEqual([...parseIdx(idx(0x0b, [1], be(1, (v, a) => v.setInt16(a, -300, false), 2))).data], [-300]);
  t.deepEqual([...parseIdx(idx(0x0c, [1, 1], be(1, (v, a) => v.setInt32(a, 70000, false), 4))).data], [70000]);
  t.deepEqual([...parseIdx(idx(0x0d, [1], be(1, (v, a) => v.setFloat32(a, 1.5, false), 4))).data], [1.5]);
  t.deepEqual([...parseIdx(idx(0x0e, [1], be(1, (v, a) => v.setFloat64(a, 0.1, false), 8))).data], [Math.fround(0.1)]);
});

test('IDX errors: bad magic, truncated, trailing bytes, corrupt gzip, wrong kind, count mismatch', (t) => {
  t.throws(() => parseIdx(new Uint8Array([0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0])), { message: /bad magic number 0x12345678/ });
  t.throws(() => parseIdx(new Uint8Array([0, 0, 0x07, 1, 0, 0, 0, 0])), { message: /bad magic number 0x00000701/ });
  t.throws(() => parseIdx(new Uint8Array([0, 0])), { message: /truncated: 2 bytes, shorter than the 4-byte magic number/ });
  t.throws(() => parseIdx(imagesIdx.subarray(0, 10)), { message: /truncated: the header of 3 dimensions needs 16 bytes, got 10/ });
  t.throws(() => parseIdx(imagesIdx.subarray(0, imagesIdx.length - 1)), { message: /truncated: dims \[2, 2, 3\] of ubyte need 12 bytes of data, got 11/ });
  t.throws(() => parseIdx(new Uint8Array([...labelsIdx, 9])), { message: /1 unexpected bytes after the 2 bytes of data/ });
  const gz = gzipSync(imagesIdx);
  t.throws(() => parseIdx(gz.subarray(0, gz.length - 8), 'x.gz'), { message: /^x\.gz: looks gzipped \(starts 1f 8b\) but does not inflate/ });
  const imagesPath = put('images', imagesIdx);
  const labelsPath = put('labels', labelsIdx);
  t.throws(() => readIdx(put('trunc', imagesIdx.subarray(0, 20))), { message: /^'.*trunc': truncated/ });
  t.throws(() => readMnistIdx(labelsPath, labelsPath), { message: /labels': expected MNIST images with magic 0x00000803 \(ubyte, 3 dimensions\), got 0x00000801/ });
  t.throws(() => readMnistIdx(imagesPath, imagesPath), { message: /expected MNIST labels with magic 0x00000801 \(ubyte, 1 dimension\), got 0x00000803/ });
  const threeLabels = put('labels3', idx(0x08, [3], new Uint8Array([1, 2, 3])));
  t.throws(() => readMnistIdx(imagesPath, threeLabels), { message: /images' holds 2 images but '.*labels3' holds 3 labels/ });
});

test.after.always(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('writeIdx writes MNIST-layout ubyte files that parseIdx and readMnistIdx read back', (t) => {
  const dir = tempDir('idx-write');
  const pixels = Uint8Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 37) % 256);
  const labels = Uint8Array.from([7, 0, 9]);
  writeIdx(join(dir, 'samples-images-idx3-ubyte'), [3, 28, 28], pixels);
  writeIdx(join(dir, 'samples-labels-idx1-ubyte'), [3], labels);
  const back = parseIdx(serializeIdx([3, 28, 28], pixels));
  t.is(back.magic, 0x803);
  t.deepEqual(back.dims, [3, 28, 28]);
  t.deepEqual(Array.from(back.data), Array.from(pixels));
  const mnist = readMnistIdx(join(dir, 'samples-images-idx3-ubyte'), join(dir, 'samples-labels-idx1-ubyte'));
  t.deepEqual(mnist.images.shape, [3, 784]);
  t.deepEqual(Array.from(mnist.labels.data), [7, 0, 9]);
  t.throws(() => serializeIdx([2, 2], new Uint8Array(3)), { message: /data has 3 values, dims \[2, 2\] need 4/ });
  t.throws(() => serializeIdx([-1], new Uint8Array(0)), { message: /dims\[0\] must be an integer/ });
  t.throws(() => serializeIdx([1], [1] as unknown as Uint8Array), { message: /data must be a Uint8Array/ });
});
