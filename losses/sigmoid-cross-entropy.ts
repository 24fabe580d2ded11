/**
 * Binary / multi-label cross-entropy from logits (API.md §3), matching
 * PyTorch's `F.binary_cross_entropy_with_logits(pos_weight=…)`; and beside it
 * the same loss of probabilities, for the tfjs-layers adapters
 * (`fromLogits: false`).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { maskedProduct, maskedSlope, softplus } from '../src/machinery/numerics.js';
import { readOptions, TENSOR, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { broadcastTo, safeSum } from '../src/machinery/tfjs-workarounds.js';
import { readsInPlace, runElementwiseSum } from '../src/kernels/elementwise-sum.js';
import { fusedSigmoidCrossEntropy, sigmoidCrossEntropyTerm } from '../src/kernels/sigmoid-cross-entropy.js';
import { inRange, labeledInputs, type LabeledInputs, type TensorInput } from '../src/machinery/validate.js';
import { crossEntropy } from './information.js';

/**
 * Elementwise −[w·y·log σ(z) + (1 − y)·log(1 − σ(z))] = w·y·softplus(−z) + (1 − y)·softplus(z),
 * w = `posWeight` (1 when absent). Each term is held at 0 where its label
 * weight (w·y, or 1 − y) is 0, so a hard label against an infinite logit of
 * the right sign (a probability of exactly 1 or 0) gives 0, not ∞·0.
 */
export function binaryCrossEntropyTerms(labels: Tensor, logits: Tensor, posWeight?: Tensor): Tensor {
  const positiveWeight = posWeight === undefined ? labels : tf.mul(posWeight, labels);
  return tf.add(maskedProduct(positiveWeight, softplus(tf.neg(logits))), maskedProduct(tf.sub(1, labels), softplus(logits)));
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
    return [tf.mul(dy, dLabels), tf.mul(dy, dLogits), tf.mul(dy, maskedSlope(labels, softplusNeg))];
  },
};

/** The options of {@link sigmoidCrossEntropy}. */
export const sigmoidCrossEntropyOptions = {
  /**
   * Weight w of the positive term, broadcast against `logits` (usually `[C]`,
   * one per class), as PyTorch's `pos_weight`: w > 1 raises recall. Default 1.
   */
  posWeight: TENSOR,
  /** ε in [0, 1]: labels become y·(1 − ε) + ε/2. Default 0. */
  labelSmoothing: withDefault(0, inRange(0, 1)),
  /** Sample weights, broadcast against the elementwise loss. */
  weights: TENSOR,
  /** `'mean'` (default: over every element, as PyTorch), `'sum'` or `'none'` (elementwise). */
  reduction: REDUCTION,
};

/** Options of {@link sigmoidCrossEntropy}. */
export type SigmoidCrossEntropyOptions = OptionsOf<typeof sigmoidCrossEntropyOptions>;

/**
 * The elementwise binary cross-entropy of checked inputs, labels smoothed to
 * y·(1 − ε) + ε/2: of logits (`fromLogits`), or of probabilities p used as
 * given, −[w·y·log p + (1 − y)·log(1 − p)], as `crossEntropy` over the two
 * outcomes (p, 1 − p), so a term with zero label weight is 0 and its
 * gradient too, exactly at p = 0 and 1. With `sumLastAxis` (inputs of rank
 * ≥ 1), summed over the last axis: the fused kernel then writes one number
 * per row, and a reduction reads no [N, C] loss.
 */
export function binaryCrossEntropy(
  { labels, predictions, posWeight }: LabeledInputs,
  labelSmoothing: number,
  fromLogits: boolean,
  { sumLastAxis }: { sumLastAxis: boolean } = { sumLastAxis: false },
): Tensor {
  const y = labelSmoothing === 0 ? labels : tf.add(tf.mul(labels, 1 - labelSmoothing), labelSmoothing / 2);
  const sum = (elementwise: Tensor) => (sumLastAxis ? safeSum(elementwise, -1) : elementwise);
  if (fromLogits && (posWeight === undefined || readsInPlace(posWeight, predictions.shape))) {
    const inputs = [y, predictions, posWeight ?? tf.ones([1])];
    const fused = runElementwiseSum(fusedSigmoidCrossEntropy, sigmoidCrossEntropyTerm, inputs, sumLastAxis ? predictions.rank - 1 : -1);
    if (fused !== undefined) return fused;
  }
  const w = posWeight === undefined ? tf.onesLike(predictions) : broadcastTo(posWeight, predictions.shape);
  if (fromLogits) return sum(applyKernel(sigmoidCrossEntropyKernel, [y, predictions, w], null));
  return sum(crossEntropy(tf.stack([tf.mul(w, y), tf.sub(1, y)], -1), tf.stack([predictions, tf.sub(1, predictions)], -1)));
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
 * @throws Error naming `sigmoidCrossEntropy` on mismatched shapes, weights that do not broadcast, a bad option.
 *
 * @example
 * ```ts
 * sigmoidCrossEntropy([[1, 0, 1]], [[2, -1, 0]]).print();                     // 0.3778
 * sigmoidCrossEntropy([[1, 0, 1]], [[2, -1, 0]], { posWeight: [2, 2, 2] }).print();
 * ```
 */
export function sigmoidCrossEntropy(labels: TensorInput, logits: TensorInput, options: SigmoidCrossEntropyOptions = {}): Tensor {
  const fn = 'sigmoidCrossEntropy';
  const { posWeight, labelSmoothing, weights, reduction } = readOptions(fn, sigmoidCrossEntropyOptions, options);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const inputs = labeledInputs(fn, ['labels', 'logits'], labels, logits, { posWeight, weights, logits: true });
    if (reduction === 'none' || inputs.sampleWeights !== undefined || inputs.predictions.rank === 0) {
      return reduceLoss(binaryCrossEntropy(inputs, labelSmoothing, true), { reduction, weights: inputs.sampleWeights });
    }
    // Unweighted 'sum' and 'mean' from the rows' sums: no [N, C] loss is formed. A mean over nothing is 0.
    const total = safeSum(binaryCrossEntropy(inputs, labelSmoothing, true, { sumLastAxis: true }));
    return reduction === 'sum' ? total : tf.div(total, Math.max(inputs.predictions.size, 1));
  });
}
