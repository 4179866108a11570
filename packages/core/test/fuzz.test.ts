import test from 'ava';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  Adam,
  CHECKPOINT_FILE,
  Generator,
  Linear,
  loadModule,
  loadTrainState,
  parseIdx,
  parseSafetensors,
  readIdx,
  resume,
  saveTrainState,
  Sequential,
  serializeSafetensors,
  StepLR,
  Tensor,
  type IdxData,
  type TrainState,
} from '@eole/core';
import { fuzz, tempDir, type FuzzJsonSite, type FuzzMutator } from '@eole/core/testing';

// Seeded mutation fuzzing of core's readers (issue 13): every mutant must give a valid result or an
// Error naming the file or the field, within 2 s and 256 MiB each. A failure prints the seed and
// the index; fuzzMutant(options, index) rebuilds that mutant alone.

const dir = tempDir('fuzz-test');
let files = 0;
const put = (name: string, bytes: Uint8Array): string => {
  const path = join(dir, `${files++}-${name}`);
  writeFileSync(path, bytes);
  return path;
};

const mlp = (seed: number): Sequential => new Sequential(new Linear(3, 2, { rng: new Generator(seed) }), new Linear(2, 1, { rng: new Generator(seed + 1) }));

// ---- safetensors ---------------------------------------------------------------------------

/** The header length field, the header's JSON text, and the data after it. */
function split(bytes: Uint8Array): { text: string; data: Uint8Array } | null {
  if (bytes.length < 8) return null;
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n > bytes.length - 8) return null;
  return { text: Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'), data: bytes.subarray(8 + n) };
}

