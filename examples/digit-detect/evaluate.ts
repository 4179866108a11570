/**
 * Scoring of digit-detect: the detector runs over every image at every scale (`detectMultiscale`),
 * and COCO's average precision at IoU 0.5 (`averagePrecision`, 101-point) scores the detections
 * per digit class and averaged over the classes (mAP@0.5).
 */
import { averagePrecision, detectMultiscale, type DetectedBox, type DetectionSample, type DetectorOutput, type GroundTruthBox, type ScaleHeatmap } from '@eole/conv';
import type { Tensor } from '@eole/core';
import { WINDOW } from './model.js';
import { imageTensor } from './windows.js';

/** The scales of the default run: digits of longer side 16–47 px seen at about 20 px (1.25 down to 0.41 by factors of 0.8). */
export const DEFAULT_SCALES: readonly number[] = [1.25, 1, 0.8, 0.64, 0.51, 0.41];

/** How the detector scans an image. */
export interface ScanOptions {
  scales: readonly number[];
  /** Windows whose best digit has a lower probability are dropped (low: AP wants the whole ranking). */
  scoreThreshold: number;
  /** Per-class NMS. */
  iouThreshold: number;
  /** The detector's stride over an image. */
  stride: number;
}

/** The detections of one image, COCO-style (category id = class index: 1–10 for the digits 0–9), and its heatmaps. */
export function detectImage(detect: (image: Tensor) => DetectorOutput, sample: DetectionSample, imageId: number, scan: ScanOptions): { detections: DetectedBox[]; heatmaps: ScaleHeatmap[] } {
  const { detections, heatmaps } = detectMultiscale(detect, imageTensor(sample), {
    window: [WINDOW, WINDOW],
    stride: scan.stride,
    scales: scan.scales,
    background: 0,
    scoreThreshold: scan.scoreThreshold,
    iouThreshold: scan.iouThreshold,
  });
  return { detections: detections.map((d) => ({ imageId, categoryId: d.classIndex, bbox: d.bbox, score: d.score })), heatmaps };
}

/** What {@link scoreDetections} returns. */
export interface DetectionScore {
  /** COCO AP@0.5 per category id (the digits with ground truth). */
  perClass: Map<number, number>;
  mAP: number;
  detections: DetectedBox[];
  images: number;
  objects: number;
}

/** Detects every sample (image ids 0, 1, …, or `ids`) and scores the detections against the samples' boxes. */
export function scoreDetections(detect: (image: Tensor) => DetectorOutput, samples: readonly DetectionSample[], scan: ScanOptions, ids?: readonly number[], onImage?: (done: number) => void): DetectionScore {
  const truth: GroundTruthBox[] = [];
  const detections: DetectedBox[] = [];
  samples.forEach((sample, i) => {
    const imageId = ids?.[i] ?? i;
    for (const b of sample.boxes) truth.push({ imageId, categoryId: b.categoryId, bbox: b.bbox });
    detections.push(...detectImage(detect, sample, imageId, scan).detections);
    onImage?.(i + 1);
  });
  const { perClass, mAP } = averagePrecision(truth, detections, 0.5);
  return { perClass, mAP, detections, images: samples.length, objects: truth.length };
}
