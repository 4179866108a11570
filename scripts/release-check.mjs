#!/usr/bin/env node
// Packs every public workspace package, installs @eole/core's tarball alone into a fresh folder
// outside the repository (offline, from the npm cache) and trains a perceptron through it, then
// installs @eole/conv beside it in another
// folder and runs LeNet-5. Proves the published artefacts work on their own, without the monorepo.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const requiredFiles = ['dist/index.js', 'dist/index.d.ts'];
const keptNpmConfig = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);

/** The environment minus what `npm run` injects, so a nested npm does not act on the repo root. */
function cleanEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    const lower = key.toLowerCase();
    const injected =
      (lower.startsWith('npm_config_') && !keptNpmConfig.has(lower)) ||
      lower.startsWith('npm_lifecycle_') ||
      lower.startsWith('npm_package_') ||
      lower === 'init_cwd';
    if (injected) delete env[key];
  }
  return env;
}

function run(cmd, args, cwd, { capture = false } = {}) {
  console.log(`$ (cd ${cwd}) ${cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit',
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout ?? '' };
}

function workspacePackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
    .map((entry) => {
      const path = join(dir, entry.name);
      return { path, manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) };
    })
    .filter(({ manifest }) => !manifest.private);
}

function pack(pkg, destination) {
  const { status, stdout } = run('npm', ['pack', '--json', '--pack-destination', destination], pkg.path, {
    capture: true,
  });
  if (status !== 0) throw new Error(`npm pack failed for ${pkg.manifest.name} (exit ${status})`);
  const jsonStart = stdout.indexOf('[');
  const [info] = JSON.parse(stdout.slice(jsonStart));
  const packed = new Set(info.files.map((file) => file.path));
  const missing = requiredFiles.filter((file) => !packed.has(file));
  if (missing.length > 0) {
    throw new Error(`${info.filename} lacks ${missing.join(', ')}`);
  }
  console.log(`packed ${info.id}: ${info.files.length} files, ${info.size} bytes, has ${requiredFiles.join(' and ')}`);
  return { name: info.name, version: info.version, tarball: join(destination, info.filename) };
}

function install(consumer, tarballs) {
  const common = ['install', '--no-audit', '--no-fund', ...tarballs];
  if (run('npm', ['--offline', ...common], consumer).status === 0) return 'offline';
  console.log('offline install failed; retrying with --prefer-offline (cache first, registry for misses)');
  if (run('npm', ['--prefer-offline', ...common], consumer).status === 0) return 'prefer-offline';
  throw new Error('npm install of the tarballs failed');
}

const checkScript = `import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Perceptron, Tensor } from '@eole/core';

const entry = fileURLToPath(import.meta.resolve('@eole/core'));
const here = fileURLToPath(new URL('./node_modules/@eole/core/', import.meta.url));
if (!entry.startsWith(here + 'dist')) {
  throw new Error('@eole/core resolved to ' + entry + ', not to the installed dist');
}
const { version } = JSON.parse(readFileSync(new URL('./node_modules/@eole/core/package.json', import.meta.url), 'utf8'));

const points = [];
const labels = [];
for (let i = 0; i < 40; i++) {
  const label = i < 20 ? 1 : -1;
  const along = ((i * 7) % 20) / 10 - 1;
  const away = 0.3 + (i % 5) * 0.25;
  points.push(along + label * away, -along + label * away);
  labels.push(label);
}
const x = Tensor.from(points, [40, 2]);
const y = Tensor.from(labels, [40]);
const result = new Perceptron(2, { seed: 1 }).fit(x, y, { maxEpochs: 100 });
if (result.converged !== true || result.errors !== 0 || !Number.isInteger(result.epochs)) {
  console.error('release:check FAILED: perceptron did not converge:', JSON.stringify(result));
  process.exit(1);
}
console.log('release:check OK: @eole/core@' + version + ' installed from its tarball alone, perceptron converged in ' + result.epochs + ' epochs');
`;

const convScript = `import { Generator, Tensor } from '@eole/core';
import { LeNet5 } from '@eole/conv';
const net = LeNet5({ rng: new Generator(1) });
const out = net.forward(Tensor.zeros([2, 784]));
if (out.shape.join('x') !== '2x10') { console.error('release:check FAILED: LeNet5 output shape ' + out.shape); process.exit(1); }
console.log('release:check OK: @eole/conv installed beside @eole/core from their tarballs, LeNet5 gives ' + out.shape.join('x'));
`;

const rnnScript = `import { Generator, Tensor } from '@eole/core';
import { LSTM } from '@eole/rnn-memory';
const lstm = new LSTM(3, 4, { rng: new Generator(1) });
const out = lstm.forward(Tensor.zeros([2, 5, 3]));
if (out.shape.join('x') !== '2x5x4') { console.error('release:check FAILED: LSTM output shape ' + out.shape); process.exit(1); }
console.log('release:check OK: @eole/rnn-memory installed beside @eole/core from their tarballs, LSTM gives ' + out.shape.join('x'));
`;

const metricScript = `import { Generator, Linear, Tensor } from '@eole/core';
import { ContrastiveCriterion, PairwiseDistance, Siamese } from '@eole/metric';
const siamese = new Siamese(new Linear(4, 2, { rng: new Generator(1) }));
const d = new PairwiseDistance().forward(siamese.forward(Tensor.randn([2, 3, 4], new Generator(2))));
const loss = new ContrastiveCriterion(1).forward(d, Tensor.from([0, 1, 0]));
if (d.shape.join('x') !== '3' || !Number.isFinite(loss.item())) { console.error('release:check FAILED: Siamese distances ' + d.shape + ', DrLIM loss ' + loss.item()); process.exit(1); }
console.log('release:check OK: @eole/metric installed beside @eole/core and @eole/conv from their tarballs, DrLIM loss ' + loss.item().toFixed(4));
`;

const speechScript = `import { Generator, Tensor } from '@eole/core';
import { AcousticConvNet, mfcc, resample } from '@eole/speech';
const tone = new Float32Array(16000).map((_, i) => Math.sin((2 * Math.PI * 440 * i) / 16000));
const features = mfcc(resample(tone, 16000, 8000), 8000);
const out = AcousticConvNet({ rng: new Generator(1) }).evaluate().forward(Tensor.zeros([2, 1600]));
if (features.shape[1] !== 40 || out.shape.join('x') !== '2x10') { console.error('release:check FAILED: mfcc ' + features.shape + ', AcousticConvNet ' + out.shape); process.exit(1); }
console.log('release:check OK: @eole/speech installed beside @eole/core and @eole/conv from their tarballs, ' + features.shape[0] + ' MFCC frames, AcousticConvNet gives ' + out.shape.join('x'));
`;

/** A fresh consumer folder with only `tarballs` installed, running `script`. */
function consume(tmp, name, tarballs, script) {
  const consumer = join(tmp, name);
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ type: 'module', allowScripts: { gl: false } }, null, 2) + '\n');
  const mode = install(consumer, tarballs.map((pkg) => pkg.tarball));
  console.log(`installed ${tarballs.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')} into ${name} (${mode})`);
  writeFileSync(join(consumer, 'check.mjs'), script);
  const { status } = run(process.execPath, ['check.mjs'], consumer);
  if (status !== 0) throw new Error(`${name}/check.mjs exited with ${status}`);
}

function main() {
  const tmp = mkdtempSync(join(tmpdir(), 'eole-release-check-'));
  try {
    const packed = workspacePackages().map((pkg) => pack(pkg, tmp));
    const core = packed.find((pkg) => pkg.name === '@eole/core');
    if (!core) throw new Error('no @eole/core package found under packages/');
    consume(tmp, 'core-only', [core], checkScript);
    const conv = packed.find((pkg) => pkg.name === '@eole/conv');
    if (conv) consume(tmp, 'with-conv', [core, conv], convScript);
    const rnn = packed.find((pkg) => pkg.name === '@eole/rnn-memory');
    if (rnn) consume(tmp, 'with-rnn-memory', [core, rnn], rnnScript);
    const metric = packed.find((pkg) => pkg.name === '@eole/metric');
    if (metric && conv) consume(tmp, 'with-metric', [core, conv, metric], metricScript);
    const speech = packed.find((pkg) => pkg.name === '@eole/speech');
    if (speech && conv) consume(tmp, 'with-speech', [core, conv, speech], speechScript);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error) {
  console.error(`release:check FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
