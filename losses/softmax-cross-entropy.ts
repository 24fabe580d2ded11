/**
 * Softmax cross-entropy from logits, with one-hot/soft labels
 * (`softmaxCrossEntropy`) or int32 class indices (`sparseSoftmaxCrossEntropy`),
 * matching PyTorch's `F.cross_entropy` option for option (API.md §3); and
 * beside them the same losses of probabilities, for the tfjs-layers adapters
 * (`fromLogits: false`).
 *
 * Both reduce to one kernel, the cross-entropy of target weights t against
 * softmax(z): l = −Σ_c t_c log softmax(z)_c. Label smoothing, class weights
 * and ignored positions only shape t (elementwise, differentiated by tfjs),
 * so the kernel's hand-written gradient covers every option. Of
 * probabilities p, the same targets give −Σ_c t_c log p_c: `crossEntropy`.
 * The kernel of logits also adds the z-loss w·(log Σ_c exp z_c)², which
 * needs the log-sum-exp it computes anyway.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { logSoftmax, logSoftmaxAndLogSumExp, maskedProduct } from '../src/machinery/numerics.js';
import { AXIS, optional, pick, readOptions, TENSOR, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { broadcastTo, oneHot, safeSum } from '../src/machinery/tfjs-workarounds.js';
import {
  assertHasAxis,
  assertHasClasses,
  assertLabelsInRange,
  formatShape,
  inRange,
  integer,
  labeledInputs,
  toClassWeights,
  toFloatTensor,
  toIndexTensor,
  toSampleWeights,
  type LabeledInputs,
  type TensorInput,
} from '../src/machinery/validate.js';
import { crossEntropy, entropy, klDivergence } from './information.js';
import { runFused } from '../src/kernels/fused.js';
import { fusedSoftmaxCrossEntropy, SOFTMAX_CROSS_ENTROPY } from '../src/kernels/softmax-cross-entropy.js';

/**
 * l = −Σ_c t_c log softmax(z)_c + w·L² along `axis`, L = log Σ_c exp z_c
 * (w: the z-loss, T5X / PaLM).
 * ∂l/∂t = −log softmax(z); ∂l/∂z = softmax(z)·(Σ_c t_c + 2w·L) − t (= p − t
 * for targets summing to 1 and w = 0). The backward is made of
 * differentiable ops, so it can be differentiated again.
 */
const softmaxCrossEntropyKernel: LossKernel<[Tensor, Tensor], { readonly axis: number; readonly zLoss: number }> = {
  forward([targets, logits], { axis, zLoss }) {
    const { logProbabilities, logSumExp } = logSoftmaxWithZLoss(logits, axis, zLoss);
    // A zero target's term is 0 even where log softmax = −∞ (a −Infinity logit masking a class).
    // Negating the log, not the sum, keeps a certain prediction's loss +0, not −0.
    const crossEntropy = safeSum(maskedProduct(targets, tf.neg(logProbabilities)), axis);
    return logSumExp === undefined ? crossEntropy : tf.add(crossEntropy, tf.mul(tf.square(tf.squeeze(logSumExp, [axis])), zLoss));
  },
  backward(dy, [targets, logits], { axis, zLoss }) {
    const upstream = tf.expandDims(dy, axis);
    const { logProbabilities, logSumExp } = logSoftmaxWithZLoss(logits, axis, zLoss);
    const probabilities = tf.exp(logProbabilities);
    // The z-loss's gradient 2w·L·softmax(z) is one more multiple of softmax(z) per sample.
    const mass = tf.sum(targets, axis, true);
    const multiple = logSumExp === undefined ? mass : tf.add(mass, tf.mul(logSumExp, 2 * zLoss));
    const dLogits = tf.sub(tf.mul(probabilities, multiple), targets);
    return [tf.mul(upstream, tf.neg(logProbabilities)), tf.mul(upstream, dLogits)];
  },
};

/** log softmax(z), and log Σ exp z (kept) only for a z-loss: without one, no op more than log softmax's. */
function logSoftmaxWithZLoss(logits: Tensor, axis: number, zLoss: number): { logProbabilities: Tensor; logSumExp?: Tensor } {
  if (zLoss === 0) return { logProbabilities: logSoftmax(logits, axis) };
  const { logSoftmax: logProbabilities, logSumExp } = logSoftmaxAndLogSumExp(logits, axis);
  return { logProbabilities, logSumExp };
}

