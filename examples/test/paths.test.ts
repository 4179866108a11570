import test from 'ava';
import { join, resolve } from 'node:path';
import { parseCli } from '../lib/cli.js';
import { commandLinePath, invocationDir, REPO_ROOT, runsFolder } from '../lib/paths.js';
import { startRun } from '../lib/run.js';

const spec = { name: 'demo', summary: 'a demo', uses: ['data', 'eval'] as const };

/** Runs `body` with INIT_CWD set to `dir` (synchronously: no other test sees it). */
function withInitCwd<T>(dir: string | undefined, body: () => T): T {
  const saved = process.env['INIT_CWD'];
  if (dir === undefined) delete process.env['INIT_CWD'];
  else process.env['INIT_CWD'] = dir;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env['INIT_CWD'];
    else process.env['INIT_CWD'] = saved;
  }
}

test('the default --out is runs/<example> at the repository root, wherever the command runs', (t) => {
  t.is(REPO_ROOT, resolve(import.meta.dirname, '..', '..'));
  for (const cwd of [undefined, '/somewhere/else', join(REPO_ROOT, 'examples')]) {
    t.is(withInitCwd(cwd, () => parseCli([], spec).out), join(REPO_ROOT, 'runs', 'demo'));
  }
  t.is(runsFolder('demo', 'x.safetensors'), join(REPO_ROOT, 'runs', 'demo', 'x.safetensors'));
  t.is(withInitCwd(undefined, () => startRun({ ...parseCli(['--eval', '/m.safetensors'], spec), backend: 'cpu' }).out), join(REPO_ROOT, 'runs', 'demo'));
});

test('a relative path on the command line is taken from where the command was typed (npm\'s INIT_CWD), an absolute one as it is', (t) => {
  const flags = withInitCwd('/home/me/eole', () => parseCli(['--out', 'runs/mine', '--data', 'data/babi', '--eval', '/abs/m.safetensors'], spec));
  t.like(flags, { out: '/home/me/eole/runs/mine', data: '/home/me/eole/data/babi', eval: '/abs/m.safetensors' });
  t.is(withInitCwd(undefined, () => invocationDir()), process.cwd());
  t.is(withInitCwd(undefined, () => commandLinePath('a/b')), resolve(process.cwd(), 'a/b'));
  t.is(withInitCwd('/x', () => parseCli(['--backend', 'cpu'], spec).backend), 'cpu', 'flags that are not paths stay as typed');
});

test('runs/ is git-ignored', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const ignored = execFileSync('git', ['check-ignore', '-v', join(REPO_ROOT, 'runs', 'demo', 'checkpoint.safetensors')], { cwd: REPO_ROOT, encoding: 'utf8' });
  t.regex(ignored, /^\.gitignore:\d+:runs\//);
});
