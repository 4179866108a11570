/**
 * @eole/speech: a speech front end (WAV, resampling, framing, FFT, mel filterbank, MFCC, deltas,
 * CMVN), streaming recognition, waveform augmentations and the lecture's ConvNet acoustic model,
 * on top of @eole/core and @eole/conv.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export { readDigitFolder, loadUtterance, type LoadUtteranceOptions } from './data/digitFolder.js';
export { saveSpokenDigitModel, loadSpokenDigitModel } from './nn/spokenDigitModelFile.js';