/** The options of {@link softmaxCrossEntropy}. */
export const softmaxCrossEntropyOptions = {
  /** The class axis of `labels` and `logits`; negative counts from the end. Default `-1`. */
  axis: AXIS,
  /** ε in [0, 1]: targets become (1 − ε)·labels + ε/C, as PyTorch's `label_smoothing`. Default 0. */
  labelSmoothing: withDefault(0, inRange(0, 1)),
  /**
   * w ≥ 0: adds w·(log Σ_c exp z_c)² to each sample's loss (the z-loss of
   * T5X and PaLM, which keeps logits from drifting), before sample weights
   * and reduction; not weighted by class weights. Default 0 (none).
   */
  zLoss: withDefault(0, inRange(0, Infinity)),
  /** Per-class weights c, shape `[C]`, as PyTorch's `weight`. */
  classWeights: TENSOR,
  /** Sample weights, broadcast against the per-sample loss. */
  weights: TENSOR,
  /** `'mean'` (default), `'sum'` or `'none'` (the per-sample loss). */
  reduction: REDUCTION,
};

/** Options of {@link softmaxCrossEntropy}. */
export type SoftmaxCrossEntropyOptions = OptionsOf<typeof softmaxCrossEntropyOptions>;

/** The options of {@link sparseSoftmaxCrossEntropy}: those of {@link softmaxCrossEntropy} but the axis (the classes are last), and `ignoreIndex`. */
export const sparseSoftmaxCrossEntropyOptions = {
  /**
   * A label value to skip: its positions add nothing to the loss, the
   * gradient or the `'mean'` denominator (PyTorch's `ignore_index`).
   * Default: none.
   */
  ignoreIndex: optional(integer),
  ...pick(softmaxCrossEntropyOptions, ['labelSmoothing', 'zLoss', 'classWeights', 'weights', 'reduction']),
};

/** Options of {@link sparseSoftmaxCrossEntropy}. */
export type SparseSoftmaxCrossEntropyOptions = OptionsOf<typeof sparseSoftmaxCrossEntropyOptions>;

/** Targets c·((1 − ε)·labels + ε/C): label smoothing, then class weights, along `axis`. */
function smoothedWeightedTargets(labels: Tensor, smoothing: number, classWeights: Tensor | undefined, axis: number): Tensor {
  const classes = labels.shape[axis] as number;
  const smoothed = smoothing === 0 ? labels : tf.add(tf.mul(labels, 1 - smoothing), smoothing / classes);
  if (classWeights === undefined) return smoothed;
  const alongAxis = tf.reshape(classWeights, labels.shape.map((size, i) => (i === axis ? size : 1)));
  return tf.mul(smoothed, broadcastTo(alongAxis, smoothed.shape));
}

/**
 * The per-sample categorical cross-entropy of checked inputs: targets
 * c·((1 − ε)·y + ε/C) against softmax(predictions) (`fromLogits`), plus the
 * z-loss w·(log Σ exp z)²; or against predictions that are probabilities,
 * used as given (0·log 0 = 0; no z-loss).
 */
export function categoricalCrossEntropy({ labels, predictions, axis, classWeights }: LabeledInputs, labelSmoothing: number, fromLogits: boolean, zLoss = 0): Tensor {
  if (fromLogits) {
    const attrs = { axis, labelSmoothing, zLoss, sparse: false, ignores: false, ignoreIndex: 0 };
    const weights = classWeights ?? tf.ones([predictions.shape[axis] as number]);
    const fused = runFused(fusedSoftmaxCrossEntropy, SOFTMAX_CROSS_ENTROPY, { labels, logits: predictions, classWeights: weights }, attrs);
    if (fused !== undefined) return fused[0]!;
  }
  const targets = smoothedWeightedTargets(labels, labelSmoothing, classWeights, axis);
  return fromLogits ? applyKernel(softmaxCrossEntropyKernel, [targets, predictions], { axis, zLoss }) : crossEntropy(targets, predictions, { axis });
}

