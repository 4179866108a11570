#!/usr/bin/env node
// Release rehearsal: proves, end to end and without touching this repository, that the packages can
// be versioned and published one by one, and that each works on its own once installed by name.
//
//  1. Clones HEAD into a temporary folder (its node_modules mirror this repository's, with the
//     @eole/* links pointing into the clone).
//  2. Runs `npm run release:version -- --yes` there, as the real release will: lerna version with
//     conventional commits, which bumps the packages changed since their last tag (all of them on
//     the first release), writes their CHANGELOG.md entries and tags them.
//  3. Commits a `fix(metric): rehearsal` change and runs lerna version again: exactly @eole/metric
//     (and any package depending on it) must get a patch bump, a CHANGELOG entry and a tag.
//  4. Builds, starts verdaccio on 127.0.0.1 (storage in the temporary folder, no uplinks), creates
//     a user through its API and runs `lerna publish from-package` against it.
//  5. For each package, a fresh folder outside the repository installs `@eole/<pkg>@<version>` by
//     name from that registry (third-party packages from the npm cache or the usual registry),
//     checks that no workspace link or stale cache was used and that no file its exports or its
//     shipped code import is missing, then runs the first ```ts block of the installed README.md
//     with tsx and checks that it prints the README's ```text block; the example is also
//     type-checked against the installed declarations. @eole/core installed alone must also apply
//     its gpu.js code generator fix and run its kernel thread pool (2 threads = 1 thread, bit for bit).
//
// Releasing for real, on a clean main: `npm run release:version` (lerna version --conventional-commits
// --no-push: bumps the changed packages, writes their CHANGELOG.md, commits `chore(release): publish`
// and creates annotated tags `@eole/<pkg>@<version>`), then `npm run release:publish` (lerna publish
// from-package, to the registry npm is configured for). This script rehearses both.
//
// Flags: --keep leaves the temporary folder for inspection; --from DIR rehearses the HEAD of another
// clone (node_modules still come from this one). Exit status 0 only if every step passed.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const fromIndex = process.argv.indexOf('--from');
const source = fromIndex > 0 ? resolve(process.argv[fromIndex + 1] ?? '.') : root;
const rehearsalPackage = 'metric';
const keptNpmConfig = new Set(['npm_config_cache', 'npm_config_userconfig', 'npm_config_registry']);
const started = Date.now();
const results = [];
const failures = [];

// ---------------------------------------------------------------------------------------------
// Processes

/** The environment minus what `npm run` injects, so a nested npm does not act on this repo's root. */
function cleanEnv(extra = {}) {
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
  return { ...env, FORCE_COLOR: '0', NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...extra };
}

/** Git settings for the clone: an identity (CI has none) and no signing. */
const gitEnv = {
  GIT_AUTHOR_NAME: 'Eole release rehearsal',
  GIT_AUTHOR_EMAIL: 'rehearsal@eole.invalid',
  GIT_COMMITTER_NAME: 'Eole release rehearsal',
  GIT_COMMITTER_EMAIL: 'rehearsal@eole.invalid',
  GIT_CONFIG_COUNT: '3',
  GIT_CONFIG_KEY_0: 'commit.gpgsign',
  GIT_CONFIG_VALUE_0: 'false',
  GIT_CONFIG_KEY_1: 'tag.gpgsign',
  GIT_CONFIG_VALUE_1: 'false',
  GIT_CONFIG_KEY_2: 'tag.forceSignAnnotated',
  GIT_CONFIG_VALUE_2: 'false',
  npm_config_prefer_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};

