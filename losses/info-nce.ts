/**
 * InfoNCE, the in-batch contrastive cross-entropy of MoCo, SimCLR and CLIP
 * (API.md §7): each query must pick out its own key among all the keys of
 * the batch, by cosine similarity over a temperature.
 *
 * Built from two pieces, each with an analytic gradient: the rows of both
 * inputs scaled to unit length (a kernel here, PyTorch's `F.normalize`),
 * and the sparse softmax cross-entropy of this package on the similarity
 * logits, the class of row i being i; tfjs differentiates the matrix
 * product between them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { readOptions, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { boolean, formatShape, positiveNumber, sameShapeFloats, type TensorInput } from '../src/machinery/validate.js';
import { sparseCrossEntropy } from './softmax-cross-entropy.js';

/** F.normalize's ε: a row shorter than this is divided by ε, so a zero row stays zero. */
const NORM_FLOOR = 1e-12;

/** max(‖x‖₂, ε) per row, as √max(Σ x², ε²): finite with a finite gradient at a zero row (√ at 0 has none). */
function flooredNorm(x: Tensor): Tensor {
  return tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), NORM_FLOOR ** 2));
}

/**
 * x̂ = x / max(‖x‖, ε) along the last axis.
 * ∂x̂/∂x = (I − x̂x̂ᵀ)/‖x‖ where ‖x‖ ≥ ε (the gradient has no component along x:
 * a row's length does not change its direction); I/ε below, where x̂ = x/ε is linear.
 * Built from differentiable ops (the mask from `greaterEqual`, whose gradient tfjs
 * registers), so that it can be differentiated again.
 */
const normalizeRowsKernel: LossKernel<[Tensor], null> = {
  forward([x]) {
    return tf.div(x, flooredNorm(x));
  },
  backward(dy, [x]) {
    const norm = flooredNorm(x);
    const unit = tf.div(x, norm);
    const unclamped = tf.cast(tf.greaterEqual(tf.sum(tf.square(x), -1, true), NORM_FLOOR ** 2), 'float32');
    const along = tf.mul(unit, tf.mul(unclamped, tf.sum(tf.mul(unit, dy), -1, true)));
    return [tf.div(tf.sub(dy, along), norm)];
  },
};

/** The options of {@link infoNCE}. */
export const infoNCEOptions = {
  /** T > 0: the similarities are divided by T before the softmax. Default 0.07 (MoCo, CLIP's initial value). */
  temperature: withDefault(0.07, positiveNumber),
  /** Average the query-to-key loss with the key-to-query loss (CLIP). Default `false`. */
  symmetric: withDefault(false, boolean),
  /** Scale queries and keys to unit length first (cosine similarity). Default `true`. */
  normalize: withDefault(true, boolean),
  /** `'mean'` (default), `'sum'` or `'none'` (per pair). */
  reduction: REDUCTION,
};

/** Options of {@link infoNCE}. */
export type InfoNCEOptions = OptionsOf<typeof infoNCEOptions>;

/** Converts and checks queries and keys: float32 matrices of one shape `[N, D]`, D ≥ 1 (N = 0 is an empty batch). */
function embeddingPair(fn: string, queries: TensorInput, keys: TensorInput): [Tensor, Tensor] {
  const [q, k] = sameShapeFloats(fn, ['queries', 'keys'], [queries, keys], { scalars: true }) as [Tensor, Tensor];
  if (q.rank !== 2) {
    throw new Error(`${fn}: queries and keys must be matrices [N, D] (rank 2), got shape ${formatShape(q.shape)}`);
  }
  if (q.shape[1] === 0) {
    throw new Error(`${fn}: queries and keys ${formatShape(q.shape)} have no features (D = 0)`);
  }
  return [q, k];
}

/** The cross-entropy of each row of `logits` [N, N] against its diagonal entry: −log softmax(s_i)_i. */
function diagonalCrossEntropy(logits: Tensor): Tensor {
  const labels = tf.range(0, logits.shape[0] as number, 1, 'int32');
  return sparseCrossEntropy({ labels, predictions: logits, classWeights: undefined, ignoreIndex: undefined }, 0, true).perSample;
}

