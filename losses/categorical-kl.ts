/**
 * KL divergence between categorical distributions given by logits, and the
 * knowledge-distillation loss built on it (API.md §4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/custom-gradient.js';
import { checkReduction, reduceLoss, type Reduction } from '../src/reduction.js';
import { safeSum } from '../src/safe-sum.js';
import {
  assertHasAxis,
  assertHasClasses,
  assertLabelsInRange,
  assertKnownOptions,
  assertSameShape,
  formatShape,
  numberInRange,
  positiveNumber,
  resolveAxis,
  toFloatTensor,
  toIndexTensor,
  toLabelsLike,
  toTensor,
} from '../src/validate.js';
import { logSoftmaxAlong, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from './softmax-cross-entropy.js';

interface CategoricalKLAttrs {
  readonly axis: number;
  readonly temperature: number;
}

/** log π = log softmax(p/T), log ρ = log softmax(q/T), and their KL Σ π (log π − log ρ). */
function temperedParts(pLogits: Tensor, qLogits: Tensor, { axis, temperature }: CategoricalKLAttrs) {
  const logPi = logSoftmaxAlong(tf.div(pLogits, temperature), axis);
  const logRho = logSoftmaxAlong(tf.div(qLogits, temperature), axis);
  const pi = tf.exp(logPi);
  const logRatio = tf.sub(logPi, logRho);
  // π·(log π − log ρ), held at 0 where π = 0: a −Infinity p logit (a masked class) has
  // log π = −∞, and 0·∞ would be NaN. A NaN in ρ is not held, so it shows.
  const held = tf.logicalAnd(tf.equal(pi, 0), tf.logicalNot(tf.isNaN(logRho)));
  const heldAtZero = (x: Tensor) => tf.where(held, tf.zerosLike(x), x);
  return { pi, logRatio, logRho, heldAtZero, kl: safeSum(heldAtZero(tf.mul(pi, logRatio)), axis) };
}

/**
 * D_KL(π ‖ ρ), π = softmax(p/T), ρ = softmax(q/T), along `axis`.
 * ∂/∂p_k = π_k(log π_k − log ρ_k − KL)/T; ∂/∂q_k = (ρ_k − π_k)/T.
 */
const categoricalKLKernel: LossKernel<[Tensor, Tensor], CategoricalKLAttrs> = {
  forward([pLogits, qLogits], attrs) {
    return temperedParts(pLogits, qLogits, attrs).kl;
  },
  backward(dy, [pLogits, qLogits], attrs) {
    const { pi, logRatio, logRho, heldAtZero, kl } = temperedParts(pLogits, qLogits, attrs);
    const g = tf.div(tf.expandDims(dy, attrs.axis), attrs.temperature);
    const dP = heldAtZero(tf.mul(pi, tf.sub(logRatio, tf.expandDims(kl, attrs.axis))));
    const dQ = tf.sub(tf.exp(logRho), pi);
    return [tf.mul(g, dP), tf.mul(g, dQ)];
  },
};

/** Options of {@link categoricalKL}. */
export interface CategoricalKLOptions {
  /** The class axis; negative counts from the end. Default `-1`. */
  readonly axis?: number | undefined;
  /** T > 0: both logits are divided by T before the softmax. Default 1. No T² factor here. */
  readonly temperature?: number | undefined;
  /** `'mean'` (default), `'sum'` or `'none'` (per distribution). */
  readonly reduction?: Reduction | undefined;
}

/** Converts and checks a pair of logit tensors of one shape with a class axis. */
function logitPair(
  fn: string,
  [pName, qName]: readonly [string, string],
  pLogits: Tensor | TensorLike,
  qLogits: Tensor | TensorLike,
  axisOption: number,
): [Tensor, Tensor, number] {
  const p = toFloatTensor(fn, pName, pLogits);
  const q = toFloatTensor(fn, qName, qLogits);
  assertHasAxis(fn, pName, p);
  assertSameShape(fn, pName, p, qName, q);
  const axis = resolveAxis(fn, pName, p, axisOption);
  assertHasClasses(fn, p, axis);
  return [p, q, axis];
}

/**
 * KL divergence D_KL(softmax(pLogits/T) ‖ softmax(qLogits/T)) per distribution.
 *
 * The categorical KL from logits, stable for any finite logits: computed as
 * Σ π (log π − log ρ) from max-shifted log-softmaxes, so pLogits
 * [1e3, 0, −1e3] against qLogits [0, 1e3, 0] give exactly 1000 (PyTorch's
 * `Categorical` KL gives Infinity there). No T² factor (see `distillationLoss`).
 *
 * Shapes: `pLogits` and `qLogits` `[..., C, ...]` with the classes on `axis`;
 * the per-distribution KL drops `axis`.
 *
 * Gradients (hand-written, both inputs): ∂/∂p_k = π_k(log π_k − log ρ_k − KL)/T,
 * ∂/∂q_k = (ρ_k − π_k)/T; each row sums to 0.
 *
 * @param pLogits - logits of the reference distribution π, float32.
 * @param qLogits - logits of the approximating distribution ρ, float32, the shape of `pLogits`.
 * @param options - `axis` (−1), `temperature` (1), `reduction` (`'mean'`).
 * @returns the reduced KL (a scalar), or per distribution for `'none'`.
 * @throws Error naming `categoricalKL` on mismatched shapes, a bad axis,
 *   a non-positive temperature, or an unknown option.
 *
 * @example
 * ```ts
 * categoricalKL([[1e3, 0, -1e3]], [[0, 1e3, 0]]).print(); // 1000
 * ```
 */
