/**
 * Everything of @eole/speech that runs on any platform (the Node entry adds the readers of WAV
 * folders and model files; the browser entry is this alone).
 *
 * @packageDocumentation
 */
export { decodeWav, WAV_LIMITS, type DecodedWav } from './frontend/wav.js';
export { frames, hamming, type FrameOptions } from './frontend/frames.js';
export { powerSpectrum } from './frontend/fft.js';
export { melScale, melToHz, melFilterbank, melCentres, vtlnWarp } from './frontend/mel.js';
export { dct2, dctMatrix } from './frontend/dct.js';
export { mfcc, type MfccOptions } from './frontend/mfcc.js';
export { MfccStream, type MfccFrame } from './stream/MfccStream.js';
export { encodeWav } from './frontend/encodeWav.js';
export { mfccFrames, slidingWindows, framePosteriors, type FeatureWindow, type SlidingWindowOptions, type FramePosteriorOptions } from './stream/streaming.js';
export { DigitDecoder, DIGIT_DECODER_DEFAULTS, type DigitDecoderOptions, type DecodedDigit, type FramePosterior } from './stream/DigitDecoder.js';
export { decodeDigits } from './stream/decodeDigits.js';
export { digitErrors, type ErrorCounts } from './stream/digitErrors.js';
export { deltas, cmvn } from './frontend/deltas.js';
export { resample, type ResampleOptions } from './frontend/resample.js';
export { parseDigitFileName, type DigitUtterance } from './data/digitFileName.js';
export {
  WINDOW_FRAMES, N_COEFFS, DIGIT_SAMPLE_RATE, DIGIT_MFCC, WINDOW_VARIANCE_FLOOR, digitFeatures, windowInput, noiseFloor, backgroundRms, padWithNoise, speechCentre, paddedFeatures, utteranceWindow,
  type PaddedFeatures, type PaddedFeaturesOptions,
} from './data/digitWindows.js';
export { cepstralStatistics, recordingStatistics, type CepstralStatistics, type RecordingStatisticsOptions } from './data/cepstralStatistics.js';
export { AcousticConvNet, acousticConvNetConfig, type AcousticConvNetOptions, type AcousticConvNetConfig } from './nn/AcousticConvNet.js';
export {
  SPOKEN_DIGIT_MODEL, SPOKEN_DIGIT_FEATURES, SPOKEN_DIGIT_NORMALISATIONS, spokenDigitMetadata, classifyWindows, type SpokenDigitFeatures, type SpokenDigitModel, type SpokenDigitNormalisation,
} from './nn/spokenDigitModel.js';
export { StatisticsPooling } from './nn/StatisticsPooling.js';
export type { Augmentation, Waveform, ParameterRange } from './augment/Augmentation.js';
export { composeAugmentations, type AugmentationStep } from './augment/composeAugmentations.js';
export { biquadCoefficients, applyBiquads, biquadResponse, type Biquad, type BiquadKind } from './augment/biquad.js';
export { randomEqualizer, type RandomEqualizerOptions } from './augment/randomEqualizer.js';
export { randomGain } from './augment/randomGain.js';
export { colouredNoise, NOISE_COLOURS, type NoiseColour } from './augment/colouredNoise.js';
export { addNoise, mixAtSnr, type AddNoiseOptions } from './augment/addNoise.js';
export { reverberate, syntheticImpulseResponse, type ReverberateOptions } from './augment/reverberate.js';
export { convolve } from './augment/complexFft.js';
export { bandLimit, bandPassSections, type BandLimitOptions } from './augment/bandLimit.js';
export { muLaw, muLawQuantize } from './augment/muLaw.js';
export { timeStretch, type TimeStretchOptions } from './augment/timeStretch.js';
export { pitchShift, shiftPitch } from './augment/pitchShift.js';
export { tempoChange, changeTempo } from './augment/tempoChange.js';
export { vocalTractWarp, warpVocalTract } from './augment/vocalTractWarp.js';
