/**
 * Monte Carlo estimates of D_KL(P ‖ Q) from samples x ~ P, for densities with
 * no closed-form KL (mixture priors, flows) (API.md §2), with the three
 * estimators of Schulman (2020), "Approximating KL divergence".
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { expm1 } from '../src/machinery/numerics.js';
import { readOptions, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { oneOf, sameShapeFloats, type TensorInput } from '../src/machinery/validate.js';

/** The three estimators of Schulman (2020). */
export type KLEstimator = 'k1' | 'k2' | 'k3';

/**
 * Per sample, with d = log Q − log P:
 * k1 = −d (∂/∂log P = 1, ∂/∂log Q = −1); k2 = ½d² (∂/∂log Q = d = −∂/∂log P);
 * k3 = expm1(d) − d (∂/∂log Q = expm1(d) = −∂/∂log P).
 */
const monteCarloKLKernel: LossKernel<[Tensor, Tensor], { readonly estimator: KLEstimator }> = {
  forward([logP, logQ], { estimator }) {
    const d = tf.sub(logQ, logP);
    if (estimator === 'k1') return tf.neg(d);
    if (estimator === 'k2') return tf.mul(0.5, tf.square(d));
    // expm1(d) − d rather than (r − 1) − log r: no cancellation for r near 1, no overflow of r for d < 88.
    return tf.sub(expm1(d), d);
  },
  backward(dy, [logP, logQ], { estimator }) {
    const d = tf.sub(logQ, logP);
    const dLogQ = estimator === 'k1' ? tf.neg(tf.onesLike(d)) : estimator === 'k2' ? d : expm1(d);
    const g = tf.mul(dy, dLogQ);
    return [tf.neg(g), g];
  },
};

/** The options of {@link monteCarloKL}. */
export const monteCarloKLOptions = {
  /** `'k1'` (default), `'k2'` or `'k3'`; see {@link monteCarloKL}. */
  estimator: withDefault<KLEstimator>('k1', oneOf(['k1', 'k2', 'k3'])),
  /** `'mean'` (default: the estimate), `'sum'` or `'none'` (per sample). */
  reduction: REDUCTION,
};

/** Options of {@link monteCarloKL}. */
export type MonteCarloKLOptions = OptionsOf<typeof monteCarloKLOptions>;

/**
 * Monte Carlo estimate of D_KL(P ‖ Q) from log-densities at samples x ~ P.
 *
 * Per sample: k1 = log P − log Q, k2 = ½(log Q − log P)², k3 = (r − 1) − log r
 * with r = Q/P; `'mean'` gives the estimate. k1 and k3 are unbiased; k3 is
 * never negative and has lower variance when Q is close to P; k2 is biased
 * but low-variance. The samples must come from P (the first distribution).
 *
 * Shapes: `logP` and `logQ` have the same (any) shape, one entry per sample;
 * `'none'` returns that shape.
 *
 * Gradients (hand-written, both inputs): with d = log Q − log P,
 * ∂k1/∂log Q = −1, ∂k2/∂log Q = d, ∂k3/∂log Q = e^d − 1, and ∂/∂log P the
 * negative of each (the gradient through the log-densities only: the
 * samples themselves are treated as fixed, as when they are drawn outside the
 * recorded function).
 *
 * Stability: k3 is computed as expm1(d) − d (no cancellation for r near 1);
 * it overflows to +Infinity where log Q − log P > 88 (e^d exceeds float32).
 *
 * @param logP - log P(x), float32.
 * @param logQ - log Q(x), float32, the shape of `logP`.
 * @param options - `estimator` (`'k1'`), `reduction` (`'mean'`).
 * @returns the estimate (a scalar), or per-sample terms for `'none'`.
 * @throws Error naming `monteCarloKL` on mismatched shapes, an unknown estimator or option.
 *
 * @example
 * ```ts
 * // P = N(0, 1), Q = N(1, 1): D_KL = 0.5.
 * const x = tf.randomNormal([100000], 0, 1, 'float32', 7);
 * const logDensity = (mu: number) => tf.sub(tf.mul(-0.5, tf.square(tf.sub(x, mu))), 0.5 * Math.log(2 * Math.PI));
 * monteCarloKL(logDensity(0), logDensity(1), { estimator: 'k3' }).print(); // ≈ 0.5
 * ```
 */
export function monteCarloKL(logP: TensorInput, logQ: TensorInput, options: MonteCarloKLOptions = {}): Tensor {
  const fn = 'monteCarloKL';
  const { estimator, reduction } = readOptions(fn, monteCarloKLOptions, options);
  return tf.tidy(() => {
    const [p, q] = sameShapeFloats(fn, ['logP', 'logQ'], [logP, logQ], { scalars: true }) as [Tensor, Tensor];
    return reduceLoss(applyKernel(monteCarloKLKernel, [p, q], { estimator }), { reduction });
  });
}