export function categoricalKL(
  pLogits: Tensor | TensorLike,
  qLogits: Tensor | TensorLike,
  options: CategoricalKLOptions = {},
): Tensor {
  const fn = 'categoricalKL';
  assertKnownOptions(fn, options, ['axis', 'temperature', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const temperature = positiveNumber(fn, 'temperature', options.temperature ?? 1);
  return tf.tidy(() => {
    const [p, q, axis] = logitPair(fn, ['pLogits', 'qLogits'], pLogits, qLogits, options.axis ?? -1);
    return reduceLoss(applyKernel(categoricalKLKernel, [p, q], { axis, temperature }), { reduction });
  });
}

/** Options of {@link distillationLoss}. */
export interface DistillationLossOptions {
  /** T > 0, softening both distributions; the KL term is scaled by T². Default 1. */
  readonly temperature?: number | undefined;
  /** Hard labels: one-hot (float32, the logits' shape) or int32 class indices (the logits' shape without the last axis). */
  readonly labels?: Tensor | TensorLike | undefined;
  /** α ∈ [0, 1], the weight of the hard-label cross-entropy (used with `labels`). Default 0.5. */
  readonly alpha?: number | undefined;
  /** `'mean'` (default), `'sum'` or `'none'` (per sample). */
  readonly reduction?: Reduction | undefined;
}

/**
 * Knowledge distillation (Hinton et al. 2015): per sample
 * T²·D_KL(softmax(t/T) ‖ softmax(s/T)) of teacher logits t and student logits
 * s; with `labels`, α·CE(labels, s) + (1 − α)·T²·KL, the cross-entropy at
 * temperature 1.
 *
 * The T² keeps the soft term's gradient magnitude independent of T, so α
 * balances the two terms the same way at any temperature.
 *
 * Shapes: `teacherLogits` and `studentLogits` `[..., C]` (classes last); the
 * per-sample loss is `[...]`.
 *
 * Gradients: hand-written for both logit inputs (the teacher's too, which
 * matters only when the teacher is trained as well) and for float labels,
 * from `categoricalKL` and the cross-entropies.
 *
 * @param teacherLogits - float32 `[..., C]`.
 * @param studentLogits - float32, the shape of `teacherLogits`.
 * @param options - `temperature` (1), `labels`, `alpha` (0.5), `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws Error naming `distillationLoss` on mismatched shapes, a
 *   non-positive temperature, α outside [0, 1], labels of the wrong shape,
 *   or an unknown option.
 *
 * @example
 * ```ts
 * const loss = distillationLoss(teacher.predict(x), student.apply(x), { temperature: 4, labels: y, alpha: 0.1 });
 * ```
 */
export function distillationLoss(
  teacherLogits: Tensor | TensorLike,
  studentLogits: Tensor | TensorLike,
  options: DistillationLossOptions = {},
): Tensor {
  const fn = 'distillationLoss';
  assertKnownOptions(fn, options, ['temperature', 'labels', 'alpha', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const temperature = positiveNumber(fn, 'temperature', options.temperature ?? 1);
  const alpha = numberInRange(fn, 'alpha', options.alpha ?? 0.5, 0, 1);
  return tf.tidy(() => {
    const [teacher, student] = logitPair(fn, ['teacherLogits', 'studentLogits'], teacherLogits, studentLogits, -1);
    // Labels are checked before the first op: see toSampleWeights.
    const hardLabels = options.labels === undefined ? undefined : toHardLabels(fn, options.labels, student);
    const axis = student.rank - 1;
    const soft = tf.mul(applyKernel(categoricalKLKernel, [teacher, student], { axis, temperature }), temperature ** 2);
    if (hardLabels === undefined) return reduceLoss(soft, { reduction });
    const hard =
      hardLabels.rank === student.rank - 1
        ? sparseSoftmaxCrossEntropy(hardLabels, student, { reduction: 'none' })
        : softmaxCrossEntropy(hardLabels, student, { reduction: 'none' });
    return reduceLoss(tf.add(tf.mul(hard, alpha), tf.mul(soft, 1 - alpha)), { reduction });
  });
}

/**
 * Hard labels as int32 class indices (the logits' shape without the last
 * axis) or one-hot/soft labels (the logits' shape; int32 or bool are cast to
 * float32, the only op, after every check).
 */
function toHardLabels(fn: string, labels: Tensor | TensorLike, student: Tensor): Tensor {
  const y = toTensor(fn, 'labels', labels);
  const indexShape = student.shape.slice(0, -1);
  if (tf.util.arraysEqual(y.shape, indexShape)) {
    const indices = toIndexTensor(fn, 'labels', labels);
    assertLabelsInRange(fn, indices, student.shape[student.rank - 1] as number, undefined);
    return indices;
  }
  if (!tf.util.arraysEqual(y.shape, student.shape)) {
    throw new Error(
      `${fn}: labels ${formatShape(y.shape)} must be one-hot ${formatShape(student.shape)} ` +
        `or class indices ${formatShape(indexShape)}`,
    );
  }
  return toLabelsLike(fn, y, student);
}
