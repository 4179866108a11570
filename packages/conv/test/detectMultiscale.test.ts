import test from 'ava';
import { Tensor } from '@eole/core';
import { detectMultiscale, encodeBox, type Box } from '@eole/conv';

/** A fake detector with an 8×8 window at stride 4: class 1 fires at the cells `peaks(H', W')` names. */
function fake(peaks: (H: number, W: number) => [number, number][], deltas?: [number, number, number, number]) {
  return (image: Tensor) => {
    const H = (image.shape[2]! - 8) / 4 + 1;
    const W = (image.shape[3]! - 8) / 4 + 1;
    const p = new Float32Array(2 * H * W).fill(0);
    for (let k = 0; k < H * W; k++) p[k] = 1;
    for (const [i, j] of peaks(H, W)) {
      p[i * W + j] = 0.1;
      p[H * W + i * W + j] = 0.9;
    }
    const scores = Tensor.from(Array.from(p, (v) => Math.log(Math.max(v, 1e-12))), [1, 2, H, W]);
    if (!deltas) return { scores };
    const b = new Float32Array(4 * H * W);
    for (let c = 0; c < 4; c++) b.fill(deltas[c]!, c * H * W, (c + 1) * H * W);
    return { scores, boxes: Tensor.from(b, [1, 4, H, W]) };
  };
}

test('detectMultiscale: a cell maps back to its window in the original image at every scale, NMS merges the same object across scales', (t) => {
  const image = Tensor.zeros([1, 1, 32, 32]);
  const one = detectMultiscale(fake(() => [[2, 3]]), image, { window: [8, 8], stride: 4 });
  t.deepEqual(one.detections.map((d) => d.bbox), [[12, 8, 8, 8]]);
  t.is(one.detections[0]!.classIndex, 1);
  t.true(Math.abs(one.detections[0]!.score - 0.9) < 1e-6);
  t.deepEqual(one.heatmaps[0]!.shape, [2, 7, 7]);
  // at scale ½ the image is 16×16 (3×3 cells); cell (1, 1) is the window [4, 4, 8, 8] there, [8, 8, 16, 16] here
  const two = detectMultiscale(fake((H) => (H === 3 ? [[1, 1]] : [[2, 2]])), image, { window: [8, 8], stride: 4, scales: [1, 0.5], iouThreshold: 0.2 });
  t.deepEqual(two.heatmaps.map((h) => h.scale), [1, 0.5]);
  t.is(two.detections.length, 1, 'the windows [8, 8, 8, 8] and [8, 8, 16, 16] (IoU 0.25 > 0.2) are one detection');
  const apart = detectMultiscale(fake((H) => (H === 3 ? [[0, 0]] : [[6, 6]])), image, { window: [8, 8], stride: 4, scales: [1, 0.5] });
  t.deepEqual(apart.detections.map((d) => d.bbox).sort(), ([[0, 0, 16, 16], [24, 24, 8, 8]] as Box[]).sort());
});

test('detectMultiscale: box regression moves the window by its decoded deltas, then the scale maps it back', (t) => {
  const target: Box = [13, 9, 6, 10];
  const deltas = encodeBox(target, [12, 8, 8, 8]);
  const { detections } = detectMultiscale(fake(() => [[2, 3]], deltas), Tensor.zeros([1, 1, 32, 32]), { window: [8, 8], stride: 4 });
  const got = detections[0]!.bbox;
  t.true(got.every((v, k) => Math.abs(v - target[k]!) < 1e-4), `box ${got.join(', ')}`);
});

test('detectMultiscale: windows under the threshold and the background class are not reported; bad shapes are named', (t) => {
  const image = Tensor.zeros([1, 1, 32, 32]);
  t.is(detectMultiscale(fake(() => [[1, 1]]), image, { window: [8, 8], stride: 4, scoreThreshold: 0.95 }).detections.length, 0);
  t.is(detectMultiscale(fake(() => []), image, { window: [8, 8], stride: 4 }).detections.length, 0, 'background everywhere');
  t.throws(() => detectMultiscale(fake(() => []), Tensor.zeros([1, 32, 32]), { window: [8, 8], stride: 4 }), { message: /image must be \[1, C, H, W\], got \[1, 32, 32\]/ });
  t.is(detectMultiscale(fake(() => [[0, 0]]), image, { window: [8, 8], stride: 4, scales: [0.2] }).heatmaps.length, 0, 'a scale smaller than the window is skipped');
});
