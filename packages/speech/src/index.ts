export { decodeWav, type DecodedWav } from './wav.js';
export { frames, hamming, type FrameOptions } from './frames.js';
export { powerSpectrum } from './fft.js';
export { melScale, melToHz, melFilterbank, melCentres, vtlnWarp } from './mel.js';
export { dct2, dctMatrix } from './dct.js';
export { mfcc, type MfccOptions } from './mfcc.js';
export { MfccStream, type MfccFrame } from './MfccStream.js';
export { encodeWav } from './encodeWav.js';
export { mfccFrames, slidingWindows, framePosteriors, type FeatureWindow, type SlidingWindowOptions, type FramePosteriorOptions } from './streaming.js';
export { DigitDecoder, DIGIT_DECODER_DEFAULTS, type DigitDecoderOptions, type DecodedDigit, type FramePosterior } from './DigitDecoder.js';
export { decodeDigits } from './decodeDigits.js';
export { deltas, cmvn } from './deltas.js';
export { resample, type ResampleOptions } from './resample.js';
export { parseDigitFileName, readDigitFolder, loadUtterance, type DigitUtterance } from './digitFolder.js';
export {
  WINDOW_FRAMES, N_COEFFS, DIGIT_SAMPLE_RATE, DIGIT_MFCC, WINDOW_VARIANCE_FLOOR, digitFeatures, windowInput, noiseFloor, backgroundRms, padWithNoise, speechCentre, paddedFeatures, utteranceWindow,
  type PaddedFeatures, type PaddedFeaturesOptions,
} from './digitWindows.js';
export { AcousticConvNet, acousticConvNetConfig, type AcousticConvNetOptions, type AcousticConvNetConfig } from './AcousticConvNet.js';
