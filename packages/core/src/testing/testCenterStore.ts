import type { TestFn } from 'ava';
import { elasticExchange, Generator, sumInOrder, type CenterStore } from '../index.js';

/** Opens `handles` handles onto one fresh store of `size` values for run `runId` (one per worker). */
export type OpenCenterStore = (size: number, runId: string, handles: number) => Promise<CenterStore[]>;

function random(n: number, seed: number): Float32Array {
  const rng = new Generator(seed);
  return Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1);
}

let runs = 0;
function runId(name: string): string {
  runs++;
  return `${name.replace(/\W+/g, '-')}-${process.pid}-${runs}`;
}

/**
 * Declares the tests every {@link CenterStore} must pass, the same table for the in-process,
 * shared-memory, child-process and Redis stores: join creates the centre once and hands it to the
 * next worker; read before any centre rejects; `elastic` and `push` match {@link elasticExchange}
 * and a float32 sum bit for bit; concurrent exchanges from several handles keep Σxⁱ + x̃ (an
 * exchange that is not atomic loses updates and breaks it); `allReduceSum` gives every rank the
 * rank-ordered float32 sum, round after round, and times out naming the missing rank; arrays of the
 * wrong length are refused with an error naming the argument; reports round-trip.
 *
 * @example
 * testCenterStore(test, 'LocalCenter', async (size, runId, handles) => { const c = new LocalCenter(size, runId); return Array(handles).fill(c); });
 */
export function testCenterStore(test: TestFn, name: string, open: OpenCenterStore): void {
  const withStores = async (size: number, handles: number, body: (stores: CenterStore[]) => Promise<void>): Promise<void> => {
    const stores = await open(size, runId(name), handles);
    try {
      await body(stores);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  };

  test(`${name}: the first join creates the centre, the next one receives it; read before any centre rejects`, async (t) => {
    await withStores(7, 2, async ([a, b]) => {
      await t.throwsAsync(() => a!.read(new Float32Array(7)), { message: /no centre/ });
      const x = random(7, 1);
      t.true(await a!.join(x.slice()));
      const y = random(7, 2);
      t.false(await b!.join(y));
      t.deepEqual(Array.from(y), Array.from(x));
      const out = new Float32Array(7);
      await b!.read(out);
      t.deepEqual(Array.from(out), Array.from(x));
      await b!.write(random(7, 3));
      await a!.read(out);
      t.deepEqual(Array.from(out), Array.from(random(7, 3)));
    });
  });

  test(`${name}: elastic and push match elasticExchange and a float32 sum bit for bit`, async (t) => {
    await withStores(1001, 1, async ([s]) => {
      const center = random(1001, 4);
      await s!.write(center);
      const x = random(1001, 5);
      const [xRef, cRef] = [x.slice(), center.slice()];
      await s!.elastic(x, 0.45);
      elasticExchange(xRef, cRef, 0.45);
      const out = new Float32Array(1001);
      await s!.read(out);
      t.deepEqual(Array.from(x), Array.from(xRef));
      t.deepEqual(Array.from(out), Array.from(cRef));
      const delta = random(1001, 6);
      await s!.push(delta, out);
      for (let i = 0; i < 1001; i++) cRef[i] = cRef[i]! + delta[i]!;
      t.deepEqual(Array.from(out), Array.from(cRef));
    });
  });

  test(`${name}: concurrent elastic exchanges from 3 handles are atomic (Σxⁱ + x̃ is kept)`, async (t) => {
    await withStores(257, 3, async (stores) => {
      const xs = stores.map((_, k) => random(257, 10 + k));
      await stores[0]!.write(new Float32Array(257));
      const total = (c: Float32Array): number[] => Array.from(c, (v, i) => v + xs.reduce((s, x) => s + x[i]!, 0));
      const before = total(new Float32Array(257));
      await Promise.all(stores.map(async (s, k) => {
        for (let i = 0; i < 20; i++) await s.elastic(xs[k]!, 0.3);
      }));
      const c = new Float32Array(257);
      await stores[0]!.read(c);
      const after = total(c);
      const worst = Math.max(...after.map((v, i) => Math.abs(v - before[i]!)));
      t.true(worst < 1e-4, `Σxⁱ + x̃ moved by ${worst}`);
      t.true(Math.abs(c[0]!) > 0, 'the centre moved');
    });
  });

  test(`${name}: allReduceSum gives every rank the rank-ordered float32 sum, round after round`, async (t) => {
    await withStores(33, 3, async (stores) => {
      for (let round = 0; round < 4; round++) {
        const parts = stores.map((_, k) => random(33, 100 * round + k));
        const expected = new Float32Array(33);
        sumInOrder(parts, expected);
        const got = parts.map((p) => p.slice());
        await Promise.all(stores.map((s, k) => s.allReduceSum(got[k]!, round, k, 3)));
        for (const g of got) t.deepEqual(Array.from(g), Array.from(expected));
      }
    });
  });

  test(`${name}: allReduceSum times out naming the rank that never came`, async (t) => {
    await withStores(5, 2, async ([a]) => {
      await t.throwsAsync(() => a!.allReduceSum(new Float32Array(5), 0, 0, 2, 300), { message: /round 0.*rank\(s\) 1/ });
    });
  });

  test(`${name}: arrays of the wrong length or type are refused, naming the argument`, async (t) => {
    await withStores(6, 1, async ([s]) => {
      await t.throwsAsync(() => s!.join(new Float32Array(5)), { message: /join: x has 5 values, the centre has 6/ });
      await s!.write(new Float32Array(6));
      await t.throwsAsync(() => s!.elastic(new Float32Array(7), 0.1), { message: /elastic: x has 7 values, the centre has 6/ });
      await t.throwsAsync(() => s!.push(new Float32Array(6), new Float32Array(2)), { message: /push: out has 2 values/ });
      await t.throwsAsync(() => s!.elastic(new Float64Array(6) as unknown as Float32Array, 0.1), { message: /x must be a Float32Array of 6 values, got Float64Array/ });
      await t.throwsAsync(() => s!.elastic(new Float32Array(6), 2), { message: /alpha must be a number in \[0, 1\]/ });
    });
  });

  test(`${name}: reports round-trip, the latest per rank`, async (t) => {
    await withStores(3, 2, async ([a, b]) => {
      const r = { rank: 1, epoch: 2, step: 17, samples: 544, loss: 0.25, done: false, time: 1700000000000 };
      await b!.report({ ...r, step: 16 });
      await b!.report(r);
      await a!.report({ ...r, rank: 0, done: true });
      t.deepEqual(await a!.reports(), [{ ...r, rank: 0, done: true }, r]);
    });
  });
}
