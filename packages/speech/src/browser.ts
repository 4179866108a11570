/**
 * `@eole/speech` in a browser (the `browser` export condition): WAV decoding and encoding of bytes,
 * resampling, MFCC, streaming recognition, augmentations and the acoustic ConvNet, on the browser
 * entries of `@eole/core` and `@eole/conv`. The readers of WAV folders and model files stay in the
 * Node entry; a page decodes the bytes it fetched with `decodeWav`.
 *
 * @example
 * import { decodeWav, mfcc } from '@eole/speech';
 * const { samples, sampleRate } = decodeWav(new Uint8Array(await (await fetch('7_theo_0.wav')).arrayBuffer()));
 * mfcc(samples, sampleRate);
 *
 * @packageDocumentation
 */
export * from './portable.js';