/**
 * D_KL(y ‖ q) per sample of checked inputs, q = softmax(predictions)
 * (`fromLogits`), computed as H(y, q) − H(y) (stable for any finite
 * logits), or q = predictions, probabilities used as given (`klDivergence`).
 */
export function categoricalKLDivergence(inputs: LabeledInputs, fromLogits: boolean): Tensor {
  const { labels, predictions, axis } = inputs;
  if (!fromLogits) return klDivergence(labels, predictions, { axis });
  return tf.sub(categoricalCrossEntropy(inputs, 0, true), entropy(labels, { axis }));
}

/** Throws a pointer to the sparse loss for int32 labels of one rank less than the logits. */
function assertNotClassIndices(fn: string, labels: TensorInput, logits: Tensor): void {
  if (labels instanceof tf.Tensor && labels.dtype === 'int32' && labels.rank === logits.rank - 1) {
    throw new Error(
      `${fn}: labels ${formatShape(labels.shape)} are int32 with one rank less than logits ` +
        `${formatShape(logits.shape)}: for class indices use sparseSoftmaxCrossEntropy`,
    );
  }
}

/**
 * Softmax cross-entropy between one-hot or soft `labels` and `logits`:
 * per sample l = −Σ_c c_c·y'_c·log softmax(z)_c + w·(log Σ_c exp z_c)², with
 * y' = (1 − ε)·y + ε/C (label smoothing ε), class weights c and the z-loss
 * weight w (`zLoss`, default 0).
 *
 * Same values as PyTorch `F.cross_entropy(logits, labels, weight=classWeights,
 * label_smoothing=ε, reduction)` with probability targets: `'mean'` divides by
 * the number of samples (or Σ of the sample `weights`), not by class weights.
 * The z-loss is T5X's and PaLM's (`cross_entropy_with_logits(logits, targets,
 * z_loss)`): it pulls each sample's log-partition log Σ exp z towards 0, so
 * logits do not drift (and stay inside float16's range); 1e-4 is PaLM's
 * weight. It is not multiplied by class weights; sample weights multiply the
 * whole per-sample loss, and the `'mean'` denominator stays Σ w.
 *
 * Shapes: `labels` and `logits` are `[..., C, ...]` with the classes on `axis`
 * (any rank, any axis); the per-sample loss drops `axis` (`[batch, C]` →
 * `[batch]`, `[batch, time, C]` → `[batch, time]`); `weights` broadcast
 * against it; `'mean'` and `'sum'` give a scalar.
 *
 * Gradients (hand-written): ∂l/∂z = softmax(z)·Σ_c t_c − t + 2w·(log Σ exp z)·softmax(z)
 * with t = c·y', so each row sums to 0 when the row's targets sum to 1 and
 * w = 0; ∂l/∂y = −(1 − ε)·c·log softmax(z) (tfjs 4.22's
 * `tf.losses.softmaxCrossEntropy` wrongly returns labels − softmax here).
 *
 * Stability: log softmax is computed as z − max z − log Σ exp(z − max z), and
 * log Σ exp z as max z + log Σ exp(z − max z), so any finite logits give
 * finite values and gradients (logits [1e4, 0, −1e4] with the label on the
 * last class give exactly 20000).
 *
 * Labels may be float32, or int32/bool one-hot (as `tf.oneHot` returns); those
 * are cast to float32. Labels are not checked to sum to 1.
 *
 * @param labels - one-hot or probability targets, the shape of `logits`.
 * @param logits - unnormalised log-probabilities, float32.
 * @param options - `axis` (−1), `labelSmoothing` (0), `zLoss` (0), `classWeights`, `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws Error naming `softmaxCrossEntropy` on mismatched shapes or weights, a bad axis, a bad option
 *   (`zLoss` must be a finite number ≥ 0).
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
 * const labels = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
 * softmaxCrossEntropy(labels, logits).print();                          // 0.3185 (mean of 0.4170, 0.2200)
 * softmaxCrossEntropy(labels, logits, { labelSmoothing: 0.1 }).print(); // smoothed targets
 * softmaxCrossEntropy(labels, logits, { zLoss: 0.01 }).print();         // 0.3847: + 0.01·(log Σ exp z)², log Σ exp z = 2.4170, 2.7200
 * ```
 */
