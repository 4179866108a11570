/**
 * Colours and colormaps for Eole's plots.
 *
 * @example
 * const c = viridis(0.5);          // a teal, as [r, g, b]
 * const red = hex('#d62728');      // [214, 39, 40]
 */

/** An RGB colour, each channel an integer in [0, 255]. */
export type RGB = readonly [number, number, number];

/** Parses `#rrggbb` (or `#rgb`) into an {@link RGB}. */
export function hex(code: string): RGB {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(code);
  if (!m) throw new TypeError(`hex: expected a colour like '#1f77b4', got '${code}'`);
  let h = m[1]!;
  if (h.length === 3) h = [...h].map((c) => c + c).join('');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** Background. */
export const WHITE: RGB = [255, 255, 255];
/** Text, frames, markers. */
export const BLACK: RGB = [0, 0, 0];
/** Secondary lines (legend frames, reference lines). */
export const GREY: RGB = [128, 128, 128];
/** Grid lines. */
export const LIGHT_GREY: RGB = [225, 225, 225];

/** Ten distinguishable series colours (the matplotlib "tab10" cycle). */
export const PALETTE: readonly RGB[] = [
  '#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
].map(hex);

/** A 256-entry colormap: `table[3 * i + c]` is channel `c` of entry `i`. */
export interface Colormap {
  readonly name: string;
  readonly table: Uint8Array;
}

/**
 * Builds a 256-entry colormap by linear interpolation between evenly spaced anchor colours.
 *
 * @example
 * const greys = makeColormap('greys', [BLACK, WHITE]);
 */
export function makeColormap(name: string, anchors: readonly RGB[]): Colormap {
  if (anchors.length < 2) throw new RangeError(`makeColormap: need at least 2 anchors, got ${anchors.length}`);
  const table = new Uint8Array(256 * 3);
  const segments = anchors.length - 1;
  for (let i = 0; i < 256; i++) {
    const pos = (i / 255) * segments;
    const k = Math.min(segments - 1, Math.floor(pos));
    const t = pos - k;
    for (let c = 0; c < 3; c++) table[3 * i + c] = Math.round(anchors[k]![c]! * (1 - t) + anchors[k + 1]![c]! * t);
  }
  return { name, table };
}

/** A viridis-like map (dark purple, blue, teal, green, yellow): perceptually ordered, colour-blind safe. */
export const VIRIDIS = makeColormap('viridis', ['#440154', '#414487', '#2a788e', '#22a884', '#7ad151', '#fde725'].map(hex));

/** Black to white. */
export const GREYS = makeColormap('greys', [BLACK, WHITE]);

/** Blue, white, red: for signed values centred on 0 (filters, weights). */
export const DIVERGING = makeColormap('diverging', ['#3b4cc0', '#f7f7f7', '#b40426'].map(hex));

/** The colour of `t` in [0, 1] (clamped; NaN maps to 0) under a colormap. */
export function colorAt(map: Colormap, t: number): RGB {
  const i = Number.isNaN(t) ? 0 : Math.round(Math.min(1, Math.max(0, t)) * 255);
  return [map.table[3 * i]!, map.table[3 * i + 1]!, map.table[3 * i + 2]!];
}

/** {@link colorAt} on {@link VIRIDIS}. */
export function viridis(t: number): RGB {
  return colorAt(VIRIDIS, t);
}