/** A safetensors file from a header text and data bytes (the length field fixed up). */
function join8(text: string, data: Uint8Array): Uint8Array {
  const json = Buffer.from(text, 'utf8');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const headerSite: FuzzJsonSite = {
  name: 'header',
  extract: (bytes) => split(bytes)?.text ?? null,
  replace: (bytes, text) => join8(text, split(bytes)!.data),
};

/** A metadata string of a safetensors file that itself holds JSON (a checkpoint's `optimizer`...). */
const metadataSite = (key: string): FuzzJsonSite => ({
  name: `metadata.${key}`,
  extract: (bytes) => {
    const header = JSON.parse(split(bytes)!.text) as { __metadata__: Record<string, string> };
    return header.__metadata__[key] ?? null;
  },
  replace: (bytes, text) => {
    const { text: headerText, data } = split(bytes)!;
    const header = JSON.parse(headerText) as { __metadata__: Record<string, string> };
    header.__metadata__[key] = text;
    return join8(JSON.stringify(header), data);
  },
});

const headerLength = { name: 'header length', offset: 0, width: 8 as const };
const safetensorsSeed = serializeSafetensors(mlp(1).stateDict(), { epoch: '3' });

/** A parsed file is valid when every tensor's data fits its shape. */
const validTensors = (r: unknown): boolean =>
  [...(r as ReturnType<typeof parseSafetensors>).tensors.values()].every((t) => t.shape.every((d) => Number.isSafeInteger(d) && d >= 0) && t.data.length === t.shape.reduce((a, b) => a * b, 1));

test('fuzz: parseSafetensors gives a result or an error naming the field, for every mutant', async (t) => {
  await fuzz(t, { seedFile: safetensorsSeed, read: (bytes) => parseSafetensors(bytes), errors: /^safetensors: /, seed: 13, count: 300, fields: [headerLength], json: [headerSite], valid: validTensors });
});

test('fuzz: loadModule names the file for every mutant and loads only what fits', async (t) => {
  await fuzz(t, {
    seedFile: safetensorsSeed,
    fileName: 'model.safetensors',
    read: (_, path) => loadModule(path, mlp(5)),
    errors: /^loadModule: '.*model\.safetensors'/,
    seed: 14,
    count: 200,
    truncations: 48,
    fields: [headerLength],
    json: [headerSite],
  });
});

const header = (value: unknown): Uint8Array => join8(JSON.stringify(value), new Uint8Array(8));
const nested = (depth: number, inner = '2'): string => '['.repeat(depth) + inner + ']'.repeat(depth);

test('safetensors: a shape or data_offsets nested 100,000 deep is a clear error, not a stack overflow', (t) => {
  for (const field of ['shape', 'data_offsets']) {
    const other = field === 'shape' ? '"data_offsets": [0, 8]' : '"shape": [2]';
    const bytes = join8(`{"w": {"dtype": "F32", ${other}, "${field}": ${nested(100_000)}}}`, new Uint8Array(8));
    const error = t.throws(() => parseSafetensors(bytes));
    t.regex(error!.message, new RegExp(`^safetensors: tensor 'w': missing or invalid field '${field}'`));
    t.true(error!.message.length < 400, error!.message);
  }
  const entry = join8(`{"w": ${nested(100_000)}}`, new Uint8Array());
  t.throws(() => parseSafetensors(entry), { message: /^safetensors: tensor 'w': entry must be an object .*got \[\[\[\[\[…\]\]\]\]\]/ });
  const metadata = join8(`{"__metadata__": {"a": ${nested(100_000)}}}`, new Uint8Array());
  t.throws(() => parseSafetensors(metadata), { message: /^safetensors: '__metadata__'\.a must be a string, got object/ });
});

test('safetensors: dimensions that overflow, with a zero dimension, are an error naming the tensor, never NaN', (t) => {
  const huge = Number.MAX_SAFE_INTEGER;
  for (const shape of [[huge, huge, huge, 0], [2 ** 40, 2 ** 40, 0], [0, 2 ** 30, 2 ** 30]]) {
    const error = t.throws(() => parseSafetensors(header({ w: { dtype: 'F32', shape, data_offsets: [0, 8] } })));
    t.regex(error!.message, /^safetensors: tensor 'w': shape \[.*\] of F32 needs more than 2\^53 bytes \(its dimensions overflow\)/);
    t.notRegex(error!.message, /NaN|Infinity/);
  }
  t.throws(() => parseSafetensors(header({ w: { dtype: 'F64', shape: [2 ** 50, 8], data_offsets: [0, 8] } })), { message: /needs more than 2\^53 bytes/ });
  for (const bad of [1.5, -1, '2', null, 1e400, 2 ** 53]) {
    const text = `{"w": {"dtype": "F32", "shape": [2, ${bad === 1e400 ? '1e400' : JSON.stringify(bad)}], "data_offsets": [0, 8]}}`;
    t.throws(() => parseSafetensors(join8(text, new Uint8Array(8))), { message: /^safetensors: tensor 'w': missing or invalid field 'shape' \(shape\[1\] is .*, not a non-negative integer/ });
  }
  const empty = parseSafetensors(header({ w: { dtype: 'F32', shape: [2 ** 20, 0], data_offsets: [0, 0] }, v: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }));
  t.deepEqual(empty.tensors.get('w')!.shape, [2 ** 20, 0], 'an empty tensor of sane dimensions still loads');
});

test('safetensors: header lengths of 2^53, 2^64 - 1 or past the file are errors naming the length', (t) => {
  for (const n of [2n ** 53n, 2n ** 64n - 1n, 17n]) {
    const bytes = header({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } });
    new DataView(bytes.buffer).setBigUint64(0, n, true);
    t.throws(() => parseSafetensors(bytes.subarray(0, 24)), { message: new RegExp(`^safetensors: header length ${n} exceeds the 16 bytes that follow it`) });
  }
  const path = put('long.safetensors', join8('{}', new Uint8Array(3)).fill(0xff, 0, 8));
  t.throws(() => loadModule(path, mlp(1)), { message: /^loadModule: '.*long\.safetensors': safetensors: header length 18446744073709551615 exceeds/ });
});

// ---- IDX -----------------------------------------------------------------------------------

/** An IDX file: magic 0x0000TTNN, big-endian u32 dims, then `data`. */
function idx(type: number, dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

/** Four 8 × 8 "digits" with a blank border, as MNIST's: runs of zero bytes that a longer header would read as dims. */
const images = idx(0x08, [4, 8, 8], Uint8Array.from({ length: 256 }, (_, i) => (i % 64 < 16 || i % 8 === 0 ? 0 : (i * 37) % 256)));
const labels = idx(0x08, [5], Uint8Array.from([0, 1, 2, 3, 9]));
const floats = idx(0x0d, [2, 3], new Uint8Array(24).fill(0x3f));
const idxFields = (dims: number) => [
  { name: 'type', offset: 2, width: 1 as const },
  { name: 'dimension count', offset: 3, width: 1 as const },
  ...Array.from({ length: dims }, (_, k) => ({ name: `dims[${k}]`, offset: 4 + 4 * k, width: 4 as const, endian: 'big' as const })),
];

/** An accepted IDX file is one whose data is exactly what its dims need. */
const validIdx = (r: unknown): boolean => {
  const { dims, data } = r as IdxData;
  return dims.length >= 1 && dims.every((d) => Number.isSafeInteger(d)) && data.length === dims.reduce((a, b) => a * b, 1);
};

/** Sets the dimension count to 33..67: the data read as dims, dozens of them, a zero among them. */
const manyDims: FuzzMutator = (bytes, rng) => {
  bytes[3] = 33 + rng.int(35);
  return { bytes, description: `dimension count = ${bytes[3]}` };
};

for (const [what, seedFile, dims, seed] of [['images', images, 3, 21], ['labels', labels, 1, 22], ['floats', floats, 2, 23]] as const) {
  test(`fuzz: readIdx on plain ${what} names the file for every mutant`, async (t) => {
    const mutators: Record<string, FuzzMutator> = what === 'images' ? { manyDims } : {};
    await fuzz(t, { seedFile, fileName: `${what}.idx`, read: (_, path) => readIdx(path), errors: new RegExp(`^'.*${what}\\.idx': `), seed, count: what === 'images' ? 200 : 100, fields: idxFields(dims), mutators, valid: validIdx });
  });
}

/** Mutates the inflated IDX bytes (a header field or a byte), then gzips again: the mutant reaches the parser. */
const regzip: FuzzMutator = (_, rng) => {
  const plain = Buffer.from(images); // the seed's inflated bytes
  const at = rng.int(Math.min(plain.length, 16));
  const value = [0, 0xff, 0x7f, 0x80, rng.int(256)][rng.int(5)]!;
  plain[at] = value;
  const tail = rng.int(3) === 0 ? new Uint8Array(1 + rng.int(4)) : new Uint8Array();
  return { bytes: gzipSync(Buffer.concat([plain, tail])), description: `inflated byte ${at} = 0x${value.toString(16)}, ${tail.length} bytes appended, gzipped again` };
};

/** Appends gzip members of zeros: the stream inflates past what the header declares. */
const bomb: FuzzMutator = (bytes, rng) => {
  const extra = gzipSync(new Uint8Array(2 ** (10 + rng.int(14))));
  return { bytes: Buffer.concat([bytes, extra]), description: `appended a gzip member of ${extra.length} bytes inflating to zeros` };
};

test('fuzz: readIdx on gzipped images names the file for every mutant, and never inflates past the header', async (t) => {
  await fuzz(t, { seedFile: gzipSync(images), fileName: 'images.idx.gz', read: (_, path) => readIdx(path), errors: /^'.*images\.idx\.gz': /, seed: 24, count: 200, mutators: { regzip, bomb }, valid: validIdx });
});

test('IDX: a gzip bomb (1 MB inflating to 1 GB) is rejected after a few inflate chunks, naming the file and the declared size', (t) => {
  const member = gzipSync(new Uint8Array(16 * 2 ** 20));
  const bomb = Buffer.concat([gzipSync(labels), ...Array.from({ length: 64 }, () => member)]);
  t.true(bomb.length < 1.2e6, `the bomb is ${bomb.length} bytes gzipped`);
  const path = put('bomb-labels-idx1-ubyte.gz', bomb);
  const before = process.memoryUsage();
  t.throws(() => readIdx(path), { message: /^'.*bomb-labels-idx1-ubyte\.gz': inflates past the 13 bytes that its header \(dims \[5\] of ubyte\) declares: trailing data, or a gzip bomb/ });
  const after = process.memoryUsage();
  // "Fast" as work, not wall time (no timed tests): the reader stops inflating soon after the declared size, so it never
  // holds more than a few inflate chunks, not the gigabyte the bomb would become.
  const grown = after.arrayBuffers + after.external - before.arrayBuffers - before.external;
  t.true(grown < 64 * 2 ** 20, `reading the bomb grew buffers by ${(grown / 2 ** 20).toFixed(1)} MiB (bar 64 MiB)`);
  const declared = Buffer.concat([gzipSync(idx(0x08, [2 ** 30], new Uint8Array(16))), member]);
  t.throws(() => parseIdx(declared, 'big.gz'), { message: /^big\.gz: truncated: dims \[1073741824\] of ubyte need 1073741824 bytes of data, more than \d+ gzipped bytes can hold/ });
});

test('IDX: huge dimensions with a zero dimension are an error, not NaN sizes and a 34-dimensional empty array', (t) => {
  const zeroAndHuge = idx(0x08, [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0], new Uint8Array(5));
  const error = t.throws(() => parseIdx(zeroAndHuge, 'x.idx'));
  t.regex(error!.message, /^x\.idx: dims \[4294967295, 4294967295, 4294967295, 4294967295, 0\] of ubyte overflow: their product is past 2\^53 values/);
  t.notRegex(error!.message, /NaN/);
  // A dimension count turned into 34: pixels read as dims, one of them zero, no data left.
  const thirtyFour = idx(0x08, Array.from({ length: 34 }, (_, k) => (k === 20 ? 0 : 0x9dc2e70c + k)), new Uint8Array());
  t.throws(() => parseIdx(thirtyFour, 'y.idx'), { message: /^y\.idx: dims \[2646796044, .*\] of ubyte overflow/ });
  t.throws(() => parseIdx(idx(0x08, [3, 0, 7], new Uint8Array(2)), 'z.idx'), { message: /^z\.idx: 2 unexpected bytes after the 0 bytes of data that dims \[3, 0, 7\] of ubyte need/ });
  t.deepEqual(parseIdx(idx(0x08, [3, 0, 7], new Uint8Array()), 'z.idx').dims, [3, 0, 7], 'an empty array of sane dimensions still reads');
  t.throws(() => parseIdx(idx(0x08, [], new Uint8Array(4))), { message: /bad magic number 0x00000800/ });
});

// ---- training checkpoints ------------------------------------------------------------------

function liveState(seed: number): TrainState {
  const model = mlp(seed);
  const optimizer = new Adam(model.parameters(), { lr: 0.01 });
  return { model, optimizer, scheduler: new StepLR(optimizer, { stepSize: 2 }), rngs: { shuffle: new Generator(seed) } };
}

const checkpointDir = join(dir, 'checkpoint-seed');
mkdirSync(checkpointDir);
{
  const state = liveState(3);
  for (const p of state.model.parameters()) p.grad = Tensor.from(Array.from(p.data, (v) => v / 2), p.shape);
  state.optimizer.step();
  state.scheduler!.step();
  saveTrainState(checkpointDir, state, 7);
}
const checkpointSeed = new Uint8Array(readFileSync(join(checkpointDir, CHECKPOINT_FILE)));

test('fuzz: loadTrainState names the checkpoint for every mutant, and an accepted epoch is a non-negative integer', async (t) => {
  await fuzz(t, {
    seedFile: checkpointSeed,
    fileName: CHECKPOINT_FILE,
    read: (_, path) => loadTrainState(dirname(path), liveState(4)),
    errors: /^resume: '.*checkpoint\.safetensors'/,
    seed: 31,
    count: 300,
    truncations: 48,
    fields: [headerLength],
    json: [headerSite, ...['epoch', 'optimizer', 'scheduler', 'rngs', 'format'].map(metadataSite)],
    valid: (epoch) => Number.isSafeInteger(epoch) && (epoch as number) >= 0,
  });
});

/** The seed checkpoint with some metadata replaced (undefined: removed), in a folder of its own. */
function checkpointWith(changes: Record<string, string | undefined>): string {
  const { tensors, metadata } = parseSafetensors(checkpointSeed);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete metadata[k];
    else metadata[k] = v;
  }
  const folder = join(dir, `checkpoint-${files++}`);
  mkdirSync(folder);
  writeFileSync(join(folder, CHECKPOINT_FILE), serializeSafetensors(tensors, metadata));
  return folder;
}

const CHECKPOINT_CASES: [string, Record<string, string | undefined>, RegExp][] = [
  ['an epoch of -1', { epoch: '-1' }, /metadata\.epoch must be a non-negative integer, got "-1"/],
  ['an epoch of 1e400', { epoch: '1e400' }, /metadata\.epoch must be a non-negative integer, got "1e400"/],
  ['an epoch of 2^53', { epoch: String(2 ** 53) }, /metadata\.epoch must be a non-negative integer, got "9007199254740992"/],
  ['an epoch that is not a number', { epoch: 'three' }, /metadata\.epoch must be a non-negative integer, got "three"/],
  ['a missing epoch', { epoch: undefined }, /metadata\.epoch is missing/],
  ['optimizer state that is not JSON', { optimizer: '{"type": "Adam",' }, /metadata\.optimizer is not valid JSON \(/],
  ['optimizer state of null', { optimizer: 'null' }, /metadata\.optimizer must be a JSON object, got null/],
  ['optimizer state of []', { optimizer: '[]' }, /metadata\.optimizer must be a JSON object, got \[\]/],
  ['optimizer state without its state array', { optimizer: '{"type": "Adam", "lr": 0.01}' }, /metadata\.optimizer\.state must be an array, got undefined/],
  ['optimizer state of the wrong length', { optimizer: '{"type": "Adam", "lr": 0.01, "state": []}' }, /metadata\.optimizer\.state has 0 entries, the optimizer has 4 parameters/],
  ['an optimizer learning rate of 1e400', { optimizer: '{"type": "Adam", "lr": 1e400, "state": [null, null, null, null]}' }, /metadata\.optimizer\.lr must be a finite number >= 0, got Infinity/],
  ['an optimizer of another type', { optimizer: '{"type": "SGD", "lr": 0.1, "state": [null, null, null, null]}' }, /Adam\.loadStateDict: the state dict is for a SGD optimizer, not Adam/],
  ['a step count that is a string', { optimizer: '{"type": "Adam", "lr": 0.1, "state": [{"step": "1"}, null, null, null]}' }, /metadata\.optimizer\.state\[0\]\.step must be a finite number, got "1"/],
  ['a scheduler of []', { scheduler: '[]' }, /metadata\.scheduler must be a JSON object or null, got \[\]/],
  ['a scheduler epoch of -1', { scheduler: '{"type": "StepLR", "lastEpoch": -1, "baseLr": 0.01}' }, /StepLR\.loadStateDict: lastEpoch must be an integer >= 0, got -1/],
  ['generator states of null', { rngs: 'null' }, /metadata\.rngs must be a JSON object of generator states, got null/],
  ['a missing generator state', { rngs: '{}' }, /has no state for generator 'shuffle' \(metadata\.rngs\.shuffle is missing\)/],
  ['a generator state of the wrong shape', { rngs: '{"shuffle": {"s": [1, 2, 3], "spare": null}}' }, /metadata\.rngs\.shuffle\.s must be an array of 4 unsigned 32-bit integers, got \[1, 2, 3\]/],
  ['a missing rngs field', { rngs: undefined }, /metadata\.rngs is missing/],
  ['another format', { format: 'x' }, /is not an Eole checkpoint \(metadata\.format is "x"\)/],
];

for (const [what, changes, message] of CHECKPOINT_CASES) {
  test(`checkpoint metadata: ${what} is an error naming the file and the field, and changes nothing`, (t) => {
    const folder = checkpointWith(changes);
    const state = liveState(8);
    const before = state.model.parameters().map((p) => Array.from(p.data));
    const lr = state.optimizer.lr;
    const rng = state.rngs!['shuffle']!.getState();
    const error = t.throws(() => resume(folder, state));
    t.true(error!.message.startsWith(`resume: '${join(folder, CHECKPOINT_FILE)}'`), error!.message);
    t.regex(error!.message, message);
    t.notRegex(error!.message, /NaN/);
    t.deepEqual(state.model.parameters().map((p) => Array.from(p.data)), before, 'the model is unchanged');
    t.is(state.optimizer.lr, lr);
    t.deepEqual(state.rngs!['shuffle']!.getState(), rng);
  });
}

test('checkpoint: the seed resumes after epoch 7, and a truncated file is an error naming it', (t) => {
  t.is(resume(checkpointDir, liveState(9)), 8);
  const folder = join(dir, 'truncated-checkpoint');
  mkdirSync(folder);
  writeFileSync(join(folder, CHECKPOINT_FILE), checkpointSeed.subarray(0, 100));
  t.throws(() => resume(folder, liveState(9)), { message: /^resume: '.*truncated-checkpoint.*checkpoint\.safetensors': safetensors: header length \d+ exceeds the 92 bytes/ });
});