export function softmaxCrossEntropy(labels: TensorInput, logits: TensorInput, options: SoftmaxCrossEntropyOptions = {}): Tensor {
  const fn = 'softmaxCrossEntropy';
  const { axis, labelSmoothing, zLoss, classWeights, weights, reduction } = readOptions(fn, softmaxCrossEntropyOptions, options);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const z = toFloatTensor(fn, 'logits', logits);
    assertHasAxis(fn, 'logits', z);
    assertNotClassIndices(fn, labels, z);
    const inputs = labeledInputs(fn, ['labels', 'logits'], labels, z, { axis, classWeights, weights, logits: true });
    return reduceLoss(categoricalCrossEntropy(inputs, labelSmoothing, true, zLoss), { reduction, weights: inputs.sampleWeights });
  });
}

/**
 * Checks int32 class indices against predictions `[..., C]`: the shape, at
 * least one class for logits, every label in [0, C) or `ignoreIndex` (one
 * synchronous read), `[C]` class weights. Runs no op.
 */
export function sparseInputs(
  fn: string,
  [labelsName, predictionsName]: readonly [string, string],
  labels: TensorInput,
  predictions: TensorInput,
  { ignoreIndex, classWeights, logits }: { ignoreIndex: number | undefined; classWeights: TensorInput | undefined; logits: boolean },
) {
  const z = toFloatTensor(fn, predictionsName, predictions);
  assertHasAxis(fn, predictionsName, z);
  const y = toIndexTensor(fn, labelsName, labels);
  const expectedShape = z.shape.slice(0, -1);
  if (!tf.util.arraysEqual(y.shape, expectedShape)) {
    throw new Error(
      `${fn}: ${labelsName} ${formatShape(y.shape)} must have the shape of ${predictionsName} ${formatShape(z.shape)} ` +
        `without its last axis (${formatShape(expectedShape)})`,
    );
  }
  if (logits) assertHasClasses(fn, z, z.rank - 1);
  const classes = z.shape[z.rank - 1] as number;
  assertLabelsInRange(fn, y, classes, ignoreIndex);
  return { labels: y, predictions: z, classWeights: toClassWeights(fn, classWeights, classes), ignoreIndex };
}

/**
 * The per-sample sparse cross-entropy of checked inputs, of logits (plus the
 * z-loss w·(log Σ exp z)²) or of probabilities (no z-loss), 0 at ignored
 * positions whatever their predictions (z-loss included); and PyTorch's
 * `'mean'` denominator weights, the class weight of each kept target.
 */
export function sparseCrossEntropy(
  { labels, predictions, classWeights, ignoreIndex }: ReturnType<typeof sparseInputs>,
  labelSmoothing: number,
  fromLogits: boolean,
  zLoss = 0,
): { perSample: Tensor; meanWeights: Tensor } {
  const axis = predictions.rank - 1;
  if (fromLogits) {
    // Labels are int32: an ignoreIndex outside int32 matches none (and the kernels take an int32).
    const ignores = ignoreIndex !== undefined && ignoreIndex === (ignoreIndex | 0);
    const attrs = { axis, labelSmoothing, zLoss, sparse: true, ignores, ignoreIndex: ignores ? ignoreIndex : 0 };
    const weights = classWeights ?? tf.ones([predictions.shape[axis] as number]);
    const fused = runFused(fusedSoftmaxCrossEntropy, SOFTMAX_CROSS_ENTROPY, { labels, logits: predictions, classWeights: weights }, attrs);
    if (fused !== undefined) return { perSample: fused[0]!, meanWeights: fused[4]! };
  }
  const kept = ignoreIndex === undefined ? undefined : tf.notEqual(labels, ignoreIndex);
  const keep = (x: Tensor) => (kept === undefined ? x : tf.mul(x, tf.expandDims(tf.cast(kept, 'float32'), -1)));
  // An ignored label outside [0, C) matches no class; one inside is dropped by `keep`.
  const hot = keep(oneHot(labels, predictions.shape[axis] as number));
  const targets = keep(smoothedWeightedTargets(hot, labelSmoothing, classWeights, axis));
  // An ignored sample's logits are not read: its loss is 0 with a zero gradient whatever they are, NaN included (as PyTorch).
  const read = kept === undefined ? predictions : tf.where(tf.expandDims(kept, -1), predictions, tf.zerosLike(predictions));
  const loss = fromLogits ? applyKernel(softmaxCrossEntropyKernel, [targets, read], { axis, zLoss }) : crossEntropy(targets, read, { axis });
  const perSample = kept === undefined ? loss : tf.where(kept, loss, tf.zerosLike(loss));
  const classWeightOfTarget = classWeights === undefined ? hot : tf.mul(hot, broadcastTo(classWeights, hot.shape));
  return { perSample, meanWeights: safeSum(classWeightOfTarget, -1) };
}

