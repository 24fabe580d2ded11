/**
 * tfjs-entropy: information-theoretic losses for TensorFlow.js with analytic,
 * numerically checked gradients.
 *
 * @packageDocumentation
 */
export { entropy, crossEntropy, klDivergence, jsDivergence } from '../losses/information.js';
export type { MeasureOptions } from '../losses/information.js';
export { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
export type {
  SoftmaxCrossEntropyOptions,
  SparseSoftmaxCrossEntropyOptions,
} from '../losses/softmax-cross-entropy.js';
export { sigmoidCrossEntropy } from '../losses/sigmoid-cross-entropy.js';
export type { SigmoidCrossEntropyOptions } from '../losses/sigmoid-cross-entropy.js';
export { sigmoidFocalLoss, softmaxFocalLoss } from '../losses/focal-loss.js';
export type { SigmoidFocalLossOptions, SoftmaxFocalLossOptions } from '../losses/focal-loss.js';
export type { Reduction } from './reduction.js';
export { checkGradients } from './gradient-check.js';
export type { GradientCheckOptions, GradientCheckResult, GradientMismatch } from './gradient-check.js';
