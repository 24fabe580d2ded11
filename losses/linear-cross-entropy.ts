/**
 * Softmax cross-entropy of a linear layer's logits h·W + b that never holds
 * the `[N, V]` logits (API.md §7): the output layer of a language model over
 * a large vocabulary, whose logits are by far the largest tensor of a
 * training step, and on webgl larger than a texture can hold (tfjs issue #920).
 *
 * The rows go through `chunkSize` at a time. The forward keeps each row's
 * loss only. The logits' gradient is G = dy·(softmax(z)·(1 + 2w·lse) − t),
 * t = (1 − ε)·onehot(y) + ε/V. The backward takes its targets' part once for
 * all rows, without a one-hot: −dy·t gives ∂/∂h the label's row of Wᵀ
 * (a gather), ∂/∂W the rows of h added into their label's column (a
 * scatter) and ∂/∂b their count, each scaled by dy·(1 − ε), plus the ε/V
 * terms. It computes each chunk's logits again for the softmax part S and
 * accumulates ∂/∂h += S·Wᵀ (the chunk's rows), ∂/∂W += hᵀ·S and
 * ∂/∂b += Σ_rows S (Liger Kernel's fused linear cross-entropy and Apple's Cut
 * Cross-Entropy do the same on GPUs). The backward is made of differentiable
 * tfjs ops, so the gradient has a gradient: Hessian-vector products work.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { optional, pick, readOptions, TENSOR, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { REDUCTION } from '../src/machinery/reduction.js';
import { gatherRows, safeSum, scatterAddRows } from '../src/machinery/tfjs-workarounds.js';
import {
  assertLabelsInRange,
  boolean,
  formatShape,
  inRange,
  positiveInteger,
  toFloatTensor,
  toIndexTensor,
  type TensorInput,
} from '../src/machinery/validate.js';
import { sparseCrossEntropy, sparseSoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';

/** The default chunk holds at most this many logits (4 MB of float32), a 1024 × 1024 texture on webgl: within every WebGL2 GPU's limit. */
const CHUNK_LOGITS = 2 ** 20;

interface LinearAttrs {
  readonly transposeWeight: boolean;
  readonly chunkSize: number;
  readonly ignoreIndex: number | undefined;
  readonly labelSmoothing: number;
  readonly zLoss: number;
}

/** The start and the length of each chunk of `rows` rows, `size` at a time. */
function chunks(rows: number, size: number): Array<[number, number]> {
  return Array.from({ length: Math.ceil(rows / size) }, (_, i) => [i * size, Math.min(size, rows - i * size)]);
}

/**
 * W as `[D, V]`, the layout in which each chunk's products take untransposed
 * operands (h·W, hᵀ·G, and G·Wᵀ with Wᵀ `[V, D]` made once): tfjs-backend-wasm
 * multiplies untransposed operands with XNNPACK and transposed ones with a
 * plain loop, 4 to 30 times slower at [32, 256]·[256, 32000]. A transpose
 * of W once per pass replaces a transpose of every chunk.
 */
function denseLayout(weight: Tensor, transposeWeight: boolean): Tensor {
  return transposeWeight ? tf.transpose(weight) : weight;
}

/** The logits h·W + b of a chunk of rows `h`, `[rows, V]`, with W `[D, V]`. */
function chunkLogits(h: Tensor, dense: Tensor, bias: Tensor): Tensor {
  return tf.add(tf.matMul(h, dense), bias);
}

/** Whether each label is kept; undefined when none can be ignored (an int32 label never equals an ignoreIndex outside int32). */
function keptRows(labels: Tensor, ignoreIndex: number | undefined): Tensor | undefined {
  if (ignoreIndex === undefined || ignoreIndex !== (ignoreIndex | 0)) return undefined;
  return tf.notEqual(labels, tf.scalar(ignoreIndex, 'int32'));
}

/** x where the row is kept, 0 where it is ignored (NaN or not). */
function keep(x: Tensor, kept: Tensor | undefined): Tensor {
  return kept === undefined ? x : tf.where(kept, x, tf.zerosLike(x));
}

