/**
 * `@eole/rnn-memory` in a browser (the `browser` export condition): embeddings, recurrent cells and
 * nets, memory networks, word2vec and seq2seq on the browser entry of `@eole/core` (WebGL2, WebGL,
 * webasm or cpu kernels). `readBabi` reads files, so it stays in the Node entry; a page parses
 * bAbI text it fetched with `parseBabi`.
 *
 * @example
 * import { kernels } from '@eole/core';
 * import { LSTM } from '@eole/rnn-memory';
 * kernels.setBackend('webgl2');
 *
 * @packageDocumentation
 */
export * from './portable.js';
