// Node side of the page's test and benchmark: Debian's Chromium launched headless with software
// WebGL (as packages/core/test/browser.test.ts does); the pages are served by ../serve.ts.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Chromium's flags: headless, as root without a sandbox, software WebGL (SwiftShader, opt-in since
 * Chrome 139) on a machine without a GPU, and no calls home.
 */
export const LAUNCH_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Debian's chromium, or `EOLE_CHROMIUM`, or the first chromium on PATH; null when none. */
export function chromiumPath(): string | null {
  const env = process.env['EOLE_CHROMIUM'];
  const candidates = env ? [env] : ['/usr/bin/chromium', ...(process.env['PATH'] ?? '').split(delimiter).flatMap((d) => [join(d, 'chromium'), join(d, 'chromium-browser')])];
  return (
    candidates.find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** Launches `executable` headless with {@link LAUNCH_ARGS}. */
export function launchChromium(executable: string): Promise<Browser> {
  return chromium.launch({ executablePath: executable, args: [...LAUNCH_ARGS], timeout: 60_000 });
}