/** The loss of each row of a chunk: sparse softmax cross-entropy of its logits, plus w·lse² (0 for an ignored row). */
function chunkLoss(h: Tensor, dense: Tensor, bias: Tensor, labels: Tensor, attrs: LinearAttrs): Tensor {
  const logits = chunkLogits(h, dense, bias);
  const crossEntropy = sparseCrossEntropy({ labels, predictions: logits, classWeights: undefined, ignoreIndex: attrs.ignoreIndex }, attrs.labelSmoothing, true).perSample;
  if (attrs.zLoss === 0) return crossEntropy;
  return tf.add(crossEntropy, keep(tf.mul(attrs.zLoss, tf.square(tf.logSumExp(logits, 1))), keptRows(labels, attrs.ignoreIndex)));
}

/**
 * The softmax part of a chunk's logit gradient, rowWeight·softmax(z)·(1 + 2w·lse)
 * (rowWeight `[rows]`: dy, 0 in an ignored row), from differentiable ops
 * only (no mask built from what is differentiated), so that it has a
 * gradient in turn. The targets' part is added once for all rows ({@link targetGradients}).
 */
function chunkSoftmaxGradient(logits: Tensor, rowWeight: Tensor, zLoss: number): Tensor {
  const max = tf.max(logits, 1, true);
  // softmax(z) = q/Σq with q = exp(z − max z): no exp overflows, and max z cancels from the value and its gradient.
  const q = tf.exp(tf.sub(logits, max));
  const sum = tf.sum(q, 1, true);
  // Each row's factors (rowWeight/Σq and the z-loss's) multiply q once: one pass over the chunk.
  let factor = tf.div(tf.expandDims(rowWeight, 1), sum);
  // ∂(w·lse²)/∂z = 2w·lse·softmax(z), with lse = max z + log Σq (Σq ≥ 1).
  if (zLoss !== 0) factor = tf.mul(factor, tf.add(1, tf.mul(2 * zLoss, tf.add(max, tf.log(sum)))));
  return tf.mul(q, factor);
}

/**
 * The targets' part of the gradients, −Σ_n rowWeight_n·t_n with
 * t = (1 − ε)·onehot(y) + ε/V, for all rows at once and without a one-hot:
 * ∂/∂h gets −(1 − ε)·rowWeight·W_y − (ε/V)·rowWeight·Σ_c W_c (W_y the
 * label's row of Wᵀ `[V, D]`, gathered), ∂/∂W `[D, V]` gets
 * −(1 − ε)·rowWeight·h added into the label's column (scattered) and
 * −(ε/V)·Σ_n rowWeight_n·h_n in every column, ∂/∂b the same with h = 1.
 * `labels` must be in [0, V) (an ignored row's is any class: its rowWeight is 0).
 */
function targetGradients(hidden: Tensor, denseTransposed: Tensor, labels: Tensor, rowWeight: Tensor, labelSmoothing: number): [Tensor, Tensor, Tensor] {
  const classes = denseTransposed.shape[0]!;
  const hot = tf.expandDims(tf.mul(rowWeight, labelSmoothing - 1), 1);
  const dHidden = tf.mul(hot, gatherRows(denseTransposed, labels, { axis: 0, size: classes }));
  const dDense = scatterAddRows(tf.mul(hot, hidden), labels, { axis: 1, size: classes });
  const dBias = tf.reshape(scatterAddRows(hot, labels, { axis: 0, size: classes }), [classes]);
  if (labelSmoothing === 0) return [dHidden, dDense, dBias];
  const spread = tf.expandDims(tf.mul(rowWeight, -labelSmoothing / classes), 1);
  return [
    tf.add(dHidden, tf.mul(spread, tf.expandDims(tf.sum(denseTransposed, 0), 0))),
    tf.add(dDense, tf.expandDims(safeSum(tf.mul(spread, hidden), 0), 1)),
    tf.add(dBias, safeSum(spread)),
  ];
}

/**
 * The sum of `previous` and `term`, which are disposed: an accumulator of a
 * chunk loop holds one copy of its sum at a time.
 */
