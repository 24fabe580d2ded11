/**
 * tfjs-entropy: information-theoretic losses for TensorFlow.js with analytic,
 * numerically checked gradients.
 *
 * @packageDocumentation
 */
export { entropy, crossEntropy, klDivergence, jsDivergence } from '../losses/information.js';
export type { MeasureOptions } from '../losses/information.js';
export { checkGradients } from './gradient-check.js';
export type { GradientCheckOptions, GradientCheckResult, GradientMismatch } from './gradient-check.js';
