import test, { type ExecutionContext } from 'ava';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defineFunction, Generator, Linear, Module, Tanh, Tensor } from '@eole/core';
import {
  awayFrom, checkModule, checkOp, checkRoundTrip, close, dataDir, dataTest, distinct, firstDifference, maxAbsErr, maxRelErr, normRelErr, parameterCount, repoRoot, rowsOf, same, tempDir, type DeclareTest, type ModuleCase,
} from '@eole/core/testing';

// The kit must fail where it should: each check runs inside t.try and the attempt must not pass.

/** x², with a backward that forgets the factor 2. */
const badSquare = defineFunction<Tensor>({ name: 'badSquare', forward: ([x]) => ({ output: x!.mul(x!), saved: x! }), backward: (x, g) => [g.mul(x)] });

class BadSquare extends Module {
  protected updateOutput(input: Tensor): Tensor {
    return badSquare(input);
  }
}

/** Tanh whose Torch7 backward returns twice the autograd gradient. */
class DoubledBackward extends Tanh {
  override backward(input: Tensor, gradOutput: Tensor): Tensor {
    return super.backward(input, gradOutput).mul(2);
  }
}

/** y = s·x with a scale s drawn at construction and kept out of the state dict. */
class HiddenScale extends Module {
  readonly scale: number;
  constructor(rng: Generator) {
    super();
    this.scale = 1 + rng.uniform();
  }
  protected updateOutput(input: Tensor): Tensor {
    return input.mul(this.scale);
  }
}

/** Runs `fn` as an attempt and discards it; true when the kit reported a failure. */
async function fails(t: ExecutionContext, fn: (tt: ExecutionContext) => void): Promise<boolean> {
  const attempt = await t.try(fn);
  const failed = !attempt.passed;
  attempt.discard();
  return failed;
}

/** Runs `fn` as an attempt and commits it: the test fails with the kit's messages if it did. */
async function passes(t: ExecutionContext, fn: (tt: ExecutionContext) => void): Promise<void> {
  (await t.try(fn)).commit();
}

test('checkModule passes a correct module on every check', async (t) => {
  await passes(t, (tt) => checkModule(tt, { make: (rng) => new Linear(5, 4, { rng }), shape: [3, 5], parityShape: [8, 33], parityMake: (rng) => new Linear(33, 17, { rng }) }));
});

test('checkModule catches a module whose backward is wrong (gradcheck)', async (t) => {
  t.true(await fails(t, (tt) => checkModule(tt, { make: () => new BadSquare(), shape: [3, 4], checks: ['gradcheck'] })), 'the gradcheck of a wrong backward fails');
});

test('checkModule catches a Torch7 backward(input, gradOutput) that differs from autograd', async (t) => {
  const c: ModuleCase = { make: () => new DoubledBackward(), shape: [3, 4] };
  await passes(t, (tt) => checkModule(tt, c, ['gradcheck']));
  t.true(await fails(t, (tt) => checkModule(tt, c, ['backward'])), 'backward = autograd fails');
});

test('checkModule catches a state the state dict does not carry (round trip)', async (t) => {
  t.true(await fails(t, (tt) => checkModule(tt, { make: (rng) => new HiddenScale(rng), shape: [2, 3], checks: ['roundTrip'] })), 'the loaded module computes another output');
  await passes(t, (tt) => checkRoundTrip(tt, new Linear(3, 2, { rng: new Generator(1) }), new Linear(3, 2, { rng: new Generator(2) }), Tensor.randn([4, 3], new Generator(3))));
});

test('checkOp passes a correct op and catches a wrong gradient and a wrong oracle', async (t) => {
  const square = (x: Tensor): Tensor => x.mul(x);
  await passes(t, (tt) => checkOp(tt, square, { shapes: [[3, 4]], shape: [3, 4], oracle: (a) => Array.from(a.data, (v) => v * v) }));
  t.true(await fails(t, (tt) => checkOp(tt, (x) => badSquare(x), { shapes: [[3, 4]] })), 'a wrong gradient fails');
  t.true(await fails(t, (tt) => checkOp(tt, square, { shapes: [[3, 4]], oracle: (a) => Array.from(a.data, (v) => v * v + 1e-3) })), 'a forward off by 1e-3 fails');
  t.true(await fails(t, (tt) => checkOp(tt, square, { shapes: [[3, 4]], shape: [4, 3] })), 'a wrong output shape fails');
});

