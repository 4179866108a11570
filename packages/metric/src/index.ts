export { Siamese } from './Siamese.js';
export { PairwiseDistance } from './PairwiseDistance.js';
export { CosineDistance } from './CosineDistance.js';
export { ContrastiveCriterion } from './ContrastiveCriterion.js';
export { TripletMarginCriterion, type TripletMarginOptions } from './TripletMarginCriterion.js';
export { pairwiseDistance, cosineSimilarity } from './distance.js';
export { distanceMatrix, type Metric } from './distanceMatrix.js';
export {
  randomPairs,
  randomTriplets,
  hardNegativeTriplets,
  hardPairs,
  gatherPairs,
  gatherTriplets,
  type Labels,
  type Pairs,
  type Triplets,
  type RandomPairsOptions,
  type HardTripletOptions,
} from './mining.js';
export { NearestNeighbors, type NearestNeighborsOptions, type SearchOptions, type SearchResult } from './NearestNeighbors.js';
export { recallAtK, knnAccuracy } from './retrieval.js';
export { embed, collectEmbeddings, type EmbedInput, type Embedded, type EmbedOptions, type EmbedOutput, type CollectedEmbeddings } from './embed.js';
