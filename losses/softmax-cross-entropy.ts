/**
 * Softmax cross-entropy from logits, with one-hot/soft labels
 * (`softmaxCrossEntropy`) or int32 class indices (`sparseSoftmaxCrossEntropy`),
 * matching PyTorch's `F.cross_entropy` option for option (API.md §3).
 *
 * Both reduce to one kernel, the cross-entropy of target weights t against
 * softmax(z): l = −Σ_c t_c log softmax(z)_c. Label smoothing, class weights
 * and ignored positions only shape t (elementwise, differentiated by tfjs),
 * so the kernel's hand-written gradient covers every option.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { broadcastTo } from '../src/broadcast.js';
import { applyKernel, type LossKernel } from '../src/custom-gradient.js';
import { checkReduction, reduceLoss, toSampleWeights, type Reduction } from '../src/reduction.js';
import { safeSum } from '../src/safe-sum.js';
import {
  assertHasAxis,
  assertHasClasses,
  assertKnownOptions,
  assertLabelsInRange,
  formatShape,
  integerOption,
  numberInRange,
  resolveAxis,
  toFloatTensor,
  toIndexTensor,
  toLabelsLike,
} from '../src/validate.js';

/** log softmax(z) along `axis`, shifted by the max so exp never overflows (tfjs's own works on the last axis only). */
export function logSoftmaxAlong(logits: Tensor, axis: number): Tensor {
  const shifted = tf.sub(logits, tf.max(logits, axis, true));
  return tf.sub(shifted, tf.log(tf.sum(tf.exp(shifted), axis, true)));
}

/**
 * l = −Σ_c t_c log softmax(z)_c along `axis`.
 * ∂l/∂t = −log softmax(z); ∂l/∂z = softmax(z)·Σ_c t_c − t (= p − t for targets summing to 1).
 */
const softmaxCrossEntropyKernel: LossKernel<[Tensor, Tensor], { readonly axis: number }> = {
  forward([targets, logits], { axis }) {
    // log softmax is z − max − log Σ exp(z − max): finite for finite logits.
    // A zero target's term is 0 even where log softmax = −∞ (a −Infinity
    // logit masking a class), not 0·(−∞) = NaN.
    // Negating the log, not the sum, keeps a certain prediction's loss +0, not −0.
    const terms = tf.mul(targets, tf.neg(logSoftmaxAlong(logits, axis)));
    return safeSum(tf.where(tf.equal(targets, 0), tf.zerosLike(terms), terms), axis);
  },
  backward(dy, [targets, logits], { axis }) {
    const upstream = tf.expandDims(dy, axis);
    const logProbabilities = logSoftmaxAlong(logits, axis);
    const probabilities = tf.exp(logProbabilities);
    const dLogits = tf.sub(tf.mul(probabilities, tf.sum(targets, axis, true)), targets);
    return [tf.mul(upstream, tf.neg(logProbabilities)), tf.mul(upstream, dLogits)];
  },
};

/** Options shared by both softmax cross-entropies. */
interface CrossEntropyOptions {
  /**
   * ε in [0, 1]: targets become (1 − ε)·labels + ε/C, as PyTorch's
   * `label_smoothing`. Default 0.
   */
  readonly labelSmoothing?: number | undefined;
  /** Per-class weights c, shape `[C]`, as PyTorch's `weight`. */
  readonly classWeights?: Tensor | TensorLike | undefined;
  /** Sample weights, broadcast against the per-sample loss. */
  readonly weights?: Tensor | TensorLike | undefined;
  /** `'mean'` (default), `'sum'` or `'none'` (the per-sample loss). */
  readonly reduction?: Reduction | undefined;
}

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions extends CrossEntropyOptions {
  /** The class axis of `labels` and `logits`; negative counts from the end. Default `-1`. */
  readonly axis?: number | undefined;
}

/** Options of {@link sparseSoftmaxCrossEntropy}. */
export interface SparseSoftmaxCrossEntropyOptions extends CrossEntropyOptions {
  /**
   * A label value to skip: its positions add nothing to the loss, the
   * gradient or the `'mean'` denominator (PyTorch's `ignore_index`).
   * Default: none.
   */
  readonly ignoreIndex?: number | undefined;
}

/** Validated class weights: a float32 `[C]` tensor, or undefined. Runs no op. */
export function toClassWeights(fn: string, classWeights: Tensor | TensorLike | undefined, classes: number): Tensor | undefined {
  if (classWeights === undefined) return undefined;
  const weights = toFloatTensor(fn, 'classWeights', classWeights);
  if (weights.rank !== 1 || weights.shape[0] !== classes) {
    throw new Error(
      `${fn}: classWeights ${formatShape(weights.shape)} must have one entry per class ([${classes}])`,
    );
  }
  return weights;
}