test('tolerance helpers: values, size mismatch and NaN', (t) => {
  t.is(maxRelErr([1, 200], [1, 100]), 1);
  t.is(maxRelErr([0.5], [0]), 0.5, 'absolute below 1');
  t.is(normRelErr([1, 101], [1, 100]), 0.01);
  t.is(maxAbsErr([1, 2], [1, 2.5]), 0.5);
  for (const f of [maxRelErr, normRelErr, maxAbsErr]) {
    t.is(f([1, 2], [1]), Infinity, `${f.name}: sizes differ`);
    t.is(f([Number.NaN], [1]), Infinity, `${f.name}: NaN`);
  }
  t.is(firstDifference([1, 2, 3], [1, 5, 3]), 1);
  t.is(firstDifference([1, 2], [1, 2, 3]), 2);
  t.is(firstDifference([Number.NaN], [Number.NaN]), -1);
  same(t, [1, 2], Float32Array.of(1, 2), 'equal arrays');
  close(t, [1, 2.0001], [1, 2], 1e-4, 'close arrays');
});

test('input makers: awayFrom keeps a gap around the kink; distinct values are a spaced permutation', (t) => {
  const x = awayFrom([100], new Generator(1), 0.5, 0.1);
  t.true(x.data.every((v) => Math.abs(v - 0.5) >= 0.1 - 1e-6));
  const d = distinct([2, 3], new Generator(2), 0.5);
  t.deepEqual([...d.data].sort((a, b) => a - b), [-1.5, -1, -0.5, 0, 0.5, 1]);
});

test('repoRoot and dataDir: the workspace root above the test folder, EOLE_DATA relative to it', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eole-kit-root-'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'r', workspaces: ['packages/*'] }));
  const pkg = join(root, 'packages', 'p', 'test');
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(root, 'packages', 'p', 'package.json'), JSON.stringify({ name: 'p' }));
  t.is(repoRoot(pkg), root);
  const saved = process.env['EOLE_DATA'];
  try {
    delete process.env['EOLE_DATA'];
    t.is(dataDir(pkg), resolve(root, '..', 'shared', 'data'));
    process.env['EOLE_DATA'] = 'data';
    t.is(dataDir(pkg), join(root, 'data'));
    process.env['EOLE_DATA'] = '/elsewhere/data';
    t.is(dataDir(pkg), '/elsewhere/data');
  } finally {
    if (saved === undefined) delete process.env['EOLE_DATA'];
    else process.env['EOLE_DATA'] = saved;
  }
  t.is(repoRoot(), resolve(process.cwd(), '..', '..'), 'from packages/core, the monorepo root');
});

test('dataTest declares a skipped test naming what is missing, or a test that gets the path', (t) => {
  const declared: string[] = [];
  const fake = Object.assign((title: string) => void declared.push(`run: ${title}`), { skip: (title: string) => void declared.push(`skip: ${title}`) }) as DeclareTest;
  dataTest(fake, 'absent', ['no-such-folder-here'], () => {});
  t.regex(declared[0]!, /^skip: absent \(needs no-such-folder-here under .* \(set EOLE_DATA\); absent here, skipped\)$/);
  const saved = process.env['EOLE_DATA'];
  try {
    process.env['EOLE_DATA'] = resolve('.');
    dataTest(fake, 'present', ['package.json'], () => {});
  } finally {
    if (saved === undefined) delete process.env['EOLE_DATA'];
    else process.env['EOLE_DATA'] = saved;
  }
  t.is(declared[1], 'run: present');
});

test('tempDir makes a fresh folder per call; parameterCount sums the parameter sizes; rowsOf splits a matrix', (t) => {
  const a = tempDir('kit');
  const b = tempDir('kit');
  t.not(a, b);
  t.true(existsSync(a) && /eole-kit-/.test(a));
  t.is(parameterCount(new Linear(784, 10)), 7850);
  t.is(parameterCount(new Tanh()), 0);
  t.deepEqual(rowsOf(Tensor.from([1, 2, 3, 4, 5, 6], [2, 3])), [[1, 2, 3], [4, 5, 6]]);
});
