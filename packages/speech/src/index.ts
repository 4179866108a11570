export { decodeWav, type DecodedWav } from './wav.js';
export { frames, hamming, type FrameOptions } from './frames.js';
export { powerSpectrum } from './fft.js';
export { melScale, melToHz, melFilterbank, melCentres } from './mel.js';
export { dct2, dctMatrix } from './dct.js';
export { mfcc, type MfccOptions } from './mfcc.js';
export { deltas, cmvn } from './deltas.js';
