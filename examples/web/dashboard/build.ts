// Builds the dashboard's script, dist/dashboard.js: main.ts with vega, vega-lite and core's chart
// builders bundled in (esbuild, one minified IIFE). The live server and `npm run web` call
// dashboardBundle() when the page asks for it, which builds it only when it is missing or older
// than one of its sources; nothing downloads.
// Run by hand: `npm run build:web-dashboard -w examples`.
import { readFileSync, renameSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { vegaLitePlugin } from '../lib/vegaLitePlugin.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The dashboard's built script. */
export const DASHBOARD_BUNDLE = join(HERE, 'dist', 'dashboard.js');
const INPUTS = `${DASHBOARD_BUNDLE}.inputs.json`;

/** Inputs that must never reach the page. */
const NODE_ONLY = /(^|\/)node:|packages\/core\/src\/(?!report\/charts\/)/;

/**
 * Bundles main.ts into {@link DASHBOARD_BUNDLE} (written atomically, so concurrent builds and
 * readers never see half a file) with the list of its inputs beside it; returns the bundle's path.
 */
export async function buildDashboard({ minify = true }: { minify?: boolean } = {}): Promise<string> {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(HERE, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    conditions: ['eole-src'],
    plugins: [vegaLitePlugin],
    minify,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const inputs = Object.keys(result.metafile.inputs);
  const bad = inputs.filter((f) => NODE_ONLY.test(f));
  if (bad.length > 0) throw new Error(`the dashboard bundles what a page cannot use: ${bad.join(', ')}`);
  mkdirSync(dirname(DASHBOARD_BUNDLE), { recursive: true });
  const tmp = `${DASHBOARD_BUNDLE}.${process.pid}.tmp`;
  writeFileSync(tmp, result.outputFiles[0]!.contents);
  renameSync(tmp, DASHBOARD_BUNDLE);
  writeFileSync(`${INPUTS}.${process.pid}.tmp`, JSON.stringify(inputs.map((f) => resolve(f))));
  renameSync(`${INPUTS}.${process.pid}.tmp`, INPUTS);
  return DASHBOARD_BUNDLE;
}

/** True when the bundle exists and none of the inputs it was built from changed after it. */
export function dashboardFresh(): boolean {
  try {
    const built = statSync(DASHBOARD_BUNDLE).mtimeMs;
    const inputs = JSON.parse(readFileSync(INPUTS, 'utf8')) as string[];
    return inputs.every((f) => statSync(f).mtimeMs <= built);
  } catch {
    return false;
  }
}

let ready: Promise<string> | null = null;

/**
 * The dashboard's script, built first when missing or stale (once per process; a failed build is
 * retried on the next call).
 *
 * @example
 * const file = await dashboardBundle(); // examples/web/dashboard/dist/dashboard.js
 */
export function dashboardBundle(): Promise<string> {
  ready ??= (dashboardFresh() ? Promise.resolve(DASHBOARD_BUNDLE) : buildDashboard()).catch((e: unknown) => {
    ready = null;
    throw e;
  });
  return ready;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const file = await buildDashboard();
  console.log(`${relative(process.cwd(), file)}: ${(statSync(file).size / 1024).toFixed(0)} KiB`);
}
