/**
 * @eole/rnn-memory: how can neural nets remember things? Embeddings, recurrent nets unfolded in
 * time, memory networks and word2vec, on top of @eole/core.
 *
 * @packageDocumentation
 */
export const RNN_MEMORY_PACKAGE = '@eole/rnn-memory';
export { LookupTable, type LookupTableOptions } from './LookupTable.js';
export { embedding } from './embedding.js';
export { embeddingBag, positionEncoding, type EmbeddingBagOptions } from './embeddingBag.js';
export { scatterRows } from './scatterRows.js';
export { memoryAttention, type MemoryRead } from './memoryAttention.js';
export { MemN2N, type MemN2NOptions } from './MemN2N.js';
export { parseBabi, readBabi, tokenize, BabiFormatError, type BabiStory, type BabiQuestion } from './babi.js';
export { Vocabulary, NIL } from './Vocabulary.js';
export { babiItems, babiBatch, sentenceLength, writeMemory, type BabiItem } from './babiBatch.js';
export { unbind, stackTensors } from './unbind.js';
export { lstmCell } from './lstmCellOp.js';
export { gruCell } from './gruCellOp.js';
export { maskRows } from './maskRows.js';
export { HiddenProjection } from './HiddenProjection.js';
export type { RecurrentCellOptions } from './cellOptions.js';
export { RNNCell, type RNNCellOptions } from './RNNCell.js';
export { LSTMCell, type LSTMCellOptions, type LSTMState } from './LSTMCell.js';
export { GRUCell } from './GRUCell.js';
export { Recurrent, detachState, type RecurrentState, type RecurrentOptions, type SequenceOptions, type SequenceResult, type StepState } from './Recurrent.js';
export { RNN, type RNNOptions } from './RNN.js';
export { LSTM } from './LSTM.js';
export { GRU, type HiddenState } from './GRU.js';
export { logSigmoid } from './logSigmoid.js';
export { SkipGramSampler, type SkipGramOptions } from './SkipGramSampler.js';
export { Word2Vec, type Word2VecOptions, type Neighbour } from './Word2Vec.js';
export { StackRNN, type StackRNNOptions, type StackState, type StackSequenceResult } from './StackRNN.js';
export { Seq2Seq, type Seq2SeqOptions } from './Seq2Seq.js';
export { RecurrentCell } from './RecurrentCell.js';
