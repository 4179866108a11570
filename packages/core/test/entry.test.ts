import test from 'ava';
import { spawnSync } from 'node:child_process';

/** The presentation-only npm packages (PNG writing, the terminal bar, the SVG rasteriser) a fresh process has loaded after importing `specifier`. */
function presentationLoadedBy(specifier: string): string[] {
  const script = `
    import { createRequire } from 'node:module';
    await import('${specifier}');
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = ['pngjs', 'cli-progress', '@resvg/resvg-js'].filter((n) => cache.some((k) => k.includes('/node_modules/' + n + '/')));
    console.log(JSON.stringify(names));`;
  const r = spawnSync(process.execPath, ['--import=tsx', '--conditions=eole-src', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`probe of ${specifier} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as string[];
}

test("core's main entry loads no presentation code; @eole/core/report does", (t) => {
  t.deepEqual(presentationLoadedBy('@eole/core'), [], 'importing @eole/core loads neither pngjs, cli-progress nor resvg');
  t.deepEqual(presentationLoadedBy('@eole/core/report').sort(), ['@resvg/resvg-js', 'cli-progress', 'pngjs'], 'the report subpath loads them (the probe sees them)');
  t.deepEqual(presentationLoadedBy('@eole/core/charts'), [], 'the chart specs load none of them (a page imports them)');
});
