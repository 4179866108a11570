import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/**
 * Chromium's flags in the pages' tests and benchmark (as in packages/core/test/browser.test.ts):
 * headless, as root without a sandbox, software WebGL (SwiftShader, opt-in since Chrome 139) on a
 * machine without a GPU, no calls home.
 */
export const LAUNCH_ARGS: readonly string[] = ['--headless', '--no-sandbox', '--disable-gpu-sandbox', '--enable-unsafe-swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** True where a missing Chromium is a failure rather than a skip: CI, or `EOLE_REQUIRE_CHROMIUM=1`. */
export function chromiumRequired(): boolean {
  const ci = process.env['CI'];
  return (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') || process.env['EOLE_REQUIRE_CHROMIUM'] === '1';
}

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
