/**
 * Sample weighting and reduction, shared by every loss so that all reduce
 * the same way: a loss computes its unreduced (per-sample or per-element)
 * values, then hands them here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from './custom-gradient.js';
import { safeSum } from './safe-sum.js';
import { assertBroadcastsTo, toFloatTensor } from './validate.js';

/** How a loss reduces its unreduced values: keep them, sum them, or take their (weighted) mean. */
export type Reduction = 'none' | 'sum' | 'mean';

const REDUCTIONS: readonly Reduction[] = ['none', 'sum', 'mean'];

/** Returns `reduction`, or throws naming `fn` if it is not one of the three. */
export function checkReduction(fn: string, reduction: unknown): Reduction {
  if (!REDUCTIONS.includes(reduction as Reduction)) {
    throw new Error(`${fn}: reduction must be one of 'none', 'sum', 'mean', got ${JSON.stringify(reduction)}`);
  }
  return reduction as Reduction;
}

/** num / den, and 0 with a zero gradient where den = 0 (an empty or fully ignored batch). */
const divideOrZeroKernel: LossKernel<[Tensor, Tensor], null> = {
  forward([num, den]) {
    return tf.where(tf.equal(den, 0), tf.zerosLike(num), tf.div(num, den));
  },
  backward(dy, [num, den]) {
    const isZero = tf.equal(den, 0);
    // Where den = 0 both partials are taken as 0: the value is held at 0.
    const safeDen = tf.where(isZero, tf.onesLike(den), den);
    const dNum = tf.where(isZero, tf.zerosLike(dy), tf.div(dy, safeDen));
    const dDen = tf.where(isZero, tf.zerosLike(dy), tf.neg(tf.div(tf.mul(dy, num), tf.square(safeDen))));
    return [dNum, dDen];
  },
};

/** Options of {@link reduceLoss}. */
export interface ReduceOptions {
  readonly reduction: Reduction;
  /** Sample weights w, broadcast against the unreduced loss. */
  readonly weights?: Tensor | TensorLike | undefined;
  /**
   * Per-element weights d of the `'mean'` denominator, of the loss's shape:
   * `'mean'` is Σ w·l / Σ w·d. Default 1, giving the weighted mean Σ w·l / Σ w.
   * Sparse cross-entropy passes the class weight of each non-ignored target.
   */
  readonly meanWeights?: Tensor;
}

/**
 * Weights and reduces an unreduced loss `l`:
 * `'none'` → w·l (shape of l); `'sum'` → Σ w·l; `'mean'` → Σ w·l / Σ w·d,
 * which is 0 (with a zero gradient) when the denominator is 0, e.g. for an
 * empty batch. Without weights, w = 1 and `'mean'` is the plain mean.
 *
 * Gradients flow to `l`, to `weights` and to `meanWeights` through tfjs's
 * registered gradients of multiply and sum, and through a custom kernel for
 * the guarded division.
 *
 * Call it inside `tf.tidy`.
 */
export function reduceLoss(fn: string, loss: Tensor, { reduction, weights, meanWeights }: ReduceOptions): Tensor {
  const w = weights === undefined ? undefined : toFloatTensor(fn, 'weights', weights);
  if (w !== undefined) assertBroadcastsTo(fn, 'weights', w, loss.shape, 'the unreduced loss');
  const weighted = w === undefined ? loss : tf.mul(loss, w);
  if (reduction === 'none') return weighted;
  const total = safeSum(weighted);
  if (reduction === 'sum') return total;

  const perElement = meanWeights ?? tf.onesLike(loss);
  const denominator = safeSum(w === undefined ? perElement : tf.mul(perElement, w));
  return applyKernel(divideOrZeroKernel, [total, denominator], null);
}
