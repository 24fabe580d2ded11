/**
 * tfjs-entropy: information-theoretic losses for TensorFlow.js with analytic,
 * numerically checked gradients.
 *
 * @packageDocumentation
 */
export { entropy, crossEntropy, klDivergence, jsDivergence } from '../losses/information.js';
export type { MeasureOptions } from '../losses/information.js';
export { gaussianEntropy, gaussianCrossEntropy, gaussianKL } from '../losses/gaussian.js';
export type { GaussianKLOptions, GaussianMeasureOptions } from '../losses/gaussian.js';
export { monteCarloKL } from '../losses/monte-carlo-kl.js';
export type { KLEstimator, MonteCarloKLOptions } from '../losses/monte-carlo-kl.js';
export { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../losses/softmax-cross-entropy.js';
export { linearCrossEntropy } from '../losses/linear-cross-entropy.js';
export type { LinearCrossEntropyOptions } from '../losses/linear-cross-entropy.js';
export type {
  SoftmaxCrossEntropyOptions,
  SparseSoftmaxCrossEntropyOptions,
} from '../losses/softmax-cross-entropy.js';
export { sigmoidCrossEntropy } from '../losses/sigmoid-cross-entropy.js';
export type { SigmoidCrossEntropyOptions } from '../losses/sigmoid-cross-entropy.js';
export { sigmoidFocalLoss, softmaxFocalLoss } from '../losses/focal-loss.js';
export type { SigmoidFocalLossOptions, SoftmaxFocalLossOptions } from '../losses/focal-loss.js';
export { categoricalKL, distillationLoss } from '../losses/categorical-kl.js';
export type { CategoricalKLOptions, DistillationLossOptions } from '../losses/categorical-kl.js';
export { categoricalEntropy } from '../losses/categorical-entropy.js';
export type { CategoricalEntropyOptions } from '../losses/categorical-entropy.js';
export { bernoulliKL } from '../losses/bernoulli-kl.js';
export { infoNCE } from '../losses/info-nce.js';
export type { InfoNCEOptions } from '../losses/info-nce.js';
export type { BernoulliKLOptions } from '../losses/bernoulli-kl.js';
export { constantBeta, linearWarmupBeta, cyclicalBeta } from './tools/beta-schedule.js';
export type { BetaSchedule, CyclicalOptions, LinearWarmupOptions } from './tools/beta-schedule.js';
export type { Reduction } from './machinery/reduction.js';
export type { TensorInput } from './machinery/validate.js';
export * as layers from './layers/index.js';
export { FUSED_KERNELS_FLAG } from './kernels/fused.js';
export { checkGradients } from './tools/gradient-check.js';
export type { GradientCheckOptions, GradientCheckResult, GradientMismatch } from './tools/gradient-check.js';
