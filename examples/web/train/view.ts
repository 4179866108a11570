/// <reference lib="dom" />
// What the page shows besides the charts: the status line and the class scores of a drawing.

/** The page's state, shown in it and read by its test (`globalThis.eoleTrain.status()`). */
export interface TrainStatus {
  /** The backend the kernels actually ran on (`webgl2`, `webgl` or `cpu`). */
  backend: string;
  /** The WebGL renderer gpu.js drew into (null on cpu). */
  renderer: string | null;
  step: number;
  maxSteps: number;
  /** Loss of the last step. */
  loss: number;
  /** Held-out accuracy measured during training: (step, accuracy on `evalSize` digits). */
  heldOut: [number, number][];
  /** Accuracy on the held-out digits (all, or `?testSize=N` of them) once training is done (null before). */
  finalAccuracy: number | null;
  /** Training samples per second over the whole run so far (training time only). */
  samplesPerSec: number;
  /** Kernel launches per backend since the page started. */
  launches: Record<string, number>;
  trainCount: number;
  /** Held-out digits of the final check. */
  testCount: number;
  done: boolean;
  /** A failure of the training loop, if any. */
  error: string | null;
}

/** Fills the status panel. */
export function showStatus(el: HTMLElement, s: TrainStatus): void {
  const heldOut = s.finalAccuracy ?? s.heldOut[s.heldOut.length - 1]?.[1];
  el.innerHTML =
    `backend <b id="backend">${s.backend}</b> <span class="note">(${s.renderer ?? 'no WebGL'})</span> · ` +
    `step <b id="step">${s.step}</b> / ${s.maxSteps} · loss <b>${s.loss.toFixed(3)}</b> · ` +
    `held-out accuracy <b id="held-out">${heldOut === undefined ? '–' : `${(heldOut * 100).toFixed(1)}%`}</b>${s.finalAccuracy === null ? '' : ` (final, ${s.testCount} digits)`} · ` +
    `<b id="samples-per-sec">${s.samplesPerSec.toFixed(0)}</b> samples/s · ${s.trainCount} training digits` +
    (s.done ? ' · <b>done</b>' : '') +
    (s.error ? ` · <b style="color:#c00">${s.error}</b>` : '');
}

/** Shows a 28×28 digit (values in [0, 1]) on a 28×28 canvas. */
export function showDigit(canvas: HTMLCanvasElement, digit: Float32Array | null): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const image = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const g = Math.round((digit?.[i] ?? 0) * 255);
    image.data.set([g, g, g, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

/** Shows the ten class probabilities as bars, the most likely one highlighted; null clears them. */
export function showScores(list: HTMLElement, prediction: HTMLElement, probabilities: readonly number[] | null): void {
  if (!probabilities) {
    list.innerHTML = '';
    prediction.textContent = 'draw a digit';
    return;
  }
  const top = probabilities.indexOf(Math.max(...probabilities));
  list.innerHTML = probabilities
    .map((p, c) => `<div class="score${c === top ? ' top' : ''}" data-class="${c}"><span>${c}</span><span class="bar" style="width:${Math.round(p * 150)}px"></span><span>${(p * 100).toFixed(1)}%</span></div>`)
    .join('');
  prediction.innerHTML = `it is a <b id="predicted">${top}</b>`;
}
