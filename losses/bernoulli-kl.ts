/**
 * KL divergence between Bernoulli distributions given by logits (API.md §4),
 * e.g. between binary latent codes or multi-label predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { softplus } from '../src/machinery/numerics.js';
import { readOptions, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { keepNaN, safeSum } from '../src/machinery/tfjs-workarounds.js';
import { sameShapeFloats, type TensorInput } from '../src/machinery/validate.js';

/**
 * Elementwise KL(Bern(σ(a)) ‖ Bern(σ(b))) = softplus(−b) − softplus(−a) + σ(−a)·(b − a)
 * (from s·log(s/t) + (1 − s)·log((1 − s)/(1 − t)) with log σ(x) = −softplus(−x)).
 * ∂/∂a = σ(a)σ(−a)·(a − b); ∂/∂b = σ(b) − σ(a).
 */
const bernoulliKLKernel: LossKernel<[Tensor, Tensor], null> = {
  forward([a, b]) {
    // KL(a, b) = KL(−a, −b) (swapping the two outcomes): evaluated with a ≥ 0,
    // where σ(−a) ≤ ½ and the terms cancel least.
    const flip = tf.where(tf.less(a, 0), tf.fill(a.shape, -1), tf.onesLike(a));
    const [aa, bb] = [tf.mul(a, flip), tf.mul(b, flip)] as [Tensor, Tensor];
    const kl = tf.add(tf.sub(softplus(tf.neg(bb)), softplus(tf.neg(aa))), tf.mul(tf.sigmoid(tf.neg(aa)), tf.sub(bb, aa)));
    // For nearby logits the three terms still cancel to within a few ulps of 0;
    // the exact value is never negative, so a negative result is rounding: 0.
    return keepNaN(kl, tf.relu(kl));
  },
  backward(dy, [a, b]) {
    const dA = tf.mul(tf.mul(tf.sigmoid(a), tf.sigmoid(tf.neg(a))), tf.sub(a, b));
    const dB = tf.sub(tf.sigmoid(b), tf.sigmoid(a));
    return [tf.mul(dy, dA), tf.mul(dy, dB)];
  },
};

/** The options of {@link bernoulliKL}. */
export const bernoulliKLOptions = {
  /** `'mean'` (default: summed over the last axis, averaged over the rest), `'sum'` or `'none'`. */
  reduction: REDUCTION,
};

/** Options of {@link bernoulliKL}. */
export type BernoulliKLOptions = OptionsOf<typeof bernoulliKLOptions>;

/**
 * KL divergence of independent Bernoullis from logits, summed over the last axis:
 * Σ_d D_KL(Bern(σ(pLogits_d)) ‖ Bern(σ(qLogits_d))).
 *
 * Each term is softplus(−b) − softplus(−a) + σ(−a)·(b − a) for a = pLogits,
 * b = qLogits, evaluated on the side a ≥ 0 (KL is unchanged by negating both):
 * log-sigmoid forms, so finite logits give finite, exact values (a = 1e3,
 * b = −1e3 gives 1000); a term that rounds below 0 (nearby logits) is 0.
 *
 * Shapes: `pLogits`, `qLogits` `[..., D]`, the same; per sample `[...]`;
 * `'mean'` averages over every axis but the last.
 *
 * Gradients (hand-written, both inputs): ∂/∂a = σ(a)σ(−a)(a − b), ∂/∂b = σ(b) − σ(a).
 *
 * @param pLogits - logits of the reference Bernoullis, float32.
 * @param qLogits - logits of the approximating Bernoullis, float32, the shape of `pLogits`.
 * @param options - `reduction` (`'mean'`).
 * @returns the reduced KL (a scalar), or per sample for `'none'`.
 * @throws Error naming `bernoulliKL` on mismatched shapes, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * bernoulliKL([[0, 0]], [[0, 2]]).print(); // 0.4338 (the second dimension only)
 * ```
 */
export function bernoulliKL(pLogits: TensorInput, qLogits: TensorInput, options: BernoulliKLOptions = {}): Tensor {
  const fn = 'bernoulliKL';
  const { reduction } = readOptions(fn, bernoulliKLOptions, options);
  return tf.tidy(() => {
    const [a, b] = sameShapeFloats(fn, ['pLogits', 'qLogits'], [pLogits, qLogits]) as [Tensor, Tensor];
    return reduceLoss(safeSum(applyKernel(bernoulliKLKernel, [a, b], null), -1), { reduction });
  });
}