/** Runs a command; throws with its output on a non-zero exit. Returns stdout. */
function run(cmd, args, cwd, { quiet = false, env = {}, allowFail = false } = {}) {
  if (!quiet) console.log(`$ (cd ${shortPath(cwd)}) ${cmd === process.execPath ? 'node' : cmd} ${args.join(' ')}`);
  const result = spawnSync(cmd, args, { cwd, env: cleanEnv(env), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  const status = result.status ?? 1;
  if (status !== 0 && !allowFail) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${status}:\n${output}`);
  }
  return allowFail ? { status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' } : result.stdout ?? '';
}

function git(args, cwd, options = {}) {
  return run('git', args, cwd, { quiet: true, env: gitEnv, ...options }).trim();
}

function shortPath(path) {
  return path.startsWith(root) ? relative(root, path) || '.' : path.replace(tmpdir(), '$TMP');
}

function step(title) {
  console.log(`\n== ${title} (${Math.round((Date.now() - started) / 1000)} s)`);
}

// ---------------------------------------------------------------------------------------------
// The clone

/** Public packages under packages/, with their manifests as they are now in `repo`. */
function packagesIn(repo) {
  const dir = join(repo, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'package.json')))
    .map((entry) => {
      const manifest = JSON.parse(readFileSync(join(dir, entry.name, 'package.json'), 'utf8'));
      return { dir: entry.name, path: join(dir, entry.name), name: manifest.name, version: manifest.version, manifest };
    })
    .filter((pkg) => !pkg.manifest.private)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * node_modules for the clone: a link to every package of this repository's node_modules and to
 * its .bin, except the workspace links (@eole/*), which point at the clone's own packages, and a
 * link to each workspace's own node_modules (the dependencies npm did not hoist). Nothing
 * else (npm's hidden lockfile, tool caches) is shared, so no tool in the clone writes into ours.
 */
function mirrorNodeModules(repo) {
  const source = join(root, 'node_modules');
  if (!existsSync(join(source, 'lerna')) || !existsSync(join(source, 'verdaccio'))) {
    throw new Error('node_modules lacks lerna or verdaccio: run `npm ci` first');
  }
  const target = join(repo, 'node_modules');
  mkdirSync(target);
  for (const entry of readdirSync(source)) {
    if (entry !== '@eole' && (entry === '.bin' || !entry.startsWith('.'))) symlinkSync(join(source, entry), join(target, entry));
  }
  mkdirSync(join(target, '@eole'));
  // The links are not directories, so .gitignore's `node_modules/` misses them: keep git from seeing them.
  writeFileSync(join(repo, '.git', 'info', 'exclude'), 'node_modules\n', { flag: 'a' });
  const workspaces = [...packagesIn(repo).map((pkg) => ({ name: pkg.name, path: pkg.path }))];
  const examples = join(repo, 'examples', 'package.json');
  if (existsSync(examples)) workspaces.push({ name: JSON.parse(readFileSync(examples, 'utf8')).name, path: dirname(examples) });
  for (const { name, path } of workspaces) {
    if (name.startsWith('@eole/')) symlinkSync(relative(join(target, '@eole'), path), join(target, name));
    // What npm could not hoist (a version another package pins differently) lives in the workspace's own node_modules.
    const nested = join(root, relative(repo, path), 'node_modules');
    if (existsSync(nested) && !existsSync(join(path, 'node_modules'))) symlinkSync(nested, join(path, 'node_modules'));
  }
}

function cloneHead(tmp) {
  const repo = join(tmp, 'repo');
  const head = git(['rev-parse', '--short', 'HEAD'], source);
  const dirty = git(['status', '--porcelain', '--untracked-files=no'], source);
  console.log(`cloning HEAD ${head} of ${source}${dirty ? ' (uncommitted changes in the working tree are not part of the rehearsal)' : ''}`);
  git(['clone', '--quiet', source, repo], tmp);
  git(['checkout', '--quiet', '-B', 'rehearsal'], repo);
  git(['remote', 'remove', 'origin'], repo);
  mirrorNodeModules(repo);
  return repo;
}

function tagsIn(repo) {
  const out = git(['tag', '--list'], repo);
  return new Set(out ? out.split('\n') : []);
}

function assertAnnotatedTag(repo, tag) {
  const type = run('git', ['cat-file', '-t', tag], repo, { quiet: true, env: gitEnv, allowFail: true });
  if (type.status !== 0 || type.stdout.trim() !== 'tag') throw new Error(`tag ${tag} is missing or not annotated (lerna only sees annotated tags)`);
}

/** The first release entry of a CHANGELOG.md written by lerna: its heading and its text. */
function latestChangelogEntry(path) {
  if (!existsSync(path)) return null;
  const lines = readFileSync(path, 'utf8').split('\n');
  const start = lines.findIndex((line) => /^#{1,3} \[?\d+\.\d+\.\d+/.test(line));
  if (start < 0) return null;
  const next = lines.findIndex((line, i) => i > start && /^#{1,3} \[?\d+\.\d+\.\d+/.test(line));
  return { heading: lines[start], text: lines.slice(start, next < 0 ? lines.length : next).join('\n') };
}

function incPatch(version) {
  const [major, minor, patch] = version.split('-')[0].split('.').map(Number);
  return `${major}.${minor}.${patch + 1}`;
}

/** `names` plus every package that depends on one of them, transitively. */
function withDependants(packages, names) {
  const out = new Set(names);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pkg of packages) {
      if (out.has(pkg.name)) continue;
      const deps = { ...pkg.manifest.dependencies, ...pkg.manifest.peerDependencies, ...pkg.manifest.optionalDependencies, ...pkg.manifest.devDependencies };
      if (Object.keys(deps).some((dep) => out.has(dep))) {
        out.add(pkg.name);
        grew = true;
      }
    }
  }
  return out;
}

/** Step 2: the real `npm run release:version`, as the maintainer runs it, in the clone. */
function pendingRelease(repo) {
  const before = packagesIn(repo);
  const tags = tagsIn(repo);
  const untagged = before.filter((pkg) => !tags.has(`${pkg.name}@${pkg.version}`));
  console.log(untagged.length === before.length ? 'no release tags yet: this is the first release of every package' : `${untagged.length} of ${before.length} packages have no tag for their current version`);
  run('npm', ['run', 'release:version', '--', '--yes'], repo, { env: gitEnv });
  const after = packagesIn(repo);
  for (const pkg of after) assertAnnotatedTag(repo, `${pkg.name}@${pkg.version}`);
  const bumped = after.filter((pkg) => before.find((b) => b.name === pkg.name)?.version !== pkg.version);
  for (const pkg of bumped) {
    const entry = latestChangelogEntry(join(pkg.path, 'CHANGELOG.md'));
    if (!entry || !entry.heading.includes(pkg.version)) throw new Error(`${pkg.name}@${pkg.version}: CHANGELOG.md has no entry for the new version (found ${entry?.heading ?? 'none'})`);
  }
  for (const pkg of untagged) {
    if (!bumped.some((b) => b.name === pkg.name)) throw new Error(`${pkg.name} had no tag for ${pkg.version} and was not versioned`);
  }
  const status = git(['status', '--porcelain'], repo);
  if (status) throw new Error(`release:version left uncommitted changes:\n${status}`);
  console.log(`release:version: ${bumped.length ? bumped.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ') : 'nothing pending'}; every package is tagged at its version`);
  results.push(['release:version (pending changes)', bumped.length ? `${bumped.length} packages versioned and tagged` : 'nothing pending']);
}

/** Step 3: one conventional commit touching one package bumps exactly that package and its dependants. */
function onePackageRelease(repo) {
  const before = packagesIn(repo);
  const target = before.find((pkg) => pkg.dir === rehearsalPackage);
  if (!target) throw new Error(`no packages/${rehearsalPackage}`);
  const expected = withDependants(before, [target.name]);
  const tagsBefore = tagsIn(repo);
  const changelogsBefore = new Map(before.map((pkg) => [pkg.name, readFileSync(join(pkg.path, 'CHANGELOG.md'), 'utf8')]));

  const file = join(target.path, 'src', 'index.ts');
  writeFileSync(file, `${readFileSync(file, 'utf8')}// release rehearsal\n`);
  git(['add', relative(repo, file)], repo);
  git(['commit', '--quiet', '-m', `fix(${rehearsalPackage}): rehearsal`], repo);
  run(process.execPath, [join(repo, 'node_modules', 'lerna', 'dist', 'cli.js'), 'version', '--conventional-commits', '--no-push', '--yes'], repo, { env: gitEnv });

  const after = packagesIn(repo);
  const bumped = new Set(after.filter((pkg) => before.find((b) => b.name === pkg.name)?.version !== pkg.version).map((pkg) => pkg.name));
  const show = (set) => [...set].sort().join(', ') || 'none';
  if (show(bumped) !== show(expected)) throw new Error(`lerna version bumped ${show(bumped)}; expected exactly ${show(expected)}`);
  const newTarget = after.find((pkg) => pkg.name === target.name);
  if (newTarget.version !== incPatch(target.version)) throw new Error(`${target.name}: fix should give a patch bump ${target.version} -> ${incPatch(target.version)}, got ${newTarget.version}`);
  const entry = latestChangelogEntry(join(newTarget.path, 'CHANGELOG.md'));
  if (!entry || !entry.heading.includes(newTarget.version) || !/rehearsal/.test(entry.text)) {
    throw new Error(`${target.name}: CHANGELOG.md lacks a ${newTarget.version} entry listing the rehearsal fix:\n${entry?.text ?? '(none)'}`);
  }
  for (const pkg of after) {
    const changed = readFileSync(join(pkg.path, 'CHANGELOG.md'), 'utf8') !== changelogsBefore.get(pkg.name);
    if (changed !== bumped.has(pkg.name)) throw new Error(`${pkg.name}: CHANGELOG.md ${changed ? 'changed' : 'unchanged'} although it was ${bumped.has(pkg.name) ? '' : 'not '}bumped`);
  }
  const newTags = [...tagsIn(repo)].filter((tag) => !tagsBefore.has(tag)).sort();
  const expectedTags = after.filter((pkg) => bumped.has(pkg.name)).map((pkg) => `${pkg.name}@${pkg.version}`).sort();
  if (newTags.join(' ') !== expectedTags.join(' ')) throw new Error(`new tags ${newTags.join(', ') || 'none'}; expected ${expectedTags.join(', ')}`);
  for (const tag of newTags) assertAnnotatedTag(repo, tag);
  const touched = git(['diff', '--name-only', 'HEAD~1', 'HEAD'], repo).split('\n').filter(Boolean);
  const allowed = new Set(['package-lock.json', ...after.filter((pkg) => bumped.has(pkg.name)).flatMap((pkg) => [`packages/${pkg.dir}/package.json`, `packages/${pkg.dir}/CHANGELOG.md`])]);
  const stray = touched.filter((path) => !allowed.has(path));
  if (stray.length > 0) throw new Error(`the release commit touched files outside the bumped packages: ${stray.join(', ')}`);
  console.log(`fix(${rehearsalPackage}) released ${newTags.join(', ')} alone; its CHANGELOG.md entry:\n${entry.text.trim().replace(/^/gm, '  ')}`);
  results.push([`lerna version after fix(${rehearsalPackage})`, `bumped ${newTags.join(', ')} only`]);
}

// ---------------------------------------------------------------------------------------------
// The registry

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((wake) => setTimeout(wake, ms));

/** Starts verdaccio on loopback with its storage under `dir`; returns { url, stop, log }. */
async function startRegistry(dir) {
  const port = await freePort();
  const storage = join(dir, 'storage');
  mkdirSync(storage, { recursive: true });
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `storage: ${JSON.stringify(storage)}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '@eole/*':",
      '    access: $all',
      '    publish: $authenticated',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      `listen: 127.0.0.1:${port}`,
      'web:',
      '  enable: false',
      'log: { type: stdout, format: json, level: warn }',
      '',
    ].join('\n'),
  );
  const log = join(dir, 'verdaccio.log');
  const fd = openSync(log, 'a');
  const bin = join(root, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', config], { cwd: dir, env: cleanEnv(), stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited = null;
  child.on('exit', (code, signal) => (exited = signal ?? code));
  const stop = () => {
    if (exited === null) child.kill('SIGTERM');
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`verdaccio exited (${exited}) before answering; its log:\n${tail(log)}`);
    try {
      if ((await fetch(`${url}-/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url} within 60 s; its log:\n${tail(log)}`);
    await sleep(250);
  }
  console.log(`verdaccio ${readJson(join(root, 'node_modules', 'verdaccio', 'package.json')).version} listening on ${url} (pid ${child.pid}, storage ${shortPath(storage)})`);
  const stopped = new Promise((done) => (exited !== null ? done() : child.on('exit', done)));
  return {
    url,
    log,
    async stop() {
      stop();
      await Promise.race([stopped, sleep(5000)]);
      if (exited === null) child.kill('SIGKILL');
      console.log('verdaccio stopped');
    },
  };
}

function tail(path, lines = 20) {
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n') : '(no log)';
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** Creates a registry user through the CouchDB-style API verdaccio speaks; returns its token. */
async function createUser(url) {
  const name = 'rehearsal';
  const response = await registryFetch(`${url}-/user/org.couchdb.user:${name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${name}`, name, password: `rehearsal-${process.pid}-${Date.now()}`, type: 'user', roles: [], date: new Date().toISOString() }),
  });
  const body = await response.json();
  if (!response.ok || typeof body.token !== 'string') throw new Error(`could not create a registry user: ${response.status} ${JSON.stringify(body)}`);
  return body.token;
}

/**
 * `fetch` to the loopback registry, tried up to three times on a network error: a keep-alive
 * socket that verdaccio closed while `lerna publish` ran fails the next request ("fetch failed",
 * its cause "other side closed"). The last error names its cause.
 */
async function registryFetch(url, init) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (error) {
      const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message})` : '';
      if (attempt >= 3) throw new Error(`${init?.method ?? 'GET'} ${url}: ${error instanceof Error ? error.message : String(error)}${cause}`, { cause: error });
      await sleep(250 * attempt);
    }
  }
}

async function packument(url, name) {
  const response = await registryFetch(`${url}${name.replace('/', '%2f')}`);
  if (!response.ok) throw new Error(`${name} is not in the registry (${response.status})`);
  return response.json();
}

/** Steps 4: build and `lerna publish from-package` to the loopback registry. */
async function publish(repo, registry) {
  const packages = packagesIn(repo);
  run(process.execPath, [join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', ...packages.map((pkg) => `packages/${pkg.dir}`)], repo);
  const token = await createUser(registry.url);
  const authLine = `${registry.url.replace(/^http:/, '')}:_authToken=${token}\n`;
  writeFileSync(join(repo, '.npmrc'), authLine);
  const lerna = [join(repo, 'node_modules', 'lerna', 'dist', 'cli.js'), 'publish', 'from-package', '--yes', '--registry', registry.url];
  const first = run(process.execPath, lerna, repo, { env: gitEnv, allowFail: true });
  if (first.status !== 0) {
    const output = `${first.stdout}${first.stderr}`;
    // A dropped loopback connection (seen once in CI: `write EPIPE` mid-upload) is not a release
    // problem: from-package publishes only the versions the registry lacks, so one retry is safe.
    const dropped = output.match(/EPIPE|ECONNRESET|socket hang up/);
    if (!dropped) throw new Error(`lerna publish from-package exited with ${first.status}:\n${output.trim().split('\n').slice(-40).join('\n')}`);
    console.log(`lerna publish from-package lost its connection to the registry (${dropped[0]}); publishing what is missing once more`);
    run(process.execPath, lerna, repo, { env: gitEnv });
  }
  const published = [];
  for (const pkg of packages) {
    const doc = await packument(registry.url, pkg.name);
    const dist = doc.versions?.[pkg.version]?.dist;
    if (!dist?.integrity) throw new Error(`${pkg.name}@${pkg.version} was not published to ${registry.url}`);
    published.push({ ...pkg, integrity: dist.integrity, files: dist.fileCount });
  }
  console.log(`published ${published.map((pkg) => `${pkg.name}@${pkg.version}`).join(', ')}`);
  results.push(['lerna publish from-package', `${published.length} packages on the loopback registry`]);
  return published;
}

// ---------------------------------------------------------------------------------------------
// The consumers

/** Every file path named in a package.json `exports` map (all conditions). */
function exportTargets(exports) {
  if (typeof exports === 'string') return [exports];
  if (!exports || typeof exports !== 'object') return [];
  return Object.values(exports).flatMap(exportTargets);
}

function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/**
 * What an installed package lacks: files its `exports` name, and files that its shipped .js, .d.ts
 * and .ts sources import by a relative path (`./x.js` is `./x.d.ts` to a declaration, `./x.ts` to
 * a source). The example only loads the main entry; this covers the subpaths and the declarations.
 */
function missingFiles(packageDir) {
  const manifest = readJson(join(packageDir, 'package.json'));
  const missing = exportTargets(manifest.exports ?? manifest.main ?? 'index.js')
    .filter((target) => !existsSync(join(packageDir, target)))
    .map((target) => `exports name ${target}`);
  const specifier = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (const file of filesUnder(packageDir).filter((path) => !path.includes(`${packageDir}/node_modules/`))) {
    const kind = file.endsWith('.d.ts') ? '.d.ts' : file.endsWith('.ts') ? '.ts' : file.endsWith('.js') ? '.js' : null;
    if (!kind) continue;
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(specifier)) {
      const target = join(dirname(file), kind === '.js' ? spec : spec.replace(/\.js$/, kind));
      if (!existsSync(target)) missing.push(`${relative(packageDir, file)} imports ${spec}`);
    }
  }
  return missing;
}

/** The first ```ts block of a README and the ```text block after it (the lines it must print). */
function readmeExample(readme) {
  const match = /```ts\n([\s\S]*?)```[\s\S]*?```text\n([\s\S]*?)```/.exec(readme);
  if (!match) return null;
  return { code: match[1], expected: match[2].split('\n').map((line) => line.trimEnd()).filter(Boolean) };
}

/** Forgets npm's cached metadata for the loopback registry, so a package republished on a reused port is never stale. */
function forgetCachedMetadata(registry, packages) {
  const keys = packages.flatMap((pkg) => [`make-fetch-happen:request-cache:${registry.url}${pkg.name.replace('/', '%2f')}`]);
  run('npm', ['cache', 'clean', ...keys], tmpdir(), { quiet: true, allowFail: true });
}

/**
 * @eole/core installed alone patches gpu.js's webasm code generator at import (a guarded runtime
 * patch, docs/gpujs-codegen.md): the gpu.js it installed must be the one the patch was written for.
 */
function checkCodegenFix(dir) {
  const code =
    "import('@eole/core').then(m => { const s = m.codegenFixStatus(); if (!s.applied) { console.error(s); process.exit(1) } console.log('codegen fix applied from the installed tarball') })";
  const { status, stdout, stderr } = run(process.execPath, ['-e', code], dir, { allowFail: true });
  if (status !== 0) throw new Error(`@eole/core: the gpu.js code generator fix is not applied when installed from the registry:\n${`${stdout}${stderr}`.trim()}`);
  console.log(stdout.trimEnd().replace(/^/gm, '  | '));
  results.push(['@eole/core codegen fix', stdout.trim()]);
  checkThreadPool(dir);
}

/**
 * @eole/core installed alone runs its kernel thread pool (workers start from the published dist,
 * with no loader): a product split over 2 threads equals the 1-thread one bit for bit.
 */
function checkThreadPool(dir) {
  const code = [
    "import('@eole/core').then(({ kernels, Tensor, Generator }) => {",
    "  const a = Tensor.randn([256, 256], new Generator(1));",
    "  kernels.setBackend('webasm');",
    "  const one = kernels.withThreads(1, () => a.matmul(a).data);",
    "  const before = kernels.stats().pooled;",
    "  const two = kernels.withThreads(2, () => a.matmul(a).data, 'always');",
    "  const pooled = kernels.stats().pooled - before;",
    "  const same = Buffer.compare(Buffer.from(one.buffer, one.byteOffset, one.byteLength), Buffer.from(two.buffer, two.byteOffset, two.byteLength)) === 0;",
    "  if (pooled < 1 || !same) { console.error('pooled launches: ' + pooled + ', bit-identical: ' + same); process.exit(1); }",
    "  console.log('thread pool: a 256x256 product split over 2 threads equals 1 thread bit for bit');",
    '});',
  ].join('\n');
  const { status, stdout, stderr } = run(process.execPath, ['--input-type=module', '-e', code], dir, { allowFail: true });
  if (status !== 0) throw new Error(`@eole/core: the kernel thread pool does not work when installed from the registry:\n${`${stdout}${stderr}`.trim()}`);
  console.log(stdout.trimEnd().replace(/^/gm, '  | '));
  results.push(['@eole/core', stdout.trim()]);
}

/** Step 5 for one package: install it alone by name and version, and run its README example. */
function consume(tmp, registry, pkg, published) {
  const dir = join(tmp, 'consumers', pkg.dir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `rehearse-${pkg.dir}`, private: true, type: 'module', allowScripts: { gl: false } }, null, 2)}\n`);
  writeFileSync(join(dir, '.npmrc'), `@eole:registry=${registry.url}\n`);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `${pkg.name}@${pkg.version}`], dir);

  // Installed from the registry: real folders (no workspace links), with the published bits.
  const lock = readJson(join(dir, 'package-lock.json'));
  const eole = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/@eole/'));
  for (const [path, entry] of eole) {
    const installed = join(dir, path);
    if (lstatSync(installed).isSymbolicLink() || entry.link) throw new Error(`${path} is a link, not an installed package`);
    if (!realpathSync(installed).startsWith(realpathSync(dir))) throw new Error(`${path} resolves outside ${dir}`);
    const source = published.find((p) => `node_modules/${p.name}` === path);
    if (!source) throw new Error(`${path} is not one of the packages published in this rehearsal`);
    if (entry.version !== source.version || entry.integrity !== source.integrity) {
      throw new Error(`${path}@${entry.version} (${entry.integrity}) is not what was just published (${source.version}, ${source.integrity}): a stale npm cache?`);
    }
  }
  const deps = eole.map(([path, entry]) => `${path.slice('node_modules/'.length)}@${entry.version}`).join(', ');
  for (const [path, entry] of eole) {
    const missing = missingFiles(join(dir, path));
    if (missing.length > 0) throw new Error(`${path.slice('node_modules/'.length)}@${entry.version} as published lacks files:\n  ${missing.slice(0, 20).join('\n  ')}`);
  }

  if (pkg.name === '@eole/core') checkCodegenFix(dir);

  const readmePath = join(dir, 'node_modules', pkg.name, 'README.md');
  if (!existsSync(readmePath)) throw new Error(`${pkg.name}@${pkg.version} ships no README.md`);
  const example = readmeExample(readFileSync(readmePath, 'utf8'));
  if (!example) throw new Error(`${pkg.name}: README.md has no \`\`\`ts example followed by a \`\`\`text block of its output`);
  writeFileSync(join(dir, 'example.ts'), example.code);

  const tsx = import.meta.resolve('tsx');
  const { status, stdout, stderr } = run(process.execPath, ['--import', tsx, 'example.ts'], dir, { allowFail: true });
  if (status !== 0) throw new Error(`${pkg.name}: the README example exited with ${status}:\n${`${stdout}${stderr}`.trim().split('\n').slice(-25).join('\n')}`);
  const printed = new Set(stdout.split('\n').map((line) => line.trimEnd()));
  const missing = example.expected.filter((line) => !printed.has(line));
  if (missing.length > 0) throw new Error(`${pkg.name}: the README example did not print:\n  ${missing.join('\n  ')}\nit printed:\n${stdout}`);
  console.log(stdout.trimEnd().replace(/^/gm, '  | '));

  const compilerOptions = { strict: true, noEmit: true, skipLibCheck: true, target: 'es2022', lib: ['es2022', 'dom'], module: 'nodenext', moduleResolution: 'nodenext', types: [] };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ compilerOptions, files: ['example.ts'] }, null, 2)}\n`);
  const typed = run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], dir, { allowFail: true });
  if (typed.status !== 0) throw new Error(`${pkg.name}: the README example does not type-check against the installed declarations:\n${typed.stdout}${typed.stderr}`);
  results.push([`${pkg.name}@${pkg.version}`, `installed alone (${deps}), no file missing; README example ran, printed its ${example.expected.length} lines, type-checks`]);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'eole-rehearse-')));
  let registry = null;
  const cleanup = () => {
    if (!keep) rmSync(tmp, { recursive: true, force: true });
  };
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      cleanup();
      process.exit(130);
    });
  }
  try {
    step('clone HEAD into a temporary folder');
    const repo = cloneHead(tmp);

    step('npm run release:version (what the maintainer runs)');
    pendingRelease(repo);

    step(`a fix in @eole/${rehearsalPackage} alone: lerna version`);
    onePackageRelease(repo);

    step('build and publish to a loopback verdaccio');
    registry = await startRegistry(join(tmp, 'registry'));
    const published = await publish(repo, registry);

    forgetCachedMetadata(registry, published);
    const failed = [];
    for (const pkg of published) {
      step(`install ${pkg.name}@${pkg.version} by name into a fresh folder and run its README example`);
      try {
        consume(tmp, registry, pkg, published);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        console.error(`FAILED: ${message}`);
        const lines = message.split('\n');
        const cause = lines.slice(1).find((line) => /Error|error TS|did not print|not what|lacks|no README|imports|exports name/.test(line));
        failures.push([`${pkg.name}@${pkg.version}`, [lines[0], cause?.trim()].filter(Boolean).join(' ')]);
        failed.push(pkg.name);
      }
    }
    if (failed.length > 0) throw new Error(`${failed.join(', ')} did not work when installed from the registry (above)`);
  } finally {
    if (registry) await registry.stop();
    if (keep) console.log(`kept ${tmp}`);
    cleanup();
  }
}

try {
  await main();
  console.log('\n== release:rehearse summary');
  for (const [what, outcome] of results) console.log(`ok  ${what}: ${outcome}`);
  console.log(`release:rehearse OK (${Math.round((Date.now() - started) / 1000)} s)`);
} catch (error) {
  console.log('\n== release:rehearse summary');
  for (const [what, outcome] of results) console.log(`ok  ${what}: ${outcome}`);
  for (const [what, outcome] of failures) console.log(`FAIL ${what}: ${outcome}`);
  console.error(`release:rehearse FAILED: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
