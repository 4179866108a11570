import { GPU } from 'gpu.js';

/**
 * The gpu.js modes Eole can run a kernel on: `cpu` and `webasm` everywhere, `headlessgl` and
 * `webgpu` in Node when installed, `webgl2` and `webgl` in a browser (the browser build).
 */
export type BackendName = 'cpu' | 'webasm' | 'headlessgl' | 'webgpu' | 'webgl2' | 'webgl';

/** All backend names, in the order the docs list them. */
export const BACKENDS: readonly BackendName[] = ['cpu', 'webasm', 'headlessgl', 'webgpu', 'webgl2', 'webgl'];

/**
 * Backend choice: `auto` lets the dispatcher pick `cpu` for small work and `webasm` for large
 * work; any {@link BackendName} forces that backend for every kernel.
 */
export type BackendChoice = BackendName | 'auto';

/** True when a value names a backend choice. */
export function isBackendChoice(value: string): value is BackendChoice {
  return value === 'auto' || (BACKENDS as readonly string[]).includes(value);
}

/**
 * Whether a backend can run here. `cpu` always can; `webasm` needs WebAssembly; `headlessgl`
 * needs the optional native `gl` package and a display; `webgpu` needs the `webgpu` package's dawn
 * binary to load (synchronous check: the API surface only); `webgl2` and `webgl` need a browser
 * that gives gpu.js a WebGL2 (or WebGL 1) context.
 *
 * @example
 * kernels.setBackend(backendAvailable('webgl2') ? 'webgl2' : 'cpu'); // in a page
 */
export function backendAvailable(name: BackendName): boolean {
  switch (name) {
    case 'cpu':
      return true;
    case 'webasm':
      return GPU.isWebAssemblySupported;
    case 'headlessgl':
      return safe(() => GPU.isHeadlessGLSupported);
    case 'webgpu':
      return safe(() => GPU.isWebGPUSupported);
    case 'webgl2':
      return safe(() => GPU.isWebGL2Supported);
    case 'webgl':
      return safe(() => GPU.isWebGLSupported);
  }
}

/** Throws a clear error when `name` cannot run here. */
export function assertBackendAvailable(name: BackendName): void {
  if (backendAvailable(name)) return;
  const hint: Record<BackendName, string> = {
    cpu: '',
    webasm: 'this JavaScript engine has no WebAssembly',
    headlessgl: 'install the optional `gl` package (it compiles headless-gl) and run under a display, e.g. `xvfb-run -a`',
    webgpu: "the `webgpu` package's dawn binary did not load (it needs glibc 2.38 and GLIBCXX_3.4.32)",
    webgl2: 'it needs a browser with WebGL2 and the browser build of @eole/core (Chromium on a machine without a GPU: --enable-unsafe-swiftshader)',
    webgl: 'it needs a browser with WebGL and the browser build of @eole/core (Chromium on a machine without a GPU: --enable-unsafe-swiftshader)',
  };
  throw new Error(`backend '${name}' is not available here: ${hint[name]}`);
}

function safe(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
