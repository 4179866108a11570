import test from 'ava';
import { readFileSync } from 'node:fs';
import { fuzz, FuzzFailure, fuzzMutant, fuzzReader, mutantCount, type FuzzJsonSite } from '@eole/core/testing';

const seedFile = new Uint8Array([0x00, 0x00, 0x08, 0x01, 0, 0, 0, 3, 7, 8, 9]);

/** A tiny strict reader of the file above: names 'tiny' in every error. */
function tiny(bytes: Uint8Array): number[] {
  if (bytes.length < 8) throw new Error(`tiny: truncated at ${bytes.length} bytes`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  if (bytes.length !== 8 + n) throw new Error(`tiny: count ${n} does not match the ${bytes.length - 8} bytes of data`);
  return Array.from(bytes.subarray(8));
}

const header: FuzzJsonSite = {
  name: 'document',
  extract: (bytes) => new TextDecoder().decode(bytes),
  replace: (_, text) => new TextEncoder().encode(text),
};

test('a reader whose every error names it passes, with truncation at every length', async (t) => {
  const report = await fuzz(t, { seedFile, read: tiny, errors: /^tiny: /, seed: 3, count: 100, fields: [{ name: 'count', offset: 4, width: 4, endian: 'big' }] });
  t.is(report?.mutants, seedFile.length + 100);
  t.is(report?.kinds['truncate'], seedFile.length);
  t.true((report?.kinds['field'] ?? 0) > 0);
});

test('mutants are reproducible from the seed and the index, and differ across seeds', (t) => {
  const options = { seedFile, seed: 7, count: 50, fields: [{ name: 'count', offset: 4, width: 4 as const, endian: 'big' as const }] };
  t.is(mutantCount(options), seedFile.length + 50);
  for (const i of [0, 11, 20, 42, 60]) t.deepEqual(fuzzMutant(options, i), fuzzMutant(options, i));
  const a = Array.from({ length: 50 }, (_, i) => fuzzMutant(options, seedFile.length + i).description);
  const b = Array.from({ length: 50 }, (_, i) => fuzzMutant({ ...options, seed: 8 }, seedFile.length + i).description);
  t.notDeepEqual(a, b);
});

test('the first bad mutant is reported with its seed, index, mutation and hex', async (t) => {
  const error = await t.throwsAsync(
    fuzzReader({ seedFile, seed: 1, count: 10, errors: /^tiny: /, read: (b) => { if (b.length < 8) throw new TypeError('undefined is not an object'); return tiny(b); } }),
    { instanceOf: FuzzFailure },
  );
  t.regex(error!.message, /^fuzz: mutant #0 of seed 1 \(truncate: first 0 of 11 bytes\) gave an error that does not name the file or field/);
  t.regex(error!.message, /TypeError: undefined is not an object/);
  t.regex(error!.message, /from offset 0, seed \[00 00 08 01 00 00 00 03 07 08 09\] became \[\]/);
  t.is(error!.mutant.index, 0);
});

test('a reader that rejects the seed file, a non-Error, a slow read and a large allocation all fail', async (t) => {
  await t.throwsAsync(fuzzReader({ seedFile, read: () => { throw new Error('tiny: no'); }, errors: /tiny/ }), { message: /mutant #-1 .*the seed file must be valid/ });
  await t.throwsAsync(fuzzReader({ seedFile, truncations: 1, read: (b) => { if (b.length === 0) throw 'tiny'; return 1; }, errors: /tiny/ }), { message: /threw a non-Error: tiny/ });
  let calls = 0;
  const slow = (): number => {
    if (calls++ === 1) for (const start = process.cpuUsage(); process.cpuUsage(start).user < 400_000; );
    return 1;
  };
  await t.throwsAsync(fuzzReader({ seedFile, read: slow, errors: /tiny/, timeLimitMs: 250 }), { message: /mutant #0 .*took \d+ ms of CPU time \(\d+ ms wall-clock\), more than the 250 ms allowed/ });
  const kept: Uint8Array[] = [];
  calls = 0;
  const hungry = (): number => {
    if (calls++ === 2) kept.push(new Uint8Array(64 * 2 ** 20).fill(1));
    return 1;
  };
  await t.throwsAsync(fuzzReader({ seedFile, read: hungry, errors: /tiny/, memoryLimitBytes: 32 * 2 ** 20 }), { message: /mutant #1 .*grew memory by \d+ MiB, more than the 32 MiB allowed/ });
  kept.length = 0;
});

test('a result can be checked, and a path-taking reader gets a file holding the mutant', async (t) => {
  await t.throwsAsync(fuzzReader({ seedFile, count: 0, read: tiny, errors: /tiny/, valid: (r) => (r as number[]).length === 2 }), { message: /mutant #-1 .*was accepted but its result is not valid/ });
  await t.throwsAsync(fuzzReader({ seedFile, count: 100, read: tiny, errors: /tiny/, valid: (r) => (r as number[]).every((v) => v >= 7) }), { message: /mutant #\d+ of seed 0 \(\w+: .*was accepted but its result is not valid/ });
  await fuzz(t, { seedFile, count: 20, fileName: 'tiny.bin', read: (_, path) => tiny(readFileSync(path)), errors: /^tiny: / });
});

test('JSON sites get structural mutations: deep nesting, wrong types, huge and non-finite numbers', (t) => {
  const doc = new TextEncoder().encode(JSON.stringify({ shape: [2, 3], offsets: [0, 24], name: 'w' }));
  const descriptions = Array.from({ length: 300 }, (_, i) => fuzzMutant({ seedFile: doc, seed: 2, count: 300, truncations: 0, json: [header] }, i));
  const json = descriptions.filter((m) => m.kind === 'json');
  t.true(json.length > 50);
  const all = json.map((m) => m.description).join('\n');
  for (const what of ['1e400', '[[[[', 'null', '"NaN"', 'deleted', '-1']) t.true(all.includes(what), `some mutation writes ${what}`);
  const deep = json.find((m) => m.description.includes('[[[['))!;
  t.true(deep.bytes.length > 100);
});

test('a Buffer seed (whose slice is a view) is never changed by the mutations', async (t) => {
  const buffer = Buffer.from(seedFile);
  await fuzzReader({ seedFile: buffer, count: 200, read: () => 1, errors: /tiny/, fields: [{ name: 'count', offset: 4, width: 4, endian: 'big' }], mutators: { zero: (b) => ({ bytes: b.fill(0), description: 'zeroed' }) } });
  t.deepEqual([...buffer], [...seedFile]);
});
