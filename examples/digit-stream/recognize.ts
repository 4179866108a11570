/**
 * The streaming recogniser as one RxJS pipeline: audio chunks → incremental MFCC frames → sliding
 * 40-frame windows → the acoustic ConvNet's per-frame posteriors → decoded digits. Side taps keep
 * the log-mel frames and the posteriors for the figure.
 */
import { lastValueFrom, tap, toArray } from 'rxjs';
import { fromArray, type Module } from '@eole/core';
import {
  decodeDigits, DIGIT_MFCC, framePosteriors, mfccFrames, slidingWindows, windowInput, WINDOW_FRAMES,
  type CepstralStatistics, type DecodedDigit, type DigitDecoderOptions, type FramePosterior,
} from '@eole/speech';

/** What {@link streamDigits} saw and decided. */
export interface StreamResult {
  digits: DecodedDigit[];
  /** Log-mel energies, frame-major [frames, nMels]. */
  logMel: Float32Array;
  nMels: number;
  frames: number;
  posteriors: FramePosterior[];
  /** Audio length and wall time of the stream, in seconds. */
  audioSeconds: number;
  seconds: number;
}

/** Options of {@link streamDigits}. */
export interface StreamOptions {
  /** Chunk length in ms (default 100). */
  chunkMs?: number;
  decoder?: DigitDecoderOptions;
  /** Called with each digit as soon as it is decided. */
  onDigit?: (d: DecodedDigit) => void;
  /** Windows per forward pass (default 64). */
  batchSize?: number;
  /** Frames between two windows (default 1: a posterior for every frame). */
  windowHop?: number;
  /** For a model normalised by speaker statistics (`speaker-cmvn`): the statistics its windows are normalised with (default: each window by its own). */
  statistics?: CepstralStatistics;
}

/** Cuts `samples` into chunks of `chunkMs` (the last one shorter). */
export function audioChunks(samples: Float32Array, sampleRate: number, chunkMs: number): Float32Array[] {
  const n = Math.max(1, Math.round((chunkMs * sampleRate) / 1000));
  const out: Float32Array[] = [];
  for (let s = 0; s < samples.length; s += n) out.push(samples.subarray(s, s + n));
  return out;
}

/**
 * Streams `samples` (at `sampleRate`, the model's rate) through the recogniser in chunks of
 * `chunkMs`, one chunk per turn of the event loop, as a live source would deliver them.
 *
 * @example
 * const { digits } = await streamDigits(samples, 8000, model, { onDigit: (d) => console.log(d.digit) });
 */
export async function streamDigits(samples: Float32Array, sampleRate: number, model: Module, options: StreamOptions = {}): Promise<StreamResult> {
  const started = performance.now();
  const mel: Float32Array[] = [];
  const stats = options.statistics;
  const posteriors: FramePosterior[] = [];
  const digits = await lastValueFrom(
    fromArray(audioChunks(samples, sampleRate, options.chunkMs ?? 100)).pipe(
      mfccFrames(sampleRate, DIGIT_MFCC),
      tap((f) => mel.push(f.logMel)),
      slidingWindows(WINDOW_FRAMES, { hop: options.windowHop ?? 1, ...(stats ? { input: (f) => windowInput(f, 0, undefined, stats) } : {}) }),
      framePosteriors(model, options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
      tap((p) => posteriors.push(p)),
      decodeDigits(options.decoder ?? {}),
      tap((d) => options.onDigit?.(d)),
      toArray(),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const nMels = mel[0]?.length ?? DIGIT_MFCC.nMels ?? 40;
  const logMel = new Float32Array(mel.length * nMels);
  mel.forEach((m, i) => logMel.set(m, i * nMels));
  return { digits, logMel, nMels, frames: mel.length, posteriors, audioSeconds: samples.length / sampleRate, seconds };
}