/** `[C]` class weights reshaped to broadcast along `axis` of a rank-`rank` tensor. */
function alongAxis(classWeights: Tensor, rank: number, axis: number): Tensor {
  const shape = new Array<number>(rank).fill(1);
  shape[axis] = classWeights.size;
  return tf.reshape(classWeights, shape);
}

/** Targets c·((1 − ε)·labels + ε/C): label smoothing, then class weights. */
function smoothedWeightedTargets(
  labels: Tensor,
  smoothing: number,
  classWeights: Tensor | undefined,
  axis: number,
): Tensor {
  const classes = labels.shape[axis] as number;
  const smoothed = smoothing === 0 ? labels : tf.add(tf.mul(labels, 1 - smoothing), smoothing / classes);
  return classWeights === undefined ? smoothed : tf.mul(smoothed, broadcastTo(alongAxis(classWeights, labels.rank, axis), smoothed.shape));
}

/** Throws a pointer to the sparse loss for int32 labels of one rank less than the logits. */
function assertNotClassIndices(fn: string, labels: Tensor | TensorLike, logits: Tensor): void {
  if (labels instanceof tf.Tensor && labels.dtype === 'int32' && labels.rank === logits.rank - 1) {
    throw new Error(
      `${fn}: labels ${formatShape(labels.shape)} are int32 with one rank less than logits ` +
        `${formatShape(logits.shape)}: for class indices use sparseSoftmaxCrossEntropy`,
    );
  }
}

/**
 * Softmax cross-entropy between one-hot or soft `labels` and `logits`:
 * per sample l = −Σ_c c_c·y'_c·log softmax(z)_c, with y' = (1 − ε)·y + ε/C
 * (label smoothing ε) and class weights c.
 *
 * Same values as PyTorch `F.cross_entropy(logits, labels, weight=classWeights,
 * label_smoothing=ε, reduction)` with probability targets: `'mean'` divides by
 * the number of samples (or Σ of the sample `weights`), not by class weights.
 *
 * Shapes: `labels` and `logits` are `[..., C, ...]` with the classes on `axis`
 * (any rank, any axis); the per-sample loss drops `axis` (`[batch, C]` →
 * `[batch]`, `[batch, time, C]` → `[batch, time]`); `weights` broadcast
 * against it; `'mean'` and `'sum'` give a scalar.
 *
 * Gradients (hand-written): ∂l/∂z = softmax(z)·Σ_c t_c − t with t = c·y',
 * so each row sums to 0 when the row's targets sum to 1; ∂l/∂y = −(1 − ε)·c·log softmax(z)
 * (tfjs 4.22's `tf.losses.softmaxCrossEntropy` wrongly returns labels − softmax here).
 *
 * Stability: log softmax is computed as z − max z − log Σ exp(z − max z), so
 * any finite logits give finite values and gradients (logits [1e4, 0, −1e4]
 * with the label on the last class give exactly 20000).
 *
 * Labels may be float32, or int32/bool one-hot (as `tf.oneHot` returns); those
 * are cast to float32. Labels are not checked to sum to 1.
 *
 * @param labels - one-hot or probability targets, the shape of `logits`.
 * @param logits - unnormalised log-probabilities, float32.
 * @param options - `axis` (−1), `labelSmoothing` (0), `classWeights`, `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws Error naming `softmaxCrossEntropy` on mismatched shapes, a bad axis,
 *   `labelSmoothing` outside [0, 1], `classWeights` not of length C,
 *   `weights` that do not broadcast, or an unknown option.
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
 * const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
 * softmaxCrossEntropy(labels, logits).print();                          // 0.3185 (mean of 0.4170, 0.2200)
 * softmaxCrossEntropy(labels, logits, { labelSmoothing: 0.1 }).print(); // smoothed targets
 * ```
 */
export function softmaxCrossEntropy(
  labels: Tensor | TensorLike,
  logits: Tensor | TensorLike,
  options: SoftmaxCrossEntropyOptions = {},
): Tensor {
  const fn = 'softmaxCrossEntropy';
  assertKnownOptions(fn, options, ['axis', 'labelSmoothing', 'classWeights', 'weights', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const smoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const z = toFloatTensor(fn, 'logits', logits);
    assertHasAxis(fn, 'logits', z);
    assertNotClassIndices(fn, labels, z);
    const axis = resolveAxis(fn, 'logits', z, options.axis ?? -1);
    assertHasClasses(fn, z, axis);
    const classWeights = toClassWeights(fn, options.classWeights, z.shape[axis] as number);
    const weights = toSampleWeights(fn, options.weights, z.shape.filter((_, i) => i !== axis));
    const y = toLabelsLike(fn, labels, z);

    const targets = smoothedWeightedTargets(y, smoothing, classWeights, axis);
    const perSample = applyKernel(softmaxCrossEntropyKernel, [targets, z], { axis });
    return reduceLoss(perSample, { reduction, weights });
  });
}

