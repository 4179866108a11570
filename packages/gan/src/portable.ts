/**
 * Everything of @eole/gan that runs on any platform (the Node entry adds the `.npy` video reader
 * and writer; the browser entry is this alone).
 *
 * @packageDocumentation
 */
export { discriminatorLoss, generatorLoss, type DiscriminatorLossOptions, type GeneratorLossKind } from './functional/adversarialLosses.js';
export { MLPGenerator, type MLPGeneratorOptions } from './nn/MLPGenerator.js';
export { MLPDiscriminator, type MLPDiscriminatorOptions } from './nn/MLPDiscriminator.js';
export { DCGANGenerator, type DCGANGeneratorOptions } from './nn/DCGANGenerator.js';
export { DCGANDiscriminator, type DCGANDiscriminatorOptions } from './nn/DCGANDiscriminator.js';
export { normalInit } from './nn/normalInit.js';
export { oneHot, labelPlanes, balancedLabels } from './sampling/conditioning.js';
export { latentNoise, lerp, slerp, meanCode, latentArithmetic } from './sampling/latent.js';
export { symmetricEigen, matrixFunction, type SymmetricEigen } from './score/symmetricEigen.js';
export { frechetDistance, gaussianStats, type GaussianStats } from './score/frechetDistance.js';
export { classEntropy, classHistogram } from './score/classEntropy.js';
export { gaussianBlur } from './score/gaussianBlur.js';
export { GeneratorScorer, type ScorerImages, type ScoreOptions, type ScoreResult, type ScorerOutputs } from './score/GeneratorScorer.js';
export { GAN } from './nn/GAN.js';
export { adversarialTrain, adversarialStep, ganTrainState, type AdversarialStepOptions, type AdversarialTrainOptions, type AdversarialTerms, type Conditioning } from './stream/adversarialTrain.js';
export { binomialKernel } from './functional/binomialKernel.js';
export { pyramidDown } from './functional/pyramidDown.js';
export { pyramidUp } from './functional/pyramidUp.js';
export { gaussianPyramid } from './functional/gaussianPyramid.js';
export { laplacianPyramid } from './functional/laplacianPyramid.js';
export { reconstructLaplacian } from './functional/reconstructLaplacian.js';
export { LAPGANGenerator, type LAPGANGeneratorOptions } from './nn/LAPGANGenerator.js';
export { LAPGANDiscriminator, type LAPGANDiscriminatorOptions } from './nn/LAPGANDiscriminator.js';
export { LAPGAN, type LAPGANOptions, type LAPGANSampleOptions } from './nn/LAPGAN.js';
export { lapganTrain, lapganTrainState, type LapganTrainOptions, type LevelOptimizers } from './stream/lapganTrain.js';
export { MinibatchStdDev } from './nn/MinibatchStdDev.js';
export { lpLoss } from './functional/lpLoss.js';
export { gradientDifferenceLoss } from './functional/gradientDifferenceLoss.js';
export { MultiScaleGenerator, type MultiScaleGeneratorOptions } from './nn/MultiScaleGenerator.js';
export { MultiScaleDiscriminator, type MultiScaleDiscriminatorOptions } from './nn/MultiScaleDiscriminator.js';
export { predictFrames, type FramePredictor } from './sampling/predictFrames.js';
export { videoPredictionTrain, videoPredictionStep, videoPredictionTrainState, type VideoLossWeights, type VideoPredictionTrainOptions, type VideoTerms } from './stream/videoPredictionTrain.js';
export { frameMse } from './score/frameMse.js';
export { psnr } from './score/psnr.js';
export { ssim, type SsimOptions } from './score/ssim.js';
export { sharpnessDifference } from './score/sharpnessDifference.js';
export { movingMnist, movingMnistSequence, type MovingMnistOptions, type MovingMnistSequence } from './data/movingMnist.js';
export { videoSequences, type VideoSet } from './data/videoSequences.js';
export { nextFrameBatches, type NextFrameBatchesOptions } from './data/nextFrameBatches.js';
export { sigmoidMean } from './functional/sigmoidMean.js';
