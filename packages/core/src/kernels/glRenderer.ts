/** The parts of a WebGL (or WebGL2) rendering context that {@link glRenderer} reads. */
interface GLContext {
  readonly RENDERER: number;
  readonly VERSION: number;
  getParameter(name: number): unknown;
  getExtension(name: string): unknown;
}

/**
 * `RENDERER (VERSION)` of a WebGL context, with the unmasked renderer where the browser exposes
 * `WEBGL_debug_renderer_info` (Chromium's software rasterizer reads "SwiftShader"); null when
 * `context` is not a GL context (gpu.js's cpu and webasm modes have none).
 *
 * @example
 * glRenderer(gpu.context); // 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) ...), SwiftShader driver) (WebGL 2.0 (OpenGL ES 3.0 Chromium))'
 */
export function glRenderer(context: unknown): string | null {
  if (!isGLContext(context)) return null;
  const debug = context.getExtension('WEBGL_debug_renderer_info') as { UNMASKED_RENDERER_WEBGL: number } | null;
  const renderer = context.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : context.RENDERER);
  return `${String(renderer)} (${String(context.getParameter(context.VERSION))})`;
}

function isGLContext(value: unknown): value is GLContext {
  return typeof value === 'object' && value !== null && typeof (value as GLContext).getParameter === 'function' && typeof (value as GLContext).RENDERER === 'number';
}