/**
 * Softmax cross-entropy with int32 class-index `labels`:
 * per sample l = (1 − ε)·c_y·(−log softmax(z)_y) + (ε/C)·Σ_k c_k·(−log softmax(z)_k)
 * + w·(log Σ_k exp z_k)² (the z-loss, `zLoss` w, default 0), and 0 where the
 * label is `ignoreIndex` (z-loss included).
 *
 * Same values as PyTorch `F.cross_entropy(logits, labels, weight=classWeights,
 * ignore_index, label_smoothing=ε, reduction)` with class-index targets:
 * `'mean'` is Σ_i w_i·l_i / Σ_{i not ignored} w_i·c_{y_i} (PyTorch's value for
 * w ≡ 1, the plain weighted mean for c ≡ 1), with or without the z-loss. If
 * every label is ignored, the loss is 0 with a zero gradient, never NaN. The
 * z-loss is T5X's and PaLM's, as in {@link softmaxCrossEntropy}.
 *
 * Shapes: `logits` `[..., C]` (classes on the last axis), `labels` the same
 * without the last axis (`[batch]`, `[batch, time]`); the per-sample loss has
 * the labels' shape.
 *
 * Gradients: ∂l/∂z = softmax(z)·Σt − t + 2w·(log Σ exp z)·softmax(z) with
 * t = c·((1 − ε)·onehot(y) + ε/C) (0 at ignored positions); class and sample
 * weights get theirs from tfjs.
 * Stability as {@link softmaxCrossEntropy}.
 *
 * Labels are read back to check their range (one synchronous read).
 *
 * @param labels - int32 class indices in [0, C), or `ignoreIndex`.
 * @param logits - unnormalised log-probabilities, float32.
 * @param options - `ignoreIndex`, `labelSmoothing` (0), `zLoss` (0), `classWeights`, `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws RangeError naming a label outside [0, C) and its position; Error on float labels, shapes, options.
 *
 * @example
 * ```ts
 * const logits = tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, 0.3]]);
 * sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), logits).print(); // 0.3185
 * sparseSoftmaxCrossEntropy([0, -100], logits, { ignoreIndex: -100 }).print(); // 0.4170
 * sparseSoftmaxCrossEntropy([0, -100], logits, { ignoreIndex: -100, zLoss: 0.01 }).print(); // 0.4755: the ignored row adds no z-loss
 * ```
 */
export function sparseSoftmaxCrossEntropy(
  labels: TensorInput,
  logits: TensorInput,
  options: SparseSoftmaxCrossEntropyOptions = {},
): Tensor {
  const fn = 'sparseSoftmaxCrossEntropy';
  const { ignoreIndex, labelSmoothing, zLoss, classWeights, weights, reduction } = readOptions(fn, sparseSoftmaxCrossEntropyOptions, options);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const inputs = sparseInputs(fn, ['labels', 'logits'], labels, logits, { ignoreIndex, classWeights, logits: true });
    const sampleWeights = toSampleWeights(fn, weights, inputs.labels.shape);
    const { perSample, meanWeights } = sparseCrossEntropy(inputs, labelSmoothing, true, zLoss);
    // Without class weights or an ignored index every denominator weight is 1: the plain mean.
    const plain = inputs.classWeights === undefined && ignoreIndex === undefined;
    return reduceLoss(perSample, { reduction, weights: sampleWeights, ...(plain ? {} : { meanWeights }) });
  });
}
