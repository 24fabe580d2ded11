/**
 * Binary / multi-label cross-entropy from logits (API.md §3), matching
 * PyTorch's `F.binary_cross_entropy_with_logits(pos_weight=…)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { broadcastTo } from '../src/broadcast.js';
import { applyKernel, type LossKernel } from '../src/custom-gradient.js';
import { checkReduction, reduceLoss, toSampleWeights, type Reduction } from '../src/reduction.js';
import { assertBroadcastsTo, assertKnownOptions, numberInRange, toFloatTensor, toLabelsLike } from '../src/validate.js';

/** softplus(−z) = −log σ(z) = max(−z, 0) + log1p(exp(−|z|)): never overflows. */
export function negativeLogSigmoid(logits: Tensor): Tensor {
  return tf.add(tf.relu(tf.neg(logits)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** softplus(z) = log(1 + e^z) = −log σ(−z). */
const softplus = (logits: Tensor): Tensor => negativeLogSigmoid(tf.neg(logits));

/** `value`, with 0 where `weight` = 0: a term held at 0 even where its log is infinite (a NaN weight is not 0, so it shows). */
function zeroWhereWeightZero(weight: Tensor, value: Tensor): Tensor {
  return tf.where(tf.equal(weight, 0), tf.zerosLike(value), value);
}

/**
 * Elementwise −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))] = w·y·softplus(−z) + (1 − y)·softplus(z).
 * Each term is held at 0 where its label weight (y, or 1 − y) is 0, so a hard
 * label against an infinite logit of the right sign (a probability of exactly
 * 1 or 0) gives 0, not ∞·0.
 */
export function binaryCrossEntropyTerms(labels: Tensor, logits: Tensor, posWeight?: Tensor): Tensor {
  const positiveWeight = posWeight === undefined ? labels : tf.mul(posWeight, labels);
  const positive = tf.mul(positiveWeight, softplus(tf.neg(logits)));
  const negative = tf.mul(tf.sub(1, labels), softplus(logits));
  return tf.add(zeroWhereWeightZero(positiveWeight, positive), zeroWhereWeightZero(tf.sub(1, labels), negative));
}

/**
 * l = w·y·softplus(−z) + (1 − y)·softplus(z), elementwise, with positive-class weight w.
 * ∂l/∂z = −w·y·σ(−z) + (1 − y)·σ(z); ∂l/∂y = w·softplus(−z) − softplus(z); ∂l/∂w = y·softplus(−z).
 */
const sigmoidCrossEntropyKernel: LossKernel<[Tensor, Tensor, Tensor], null> = {
  forward([labels, logits, posWeight]) {
    return binaryCrossEntropyTerms(labels, logits, posWeight);
  },
  backward(dy, [labels, logits, posWeight]) {
    const softplusNeg = softplus(tf.neg(logits));
    const dLogits = tf.sub(tf.mul(tf.sub(1, labels), tf.sigmoid(logits)), tf.mul(tf.mul(posWeight, labels), tf.sigmoid(tf.neg(logits))));
    const dLabels = tf.sub(tf.mul(posWeight, softplusNeg), softplus(logits));
    const dPosWeight = zeroWhereWeightZero(labels, tf.mul(labels, softplusNeg));
    return [tf.mul(dy, dLabels), tf.mul(dy, dLogits), tf.mul(dy, dPosWeight)];
  },
};

/** Options of {@link sigmoidCrossEntropy}. */
export interface SigmoidCrossEntropyOptions {
  /**
   * Weight w of the positive term, broadcast against `logits` (usually `[C]`,
   * one per class), as PyTorch's `pos_weight`: w > 1 raises recall. Default 1.
   */
  readonly posWeight?: Tensor | TensorLike | undefined;
  /** ε in [0, 1]: labels become y·(1 − ε) + ε/2. Default 0. */
  readonly labelSmoothing?: number | undefined;
  /** Sample weights, broadcast against the elementwise loss. */
  readonly weights?: Tensor | TensorLike | undefined;
  /** `'mean'` (default: over every element, as PyTorch), `'sum'` or `'none'` (elementwise). */
  readonly reduction?: Reduction | undefined;
}

/**
 * Sigmoid (binary) cross-entropy from logits, elementwise:
 * l = −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))], with positive weight w.
 *
 * For binary classification (`[batch]` or `[batch, 1]`) and multi-label
 * classification (`[batch, C]`, each class independent). Same values as
 * PyTorch `F.binary_cross_entropy_with_logits(logits, labels, pos_weight=w,
 * reduction)`; label smoothing moves labels to y·(1 − ε) + ε/2.
 *
 * Shapes: `labels` and `logits` have the same (any) shape; the unreduced loss
 * has it too (`'none'`); `'mean'` averages over every element.
 *
 * Gradients (hand-written): ∂l/∂z = (1 − y)·σ(z) − w·y·σ(−z)
 * (σ(z) − y when w = 1), ∂l/∂y = w·softplus(−z) − softplus(z), ∂l/∂w = y·softplus(−z).
 *
 * Stability: log σ(z) = −softplus(−z) = −(max(−z, 0) + log1p(exp(−|z|))), so
 * logits of any magnitude give finite values (z = −1e4, y = 1 gives 1e4) and
 * no probability is ever clipped (clipping zeroes the gradient). A hard label
 * against an infinite logit of the right sign gives 0 (a term with zero label
 * weight is held at 0).
 *
 * @param labels - targets in [0, 1] (0/1 or soft), the shape of `logits`; int32/bool are cast.
 * @param logits - float32.
 * @param options - `posWeight`, `labelSmoothing` (0), `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the elementwise loss for `'none'`.
 * @throws Error naming `sigmoidCrossEntropy` on mismatched shapes, a
 *   `posWeight` or `weights` that does not broadcast, `labelSmoothing`
 *   outside [0, 1], or an unknown option.
 *
 * @example
 * ```ts
 * sigmoidCrossEntropy([[1, 0, 1]], [[2, -1, 0]]).print();                     // 0.3778
 * sigmoidCrossEntropy([[1, 0, 1]], [[2, -1, 0]], { posWeight: [2, 2, 2] }).print();
 * ```
 */
export function sigmoidCrossEntropy(
  labels: Tensor | TensorLike,
  logits: Tensor | TensorLike,
  options: SigmoidCrossEntropyOptions = {},
): Tensor {
  const fn = 'sigmoidCrossEntropy';
  assertKnownOptions(fn, options, ['posWeight', 'labelSmoothing', 'weights', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const smoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const z = toFloatTensor(fn, 'logits', logits);
    const posWeight = options.posWeight === undefined ? undefined : toFloatTensor(fn, 'posWeight', options.posWeight);
    if (posWeight !== undefined) assertBroadcastsTo(fn, 'posWeight', posWeight, z.shape, 'logits');
    const weights = toSampleWeights(fn, options.weights, z.shape);
    const y = toLabelsLike(fn, labels, z);

    const smoothed = smoothing === 0 ? y : tf.add(tf.mul(y, 1 - smoothing), smoothing / 2);
    const fullPosWeight = posWeight === undefined ? tf.onesLike(z) : broadcastTo(posWeight, z.shape);
    const perElement = applyKernel(sigmoidCrossEntropyKernel, [smoothed, z, fullPosWeight], null);
    return reduceLoss(perElement, { reduction, weights });
  });
}
