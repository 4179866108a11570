import { GPU } from 'gpu.js';

/** The gpu.js modes Eole can run a kernel on. */
export type BackendName = 'cpu' | 'webasm' | 'headlessgl' | 'webgpu';

/** All backend names, in the order the docs list them. */
export const BACKENDS: readonly BackendName[] = ['cpu', 'webasm', 'headlessgl', 'webgpu'];

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
 * binary to load (synchronous check: the API surface only).
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
