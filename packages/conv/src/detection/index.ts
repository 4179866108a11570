export { type Box } from './Box.js';
export { iou } from './iou.js';
export { nms, batchedNms, type NmsOptions } from './nms.js';
export { averagePrecision, type GroundTruthBox, type DetectedBox, type AveragePrecisionResult } from './averagePrecision.js';
export { segmentationScores, type SegmentationScores } from './segmentationScores.js';
export { encodeBox, decodeBox, type BoxDeltas } from './boxRegression.js';
