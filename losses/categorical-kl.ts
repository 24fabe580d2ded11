/**
 * KL divergence between categorical distributions given by logits, and the
 * knowledge-distillation loss built on it (API.md §4).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { CATEGORICAL_KL, fusedCategoricalKL } from '../src/kernels/categorical-kl.js';
import { runFused } from '../src/kernels/fused.js';
import { logSoftmax, maskedProduct, maskedSlope } from '../src/machinery/numerics.js';
import { AXIS, readOptions, TENSOR, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { safeSum } from '../src/machinery/tfjs-workarounds.js';
import {
  assertHasClasses,
  assertLabelsInRange,
  formatShape,
  inRange,
  positiveNumber,
  resolveAxis,
  sameShapeFloats,
  toIndexTensor,
  toLabelsLike,
  toTensor,
  type TensorInput,
} from '../src/machinery/validate.js';
import { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from './softmax-cross-entropy.js';

interface CategoricalKLAttrs {
  readonly axis: number;
  readonly temperature: number;
}

/** log π = log softmax(p/T), log ρ = log softmax(q/T), π, and their KL Σ π log π − π log ρ. */
function temperedParts(pLogits: Tensor, qLogits: Tensor, { axis, temperature }: CategoricalKLAttrs) {
  const logPi = logSoftmax(tf.div(pLogits, temperature), axis);
  const logRho = logSoftmax(tf.div(qLogits, temperature), axis);
  const pi = tf.exp(logPi);
  // Each product 0 where π = 0: a −Infinity p logit (a masked class) contributes nothing,
  // also where q masks the class too. A NaN in ρ shows.
  const kl = safeSum(tf.sub(maskedProduct(pi, logPi), maskedProduct(pi, logRho)), axis);
  return { pi, logPi, logRho, kl };
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
    const { pi, logPi, logRho, kl } = temperedParts(pLogits, qLogits, attrs);
    const g = tf.div(tf.expandDims(dy, attrs.axis), attrs.temperature);
    const dP = maskedSlope(pi, tf.sub(tf.sub(logPi, logRho), tf.expandDims(kl, attrs.axis)));
    const dQ = tf.sub(tf.exp(logRho), pi);
    return [tf.mul(g, dP), tf.mul(g, dQ)];
  },
};

/** D_KL(softmax(p/T) ‖ softmax(q/T)) per sample: by the fused kernel (src/kernels/) where it runs, else by the composite. */
function temperedKL(p: Tensor, q: Tensor, attrs: CategoricalKLAttrs): Tensor {
  return runFused(fusedCategoricalKL, CATEGORICAL_KL, { p, q }, attrs)?.[0] ?? applyKernel(categoricalKLKernel, [p, q], attrs);
}

/** T > 0: both logits are divided by T before the softmax. */
const TEMPERATURE = withDefault(1, positiveNumber);

/** The options of {@link categoricalKL}. */
export const categoricalKLOptions = {
  /** The class axis; negative counts from the end. Default `-1`. */
  axis: AXIS,
  /** T > 0: both logits are divided by T before the softmax. Default 1. No T² factor here. */
  temperature: TEMPERATURE,
  /** `'mean'` (default), `'sum'` or `'none'` (per distribution). */
  reduction: REDUCTION,
};

/** Options of {@link categoricalKL}. */
export type CategoricalKLOptions = OptionsOf<typeof categoricalKLOptions>;

/** Converts and checks a pair of logit tensors of one shape with a class axis. */
function logitPair(fn: string, names: readonly [string, string], logits: [TensorInput, TensorInput], axis: number): [Tensor, Tensor, number] {
  const [p, q] = sameShapeFloats(fn, names, logits) as [Tensor, Tensor];
  const classAxis = resolveAxis(fn, names[0], p, axis);
  assertHasClasses(fn, p, classAxis);
  return [p, q, classAxis];
}

/**
 * KL divergence D_KL(softmax(pLogits/T) ‖ softmax(qLogits/T)) per distribution.
 *
 * The categorical KL from logits, stable for any finite logits: computed as
 * Σ π·log π − π·log ρ from max-shifted log-softmaxes, so pLogits
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
 * @throws Error naming `categoricalKL` on mismatched shapes, a bad axis, temperature ≤ 0 or an unknown option.
 *
 * @example
 * ```ts
 * categoricalKL([[1e3, 0, -1e3]], [[0, 1e3, 0]]).print(); // 1000
 * ```
 */
export function categoricalKL(pLogits: TensorInput, qLogits: TensorInput, options: CategoricalKLOptions = {}): Tensor {
  const fn = 'categoricalKL';
  const { axis, temperature, reduction } = readOptions(fn, categoricalKLOptions, options);
  return tf.tidy(() => {
    const [p, q, classAxis] = logitPair(fn, ['pLogits', 'qLogits'], [pLogits, qLogits], axis);
    return reduceLoss(temperedKL(p, q, { axis: classAxis, temperature }), { reduction });
  });
}

/** The options of {@link distillationLoss}. */
export const distillationLossOptions = {
  /** T > 0, softening both distributions; the KL term is scaled by T². Default 1. */
  temperature: TEMPERATURE,
  /** Hard labels: one-hot (float32, the logits' shape) or int32 class indices (the logits' shape without the last axis). */
  labels: TENSOR,
  /** α ∈ [0, 1], the weight of the hard-label cross-entropy (used with `labels`). Default 0.5. */
  alpha: withDefault(0.5, inRange(0, 1)),
  /** `'mean'` (default), `'sum'` or `'none'` (per sample). */
  reduction: REDUCTION,
};

/** Options of {@link distillationLoss}. */
export type DistillationLossOptions = OptionsOf<typeof distillationLossOptions>;

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
 * @throws Error naming `distillationLoss` on mismatched shapes or labels, temperature ≤ 0, α ∉ [0, 1].
 *
 * @example
 * ```ts
 * const loss = distillationLoss(teacher.predict(x), student.apply(x), { temperature: 4, labels: y, alpha: 0.1 });
 * ```
 */
export function distillationLoss(teacherLogits: TensorInput, studentLogits: TensorInput, options: DistillationLossOptions = {}): Tensor {
  const fn = 'distillationLoss';
  const { temperature, labels, alpha, reduction } = readOptions(fn, distillationLossOptions, options);
  return tf.tidy(() => {
    const [teacher, student] = logitPair(fn, ['teacherLogits', 'studentLogits'], [teacherLogits, studentLogits], -1);
    // Labels are checked before the first op: see toSampleWeights.
    const hardLabels = labels === undefined ? undefined : toHardLabels(fn, labels, student);
    const axis = student.rank - 1;
    const soft = tf.mul(temperedKL(teacher, student, { axis, temperature }), temperature ** 2);
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
function toHardLabels(fn: string, labels: TensorInput, student: Tensor): Tensor {
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