/**
 * InfoNCE (Oord et al. 2018), the contrastive loss of MoCo and SimCLR, and
 * CLIP's symmetric form: row i of `queries` and row i of `keys` are a
 * positive pair, every other row of `keys` a negative for query i. With
 * s_ij = ⟨q̂_i, k̂_j⟩/T, per pair
 *   l_i = −log softmax(s_i)_i = log Σ_j exp s_ij − s_ii,
 * and with `symmetric`, (l_i + l'_i)/2, where l'_i = −log softmax(s_·i)_i is
 * the loss of key i picking out query i among all the queries.
 * q̂ = q / max(‖q‖₂, 1e-12), likewise k̂, when `normalize` (the default; else
 * q̂ = q, k̂ = k: a dot-product similarity).
 *
 * Same values as PyTorch
 * `F.cross_entropy(F.normalize(q) @ F.normalize(k).T / T, arange(N))`, and
 * with `symmetric` its mean with the same of the transposed logits.
 *
 * Shapes: `queries` and `keys` `[N, D]`; the per-pair loss is `[N]`;
 * `'mean'` and `'sum'` give a scalar. An empty batch (N = 0) gives 0 for
 * `'mean'` and `'sum'` (a mean over nothing, as every loss here), `[0]`
 * for `'none'`. The loss is at least 0 and equals log N for equal logits
 * (the chance level); it falls towards 0 as each positive pair's
 * similarity exceeds the others by more than T·log N.
 *
 * Gradients (for both inputs): ∂l_i/∂s_ij = softmax(s_i)_j − [i = j], from
 * the cross-entropy's kernel; through s = q̂k̂ᵀ/T by tfjs's matMul; through
 * the normalisation ∂x̂/∂x = (I − x̂x̂ᵀ)/‖x‖ (hand-written: orthogonal to x).
 *
 * Stability: the log-softmax is shifted by each row's max, so any
 * finite similarities give finite values (with `normalize: false`, and
 * embeddings of length 1e4, too). A row of zeros stays zero after the
 * normalisation (similarity 0 to everything), with the gradient
 * PyTorch gives it, upstream/ε; its length must stay below ~1.8e19
 * (the squared length is a float32).
 *
 * @param queries - float32 `[N, D]`: one embedding per row (an image view, a caption).
 * @param keys - float32 `[N, D]`: row i the positive for query i (the other view, the image).
 * @param options - `temperature` (0.07), `symmetric` (false), `normalize` (true), `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-pair loss `[N]` for `'none'`.
 * @throws Error naming `infoNCE` on inputs that are not `[N, D]` float32 matrices of one shape, D = 0, or a bad option.
 *
 * @example
 * ```ts
 * const q = tf.tensor2d([[1, 0], [0, 1]]);
 * const k = tf.tensor2d([[2, 0.1], [0.1, 3]]);
 * infoNCE(q, k, { temperature: 0.5 }).print(); // 0.1375 (mean of 0.1354, 0.1395): each key is far closer to its own query
 * infoNCE(q, k, { temperature: 0.5, symmetric: true }).print(); // 0.1375, CLIP's loss: both directions
 * ```
 *
 * References: A. van den Oord, Y. Li, O. Vinyals, "Representation learning
 * with contrastive predictive coding", 2018; T. Chen et al., "A simple
 * framework for contrastive learning of visual representations" (SimCLR),
 * 2020; A. Radford et al., "Learning transferable visual models from natural
 * language supervision" (CLIP), 2021.
 */
export function infoNCE(queries: TensorInput, keys: TensorInput, options: InfoNCEOptions = {}): Tensor {
  const fn = 'infoNCE';
  const { temperature, symmetric, normalize, reduction } = readOptions(fn, infoNCEOptions, options);
  return tf.tidy(() => {
    const [q, k] = embeddingPair(fn, queries, keys);
    const unit = (x: Tensor) => (normalize ? applyKernel(normalizeRowsKernel, [x], null) : x);
    const logits = tf.div(tf.matMul(unit(q), unit(k), false, true), temperature);
    const rows = diagonalCrossEntropy(logits);
    const perPair = symmetric ? tf.mul(tf.add(rows, diagonalCrossEntropy(tf.transpose(logits))), 0.5) : rows;
    return reduceLoss(perPair, { reduction });
  });
}