function accumulate(previous: Tensor, term: () => Tensor): Tensor {
  const sum = tf.tidy(() => tf.add(previous, term()));
  previous.dispose();
  return sum;
}

/**
 * Per row l = lse − (1 − ε)·z_y − (ε/V)·Σ_c z_c + w·lse², z = h·W + b,
 * lse = log Σ_c exp z_c; 0 for an ignored row. Inputs: hidden `[N, D]`,
 * weight `[D, V]` (`[V, D]` transposed), bias `[V]`, int32 labels `[N]`.
 */
const linearCrossEntropyKernel: LossKernel<[Tensor, Tensor, Tensor, Tensor], LinearAttrs> = {
  forward([hidden, weight, bias, labels], attrs) {
    const dense = denseLayout(weight, attrs.transposeWeight);
    const losses = chunks(hidden.shape[0]!, attrs.chunkSize).map(([start, size]) =>
      // Each chunk's logits are disposed before the next chunk's are made.
      tf.tidy(() => chunkLoss(tf.slice(hidden, start, size), dense, bias, tf.slice(labels, start, size), attrs)),
    );
    return losses.length === 0 ? tf.zeros([0]) : tf.concat(losses);
  },
  // ∂l/∂z = G = rowWeight·(softmax(z)·(1 + 2w·lse) − t): the targets' part once, then the softmax part a chunk at a time.
  backward(dy, [hidden, weight, bias, labels], attrs) {
    const dense = denseLayout(weight, attrs.transposeWeight);
    const denseTransposed = attrs.transposeWeight ? weight : tf.transpose(weight);
    const kept = keptRows(labels, attrs.ignoreIndex);
    const rowWeight = keep(dy, kept);
    // An ignored label may lie outside [0, V): class 0 stands in for it, with a row weight of 0.
    const classes = kept === undefined ? labels : tf.where(kept, labels, tf.zerosLike(labels));
    // In a tidy: its W-sized intermediates go before the chunks' logits come.
    let [dHidden, dDense, dBias] = tf.tidy(() => targetGradients(hidden, denseTransposed, classes, rowWeight, attrs.labelSmoothing));
    const softmaxParts = chunks(hidden.shape[0]!, attrs.chunkSize).map(([start, size]) => {
      const h = tf.slice(hidden, start, size);
      const g = tf.tidy(() => chunkSoftmaxGradient(chunkLogits(h, dense, bias), tf.slice(rowWeight, start, size), attrs.zLoss));
      // hᵀ·G, with the chunk's small h transposed (see denseLayout).
      dDense = accumulate(dDense, () => tf.matMul(tf.transpose(h), g));
      dBias = accumulate(dBias, () => tf.sum(g, 0));
      const dH = tf.matMul(g, denseTransposed);
      tf.dispose([g, h]);
      return dH;
    });
    if (softmaxParts.length > 0) dHidden = tf.add(dHidden, tf.concat(softmaxParts));
    return [dHidden, attrs.transposeWeight ? tf.transpose(dDense) : dDense, dBias, tf.zerosLike(labels)];
  },
};

/** The options of {@link linearCrossEntropy}. */
export const linearCrossEntropyOptions = {
  /** The layer's bias b, `[V]`: logits h·W + b. Default: none. */
  bias: TENSOR,
  /** `weight` is `[V, D]` (a tied embedding matrix) instead of `[D, V]` (a dense layer's kernel). Default false. */
  transposeWeight: withDefault(false, boolean),
  /** Rows per chunk. Default ⌊2²⁰/V⌋ (at least 1): a chunk's logits take at most 4 MB. */
  chunkSize: optional(positiveInteger),
  ...pick(sparseSoftmaxCrossEntropyOptions, ['ignoreIndex', 'labelSmoothing']),
  /** w ≥ 0: adds w·(log Σ_c exp z_c)² to each row's loss (T5X / PaLM's z-loss). Default 0. */
  zLoss: withDefault(0, inRange(0, Infinity)),
  /** `'mean'` (default: over the rows not ignored), `'sum'` or `'none'` (the loss of each row). */
  reduction: REDUCTION,
};

