/**
 * @eole/rnn-memory: how can neural nets remember things? Embeddings, recurrent nets unfolded in
 * time, memory networks and word2vec, on top of @eole/core.
 *
 * @packageDocumentation
 */
export * from './portable.js';
export { readBabi } from './data/readBabi.js';
