import test from 'ava';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveWeb, webPages } from '../web/serve.js';

test('npm run web: every page folder is served with its MIME types, nothing outside the web folder', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'eole-web-'));
  mkdirSync(join(root, 'train', 'dist'), { recursive: true });
  mkdirSync(join(root, 'notes'));
  writeFileSync(join(root, 'train', 'index.html'), '<!doctype html><title>train</title>');
  const files: Record<string, string> = {
    'train/dist/main.js': 'text/javascript', 'train/dist/chunk.mjs': 'text/javascript', 'train/dist/main.js.map': 'application/json',
    'train/style.css': 'text/css', 'train/digits.json': 'application/json', 'train/dist/k.wasm': 'application/wasm', 'train/shot.png': 'image/png',
  };
  for (const f of Object.keys(files)) writeFileSync(join(root, f), 'x');
  writeFileSync(join(tmpdir(), 'outside.txt'), 'secret');
  const { server, url } = await serveWeb({ root, port: 0 });
  try {
    t.deepEqual(webPages(root), ['train'], 'a folder without index.html is no page');
    const index = await fetch(url);
    t.regex(await index.text(), /href="train\/"/);
    const page = await fetch(`${url}train/`);
    t.is(page.headers.get('content-type'), 'text/html; charset=utf-8');
    t.regex(await page.text(), /<title>train/);
    t.is((await fetch(`${url}train`, { redirect: 'manual' })).headers.get('location'), '/train/');
    for (const [f, type] of Object.entries(files)) t.is((await fetch(`${url}${f}`)).headers.get('content-type')?.split(';')[0], type, f);
    for (const bad of ['../outside.txt', '%2e%2e/outside.txt', 'train/..%2f..%2foutside.txt', 'train/missing.js']) t.is((await fetch(`${url}${bad}`)).status, 404, bad);
    t.true(webPages().includes('dashboard'), 'the real web folder has the dashboard page');
  } finally {
    server.close();
  }
});