/** Options of {@link linearCrossEntropy}. */
export type LinearCrossEntropyOptions = OptionsOf<typeof linearCrossEntropyOptions>;

/** Throws unless `x` is `[rows, columns]`, named as `shape` says (`[N, D]`). */
function assertMatrix(fn: string, name: string, x: Tensor, shape: string): void {
  if (x.rank !== 2) {
    throw new Error(`${fn}: ${name} must have rank 2 (${shape}), got shape ${formatShape(x.shape)}`);
  }
}

/**
 * Checks the inputs of {@link linearCrossEntropy}, every check before the
 * first op: float32 `hidden` `[N, D]` (D ≥ 1) and `weight` `[D, V]` (or
 * `[V, D]`, V ≥ 1), int32 `labels` `[N]` in [0, V) or `ignoreIndex` (one
 * synchronous read), float32 `bias` `[V]`.
 */
function linearInputs(fn: string, hidden: TensorInput, weight: TensorInput, labels: TensorInput, options: { bias: TensorInput | undefined; transposeWeight: boolean; ignoreIndex: number | undefined }) {
  const h = toFloatTensor(fn, 'hidden', hidden);
  assertMatrix(fn, 'hidden', h, '[N, D]');
  const w = toFloatTensor(fn, 'weight', weight);
  const layout = options.transposeWeight ? '[V, D] (transposeWeight)' : '[D, V]';
  assertMatrix(fn, 'weight', w, layout);
  const [rows, features] = h.shape as [number, number];
  const [weightFeatures, classes] = (options.transposeWeight ? [...w.shape].reverse() : w.shape) as [number, number];
  if (weightFeatures !== features) {
    throw new Error(`${fn}: hidden ${formatShape(h.shape)} and weight ${formatShape(w.shape)} do not match: weight must be ${layout} with D = ${features}`);
  }
  if (features === 0) throw new Error(`${fn}: hidden ${formatShape(h.shape)} has no features (D = 0)`);
  if (classes === 0) throw new Error(`${fn}: weight ${formatShape(w.shape)} has no classes (V = 0)`);
  const y = toIndexTensor(fn, 'labels', labels);
  if (!tf.util.arraysEqual(y.shape, [rows])) {
    throw new Error(`${fn}: labels ${formatShape(y.shape)} must be [N] = [${rows}], one class index per row of hidden ${formatShape(h.shape)}`);
  }
  const b = options.bias === undefined ? undefined : toFloatTensor(fn, 'bias', options.bias);
  if (b !== undefined && !tf.util.arraysEqual(b.shape, [classes])) {
    throw new Error(`${fn}: bias ${formatShape(b.shape)} must be [V] = [${classes}], one entry per class of weight ${formatShape(w.shape)}`);
  }
  assertLabelsInRange(fn, y, classes, options.ignoreIndex);
  const ignored = options.ignoreIndex === undefined ? 0 : Array.from(y.dataSync()).filter((label) => label === options.ignoreIndex).length;
  return { hidden: h, weight: w, labels: y, bias: b, classes, kept: rows - ignored };
}

