/**
 * Sample weighting and reduction, shared by every loss so that all reduce
 * the same way: a loss computes its unreduced (per-sample or per-element)
 * values, then hands them here.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from './kernel.js';
import { withDefault } from './options.js';
import { broadcastTo, constantMask, safeSum } from './tfjs-workarounds.js';
import { oneOf } from './validate.js';

/** How a loss reduces its unreduced values: keep them, sum them, or take their (weighted) mean. */
export type Reduction = 'none' | 'sum' | 'mean';

/** The `reduction` option of every loss: `'mean'` unless given. */
export const REDUCTION = withDefault<Reduction>('mean', oneOf(['none', 'sum', 'mean']));

/**
 * num / den, except 0/0 := 0 with a zero gradient: a mean over nothing (an
 * empty batch, every label ignored). A nonzero num over den = 0 stays ±Infinity.
 */
const divideOrZeroKernel: LossKernel<[Tensor, Tensor], null> = {
  forward([num, den]) {
    return tf.where(bothZero(num, den), tf.zerosLike(num), tf.div(num, den));
  },
  backward(dy, [num, den]) {
    const held = bothZero(num, den);
    // Where the value is held at 0, both partials are 0.
    const safeDen = tf.where(held, tf.onesLike(den), den);
    const dNum = tf.where(held, tf.zerosLike(dy), tf.div(dy, safeDen));
    const dDen = tf.where(held, tf.zerosLike(dy), tf.neg(tf.div(tf.mul(dy, num), tf.square(safeDen))));
    return [dNum, dDen];
  },
};

function bothZero(num: Tensor, den: Tensor): Tensor {
  return constantMask((a, b) => tf.logicalAnd(tf.equal(a, 0), tf.equal(b, 0)), num, den);
}

/** Options of {@link reduceLoss}. */
export interface ReduceOptions {
  readonly reduction: Reduction;
  /** Sample weights w (checked by validate.ts's `toSampleWeights`), broadcast against the unreduced loss. */
  readonly weights?: Tensor | undefined;
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
 * which is 0 (with a zero gradient) when both sums are 0, e.g. for an empty
 * batch. Without weights, w = 1 and `'mean'` is the plain mean.
 *
 * Gradients flow to `l`, to `weights` and to `meanWeights` through tfjs's
 * registered gradients of multiply and sum, and through a custom kernel for
 * the guarded division.
 *
 * Call it inside `tf.tidy`.
 */
export function reduceLoss(loss: Tensor, { reduction, weights: w, meanWeights }: ReduceOptions): Tensor {
  const fullWeights = w === undefined ? undefined : broadcastTo(w, loss.shape);
  const weighted = fullWeights === undefined ? loss : tf.mul(loss, fullWeights);
  if (reduction === 'none') return weighted;
  const total = safeSum(weighted);
  if (reduction === 'sum') return total;
  // The plain mean: a division by a count known now (a mean over nothing is the sum, 0), no guarded kernel.
  if (fullWeights === undefined && meanWeights === undefined) return loss.size === 0 ? total : tf.div(total, loss.size);

  const perElement = meanWeights ?? tf.onesLike(loss);
  const denominator = safeSum(fullWeights === undefined ? perElement : tf.mul(perElement, fullWeights));
  return applyKernel(divideOrZeroKernel, [total, denominator], null);
}