/**
 * Softmax cross-entropy with int32 class-index `labels`:
 * per sample l = (1 − ε)·c_y·(−log softmax(z)_y) + (ε/C)·Σ_k c_k·(−log softmax(z)_k),
 * and 0 where the label is `ignoreIndex`.
 *
 * Same values as PyTorch `F.cross_entropy(logits, labels, weight=classWeights,
 * ignore_index, label_smoothing=ε, reduction)` with class-index targets:
 * `'mean'` is Σ_i w_i·l_i / Σ_{i not ignored} w_i·c_{y_i} (PyTorch's value for
 * w ≡ 1, the plain weighted mean for c ≡ 1). If every label is ignored, the
 * loss is 0 with a zero gradient, never NaN.
 *
 * Shapes: `logits` `[..., C]` (classes on the last axis), `labels` the same
 * without the last axis (`[batch]`, `[batch, time]`); the per-sample loss has
 * the labels' shape.
 *
 * Gradients: ∂l/∂z = softmax(z)·Σt − t with t = c·((1 − ε)·onehot(y) + ε/C)
 * (0 at ignored positions); class and sample weights get theirs from tfjs.
 * Stability as {@link softmaxCrossEntropy}.
 *
 * Labels are read back to check their range (one synchronous read).
 *
 * @param labels - int32 class indices in [0, C), or `ignoreIndex`.
 * @param logits - unnormalised log-probabilities, float32.
 * @param options - `ignoreIndex`, `labelSmoothing` (0), `classWeights`, `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws RangeError naming the value and its position for a label outside
 *   [0, C) that is not `ignoreIndex`; Error for float labels, shape mismatches
 *   and bad options.
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
 * sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), logits).print(); // 0.3185
 * sparseSoftmaxCrossEntropy([0, -100], logits, { ignoreIndex: -100 }).print(); // 0.4170
 * ```
 */
export function sparseSoftmaxCrossEntropy(
  labels: Tensor | TensorLike,
  logits: Tensor | TensorLike,
  options: SparseSoftmaxCrossEntropyOptions = {},
): Tensor {
  const fn = 'sparseSoftmaxCrossEntropy';
  assertKnownOptions(fn, options, ['ignoreIndex', 'labelSmoothing', 'classWeights', 'weights', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const ignoreIndex = options.ignoreIndex === undefined ? undefined : integerOption(fn, 'ignoreIndex', options.ignoreIndex);
  const smoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const z = toFloatTensor(fn, 'logits', logits);
    assertHasAxis(fn, 'logits', z);
    const y = toIndexTensor(fn, 'labels', labels);
    const expectedShape = z.shape.slice(0, -1);
    if (!tf.util.arraysEqual(y.shape, expectedShape)) {
      throw new Error(
        `${fn}: labels ${formatShape(y.shape)} must have the shape of logits ${formatShape(z.shape)} ` +
          `without its last axis (${formatShape(expectedShape)})`,
      );
    }
    const axis = z.rank - 1;
    assertHasClasses(fn, z, axis);
    const classes = z.shape[axis] as number;
    assertLabelsInRange(fn, y, classes, ignoreIndex);
    const classWeights = toClassWeights(fn, options.classWeights, classes);
    const weights = toSampleWeights(fn, options.weights, y.shape);

    // Positions whose label is kept (not ignoreIndex), as 1/0 of the labels' shape.
    const kept = ignoreIndex === undefined ? tf.onesLike(y) : tf.notEqual(y, ignoreIndex);
    const keptFloat = tf.expandDims(tf.cast(kept, 'float32'), -1);
    // One-hot by comparison with 0…C−1 (tf.oneHot rejects C = 1); an ignored
    // label outside [0, C) matches nothing, one inside is masked by `kept`.
    const matches = tf.equal(tf.expandDims(y, -1), tf.range(0, classes, 1, 'int32'));
    const oneHot = tf.mul(tf.cast(matches, 'float32'), keptFloat);
    const targets = tf.mul(smoothedWeightedTargets(oneHot, smoothing, classWeights, axis), keptFloat);
    const perSample = applyKernel(softmaxCrossEntropyKernel, [targets, z], { axis });

    // PyTorch's 'mean' denominator: the class weight of each kept target.
    const classWeightOfTarget = classWeights === undefined ? oneHot : tf.mul(oneHot, broadcastTo(classWeights, oneHot.shape));
    const meanWeights = safeSum(classWeightOfTarget, -1);
    return reduceLoss(perSample, { reduction, weights, meanWeights });
  });
}