/**
 * Softmax cross-entropy of the logits of a linear layer, z = h·W + b, with
 * int32 class-index `labels`, computed `chunkSize` rows at a time: the same
 * values and gradients as
 * `sparseSoftmaxCrossEntropy(labels, tf.add(tf.matMul(hidden, weight), bias), …)`
 * without ever holding the `[N, V]` logits. Per row
 * l = (1 − ε)·(−log softmax(z)_y) + (ε/V)·Σ_c (−log softmax(z)_c) + w·(log Σ_c exp z_c)²,
 * and 0 where the label is `ignoreIndex`.
 *
 * Same values as PyTorch
 * `F.cross_entropy(hidden @ W + b, labels, ignore_index, label_smoothing=ε, reduction)`,
 * plus T5X's z-loss w·lse² (`cross_entropy_with_logits(…, z_loss)`).
 * `'mean'` divides by the number of rows not ignored; if every row is
 * ignored, the loss is 0 with zero gradients.
 *
 * Shapes: `hidden` `[N, D]`; `weight` `[D, V]`, a dense layer's kernel, or
 * with `transposeWeight` `[V, D]`, a tied embedding matrix; `bias` `[V]`;
 * `labels` `[N]`; `'none'` gives `[N]`, `'mean'` and `'sum'` a scalar.
 *
 * Memory and time: the forward keeps each row's loss; the backward computes
 * each chunk's logits again (one more product of the size of h·W) to form
 * G = dy·(softmax(z)·(1 + 2w·lse) − t), t = (1 − ε)·onehot(y) + ε/V, and
 * accumulates ∂/∂h = G·Wᵀ, ∂/∂W = Σ hᵀ·G and ∂/∂b = Σ G; the part of t is
 * a gather and a scatter of the labels' columns, once, never a one-hot.
 * At most a few chunks of logits and three or four tensors of W's size
 * (W in the other layout, ∂/∂W and a chunk's term) are held at a time;
 * the default chunk holds at most 2²⁰ logits (4 MB), which also fits a
 * texture of every WebGL2 GPU, where the `[N, V]` logits may not
 * (`npm run bench` measures it; README, "Cross-entropy without the logits").
 * The backward is made of differentiable ops, so its own gradient works.
 *
 * Stability: as {@link sparseSoftmaxCrossEntropy}; softmax in the backward
 * is q/Σq with q = exp(z − max z). An ignored row is not read: its loss
 * and gradients are 0 whatever `hidden` holds there, NaN included.
 *
 * @param hidden - the layer's inputs h, float32 `[N, D]`.
 * @param weight - its weight W, float32 `[D, V]` (`[V, D]` with `transposeWeight`).
 * @param labels - int32 class indices `[N]` in [0, V), or `ignoreIndex`.
 * @param options - `bias`, `transposeWeight` (false), `chunkSize` (⌊2²⁰/V⌋), `ignoreIndex`, `labelSmoothing` (0), `zLoss` (0), `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the loss of each row `[N]` for `'none'`.
 * @throws RangeError naming a label outside [0, V) and its position; Error naming both shapes when they do not fit, or a bad option.
 *
 * @example
 * ```ts
 * const hidden = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
 * const weight = tf.tensor2d([[2, 0, -1], [0, 1, 1]]); // [D = 2, V = 3]
 * const labels = tf.tensor1d([0, 1, 2], 'int32');
 * linearCrossEntropy(hidden, weight, labels).print(); // 0.5792, sparseSoftmaxCrossEntropy(labels, hidden·W)
 * linearCrossEntropy(hidden, weight, labels, { chunkSize: 2, zLoss: 1e-4 }).print();
 * ```
 */
export function linearCrossEntropy(hidden: TensorInput, weight: TensorInput, labels: TensorInput, options: LinearCrossEntropyOptions = {}): Tensor {
  const fn = 'linearCrossEntropy';
  const { bias, transposeWeight, chunkSize, ignoreIndex, labelSmoothing, zLoss, reduction } = readOptions(fn, linearCrossEntropyOptions, options);
  return tf.tidy(() => {
    const inputs = linearInputs(fn, hidden, weight, labels, { bias, transposeWeight, ignoreIndex });
    const { classes, kept } = inputs;
    const rows = inputs.hidden.shape[0]!;
    const attrs = { transposeWeight, chunkSize: chunkSize ?? Math.max(1, Math.floor(CHUNK_LOGITS / classes)), ignoreIndex, labelSmoothing, zLoss };
    // An ignored row is not read: its hidden values (NaN or not) become 0, its gradient 0.
    const keptRowsMask = kept < rows ? keptRows(inputs.labels, ignoreIndex) : undefined;
    const h = keptRowsMask === undefined ? inputs.hidden : keep(inputs.hidden, tf.expandDims(keptRowsMask, 1));
    const perRow = applyKernel(linearCrossEntropyKernel, [h, inputs.weight, inputs.bias ?? tf.zeros([classes]), inputs.labels], attrs);
    if (reduction === 'none') return perRow;
    const total = safeSum(perRow);
    // Every row ignored: the sum of zeros, 0, with zero gradients.
    return reduction === 'sum' || kept === 0 ? total : tf.div(total, kept);
  });
}
