/** The example's picture: images, their true labels and the net's labels side by side. */
import type { DetectionSample } from '@eole/conv';
import { BLACK, Canvas, PALETTE, WHITE, type RGB } from '@eole/core/report';
import { CLASSES } from './net.js';

/** The colour of each label: black for the background, the ten tab10 colours for the digits 0–9. */
export const LABEL_COLOURS: readonly RGB[] = [BLACK, ...PALETTE.slice(0, CLASSES - 1)];

const GAP = 6;
const TITLE = 14;
const HEADER = 12;
const LEGEND = 18;

/**
 * Writes a PNG with one row per sample: the gray image, the true label mask and the predicted one,
 * labels coloured with {@link LABEL_COLOURS}, a legend of the digit colours at the bottom.
 *
 * @example
 * sceneFigure('runs/scene-parse/scene-parse.png', samples.slice(0, 4), predicted, 'epoch 10');
 */
export function sceneFigure(path: string, samples: readonly DetectionSample[], predicted: readonly Uint8Array[], title: string): string {
  if (samples.length === 0) throw new RangeError('sceneFigure: expected at least one sample');
  const w = Math.max(...samples.map((s) => s.width));
  const h = Math.max(...samples.map((s) => s.height));
  const width = 3 * w + 4 * GAP;
  const height = TITLE + HEADER + samples.length * (h + GAP) + LEGEND;
  const canvas = new Canvas(Math.max(width, Canvas.textWidth(title) + 2 * GAP), height, WHITE);
  canvas.text(GAP, 3, title, BLACK);
  ['image', 'truth', 'prediction'].forEach((label, k) => canvas.text(GAP + k * (w + GAP), TITLE, label, BLACK));
  samples.forEach((s, i) => {
    const y = TITLE + HEADER + i * (h + GAP);
    const mask = predicted[i];
    if (mask === undefined || mask.length !== s.width * s.height) throw new RangeError(`sceneFigure: predicted[${i}] must hold ${s.width}x${s.height} labels`);
    for (let r = 0; r < s.height; r++) {
      for (let c = 0; c < s.width; c++) {
        const p = r * s.width + c;
        const v = s.image[p]!;
        canvas.setPixel(GAP + c, y + r, [v, v, v]);
        canvas.setPixel(GAP + w + GAP + c, y + r, colour(s.mask?.[p] ?? 0));
        canvas.setPixel(GAP + 2 * (w + GAP) + c, y + r, colour(mask[p]!));
      }
    }
  });
  const y = height - LEGEND + 4;
  let x = GAP;
  for (let d = 0; d < CLASSES - 1; d++) {
    canvas.fillRect(x, y, 8, 8, colour(d + 1));
    x += 10;
    x += canvas.text(x, y + 1, String(d), BLACK) + 6;
  }
  canvas.text(x, y + 1, 'background: black', BLACK);
  return canvas.savePNG(path);
}

function colour(label: number): RGB {
  return LABEL_COLOURS[label] ?? WHITE;
}
