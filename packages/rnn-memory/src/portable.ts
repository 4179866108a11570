/**
 * Everything of @eole/rnn-memory that runs on any platform (the Node entry adds the bAbI file
 * reader; the browser entry is this alone).
 *
 * @packageDocumentation
 */
export const RNN_MEMORY_PACKAGE = '@eole/rnn-memory';
export { LookupTable, type LookupTableOptions } from './nn/LookupTable.js';
export { embedding } from './functional/embedding.js';
export { embeddingBag, positionEncoding, type EmbeddingBagOptions } from './functional/embeddingBag.js';
export { memoryAttention, type MemoryRead } from './functional/memoryAttention.js';
export { MemN2N, type MemN2NOptions } from './nn/MemN2N.js';
export { parseBabi, tokenize, type BabiStory, type BabiQuestion } from './data/babi.js';
export { BabiFormatError } from './data/BabiFormatError.js';
export { Vocabulary, NIL } from './data/Vocabulary.js';
export { babiItems, babiBatch, sentenceLength, writeMemory, type BabiItem } from './data/babiBatch.js';
export { lstmCell } from './functional/lstmCell.js';
export { gruCell } from './functional/gruCell.js';
export { HiddenProjection } from './nn/HiddenProjection.js';
export type { RecurrentCellOptions } from './nn/cellOptions.js';
export { RNNCell, type RNNCellOptions } from './nn/RNNCell.js';
export { LSTMCell, type LSTMCellOptions, type LSTMState } from './nn/LSTMCell.js';
export { GRUCell } from './nn/GRUCell.js';
export { Recurrent, detachState, type RecurrentState, type RecurrentOptions, type SequenceOptions, type SequenceResult, type StepState } from './nn/Recurrent.js';
export { RNN, type RNNOptions } from './nn/RNN.js';
export { LSTM } from './nn/LSTM.js';
export { GRU, type HiddenState } from './nn/GRU.js';
export { SkipGramSampler, type SkipGramOptions } from './data/SkipGramSampler.js';
export { Word2Vec, type Word2VecOptions, type Neighbour } from './nn/Word2Vec.js';
export { StackRNN, type StackRNNOptions, type StackState, type StackSequenceResult } from './nn/StackRNN.js';
export { Seq2Seq, type Seq2SeqOptions } from './nn/Seq2Seq.js';
export { RecurrentCell } from './nn/RecurrentCell.js';
