import { ClassNLLCriterion, CrossEntropyCriterion, Generator, MarginCriterion, MSECriterion, Tensor } from '../portable.js';
import type { CriterionCase } from './CriterionCase.js';

/** Inputs kept away from the hinge's kink. */
function marginScores(shape: number[], y: Tensor, g: Generator): Tensor {
  const x = Tensor.randn(shape, g);
  for (let i = 0; i < x.size; i++) {
    const z = 1 - y.data[i]! * x.data[i]!;
    if (Math.abs(z) < 0.1) x.data[i] = x.data[i]! + 0.3;
  }
  return x;
}

const classIdx = (shape: number[], g: Generator): Tensor => Tensor.from(Array.from({ length: shape[0]! }, () => g.int(shape[1]!)));
/** Rows of class probabilities (a softmax of normal scores), the shape of the input. */
const classProbs = (shape: number[], g: Generator): Tensor => Tensor.randn(shape, g).softmax(1).detach();
const pm1 = (shape: number[], g: Generator): Tensor => Tensor.from(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (g.uniform() < 0.5 ? -1 : 1)), shape);

/**
 * Core's criteria as {@link CriterionCase} rows: core's Node test runs them with `testCriteria`
 * (gradcheck, backward = autograd, cpu/webasm parity); the browser test runs every row on WebGL
 * against `cpu` ({@link criterionParity}).
 *
 * @example
 * testCriteria(test, CORE_CRITERION_CASES);
 */
export const CORE_CRITERION_CASES: Readonly<Record<string, CriterionCase>> = {
  MSECriterion: { make: () => new MSECriterion(), input: (s, g) => Tensor.randn(s, g), target: (s, g) => Tensor.randn(s, g) },
  'MSECriterion(false)': { make: () => new MSECriterion(false), input: (s, g) => Tensor.randn(s, g), target: (s, g) => Tensor.randn(s, g) },
  ClassNLLCriterion: { make: () => new ClassNLLCriterion(), input: (s, g) => Tensor.randn(s, g).logSoftmax(1), target: classIdx },
  'ClassNLLCriterion(labelSmoothing)': { make: () => new ClassNLLCriterion({ labelSmoothing: 0.1 }), input: (s, g) => Tensor.randn(s, g).logSoftmax(1), target: classIdx },
  'ClassNLLCriterion(probabilities)': { make: () => new ClassNLLCriterion(), input: (s, g) => Tensor.randn(s, g).logSoftmax(1), target: classProbs },
  CrossEntropyCriterion: { make: () => new CrossEntropyCriterion(), input: (s, g) => Tensor.randn(s, g), target: classIdx },
  'CrossEntropyCriterion(false)': { make: () => new CrossEntropyCriterion(false), input: (s, g) => Tensor.randn(s, g), target: classIdx },
  'CrossEntropyCriterion(labelSmoothing, probabilities)': { make: () => new CrossEntropyCriterion({ labelSmoothing: 0.2, sizeAverage: false }), input: (s, g) => Tensor.randn(s, g), target: classProbs },
  MarginCriterion: { make: () => new MarginCriterion(), input: (s, g, y) => marginScores(s, y, g), target: pm1 },
};
