/**
 * The part of `@eole/core` that runs on every platform: tensors, the kernel registry, autograd,
 * nn, optim, streams and the safetensors format, with no Node-only module on its import path (the
 * registry's platform parts come from `#kernel-host`). `@eole/core` in Node re-exports all of it
 * and adds file I/O and gpu.js's webasm code generator fix; the browser build is this module.
 *
 * @packageDocumentation
 */
// First: installs the op methods of Tensor (tensor/Tensor.ts imports no op; see ops/tensorMethods.ts).
import './ops/tensorMethods.js';
export { Generator, type GeneratorState } from './random/Generator.js';
export { Tensor, type TensorLike } from './tensor/Tensor.js';
export { ShapeError, broadcastShapes, formatShape, sizeOf, stridesOf, type Shape } from './tensor/shape.js';
export { describeValue } from './tensor/describeValue.js';
export type { TensorMethods } from './ops/tensorMethods.js';
export { callsJsMath, kernels, KernelRegistry, KERNEL_NAME, readResult, type Kernel, type KernelArg, type KernelProfileRow, type KernelReturnType, type KernelSource, type KernelStats, type Launch } from './kernels/KernelRegistry.js';
export { BACKENDS, backendAvailable, type BackendChoice, type BackendName } from './kernels/Backend.js';
export { noGrad, isGradEnabled, withGradEnabled } from './autograd/gradMode.js';
export { runBackward, type BackwardOptions } from './autograd/engine.js';
export type { GradNode } from './autograd/GradNode.js';
export * from './ops/elementwise.js';
export { sum, mean, max, argmax } from './ops/reduce.js';
export { softmax, logSoftmax } from './ops/softmax.js';
export { matmul } from './ops/matmul.js';
export { gather, indexSelect } from './ops/indexing.js';
export { indexAdd } from './ops/indexAdd.js';
export { maskRows } from './ops/maskRows.js';
export { unbind, stackTensors } from './ops/unbind.js';
export { reshape, flatten, permute, transpose, narrow, split, concat, clone } from './ops/shape.js';
export { defineFunction, type FunctionSpec } from './autograd/Function.js';
export { gradcheck, type GradcheckOptions, type GradcheckResult } from './autograd/gradcheck.js';
export { defaultGenerator, manualSeed } from './random/default.js';
export { Module, type StateDict } from './nn/Module.js';
export { Sequential } from './nn/Sequential.js';
export { Linear, type LinearOptions } from './nn/Linear.js';
export { Criterion } from './nn/Criterion.js';
export { ClassNLLCriterion, type ClassNLLOptions } from './nn/ClassNLLCriterion.js';
export { Container } from './nn/Container.js';
export { Concat } from './nn/Concat.js';
export { Ensemble, type EnsembleCombine } from './nn/Ensemble.js';
export { Parallel } from './nn/Parallel.js';
export { Identity } from './nn/Identity.js';
export { View } from './nn/View.js';
export { Threshold } from './nn/Threshold.js';
export { ReLU } from './nn/ReLU.js';
export { LeakyReLU } from './nn/LeakyReLU.js';
export { Tanh } from './nn/Tanh.js';
export { Sigmoid } from './nn/Sigmoid.js';
export { SoftMax } from './nn/SoftMax.js';
export { LogSoftMax } from './nn/LogSoftMax.js';
export { Dropout, type DropoutOptions } from './nn/Dropout.js';
export { CrossEntropyCriterion } from './nn/CrossEntropyCriterion.js';
export { MSECriterion } from './nn/MSECriterion.js';
export { MarginCriterion } from './nn/MarginCriterion.js';
export { linear } from './ops/linear.js';
export { Optimizer, type OptimizerStateDict, type OptionValue, type ParamState } from './optim/Optimizer.js';
export { SGD, type SGDOptions } from './optim/SGD.js';
export { Adam, type AdamOptions } from './optim/Adam.js';
export { OptimizerGroup } from './optim/OptimizerGroup.js';
export { LRScheduler, type LRSchedulerStateDict } from './optim/LRScheduler.js';
export { StepLR, type StepLROptions } from './optim/StepLR.js';
export { AveragedModel, type AveragedModelOptions, type AveragedModelState } from './optim/AveragedModel.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './optim/CosineAnnealingLR.js';
export { clipGradNorm } from './optim/clipGradNorm.js';
export { elasticExchange } from './optim/elasticExchange.js';
export { CENTER_PROTOCOL_VERSION, checkAlpha, checkCenterArray, checkReport, checkRound, sumInOrder, type CenterStore, type WorkerReport } from './optim/CenterStore.js';
export { LocalCenter } from './optim/LocalCenter.js';
export { SharedCenter, type SharedCenterHandle } from './optim/SharedCenter.js';
export { ParameterVector } from './optim/ParameterVector.js';
export { checkParallelOptions, type ParallelOptions, type ParallelWorker } from './optim/ParallelWorker.js';
export { StoreWorker } from './optim/StoreWorker.js';
export { EASGD, type EASGDOptions } from './optim/EASGD.js';
export { eamsgd, type EAMSGDOptions } from './optim/eamsgd.js';
export { Downpour } from './optim/Downpour.js';
export { DataParallelSGD } from './optim/DataParallelSGD.js';
export { serializeSafetensors, parseSafetensors, type Safetensors } from './io/safetensors.js';
export { Perceptron, type PerceptronOptions, type PerceptronFitOptions, type PerceptronFitResult } from './perceptron/Perceptron.js';
export { fromIterable, fromArray, yieldTurn } from './stream/sources.js';
export { shuffle, batch, stack, prefetch, pull, forward, type Sample, type Batched } from './stream/operators.js';
export { Gate } from './stream/Gate.js';
export { trainLoop, type TrainLoopOptions, type StepResult } from './stream/trainLoop.js';
export { train, evaluate, evaluateBatches, epochContext, withEpochContext, samplesOf, type Batch, type EpochSource, type TrainOptions, type EpochContext } from './stream/train.js';
export type { TrainEvent, StartEvent, StepEvent, EpochEvent, ValidationEvent, CheckpointEvent, DoneEvent, Metrics } from './stream/events.js';
export { backendsUsed } from './stream/events.js';
