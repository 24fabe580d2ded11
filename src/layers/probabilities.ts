/**
 * From probabilities to (log-)odds, so that the tfjs-layers losses with
 * `fromLogits: false` reuse the logit losses unchanged, exactly, with no clipping.
 *
 * log p is −∞ at p = 0 and logit(p) = ±∞ at p ∈ {0, 1}; the logit losses
 * handle those (a zero label weight holds a term at 0). Their gradients are
 * dy/p and dy/(p(1 − p)), which are ∞·0 where the loss does not depend on
 * the entry (dy = 0) at p ∈ {0, 1}: those are taken as 0, the derivative of a
 * term held constant, instead of NaN.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../custom-gradient.js';

/** dy / denominator, and 0 where dy = 0 (even where the denominator is 0). */
function divideUpstream(dy: Tensor, denominator: Tensor): Tensor {
  const unused = tf.equal(dy, 0);
  return tf.where(unused, tf.zerosLike(dy), tf.div(dy, tf.where(unused, tf.onesLike(denominator), denominator)));
}

/** log p; ∂/∂p = 1/p. */
const logKernel: LossKernel<[Tensor], null> = {
  forward([p]) {
    return tf.log(p);
  },
  backward(dy, [p]) {
    return [divideUpstream(dy, p)];
  },
};

/** logit(p) = log p − log(1 − p); ∂/∂p = 1/(p(1 − p)). */
const logitKernel: LossKernel<[Tensor], null> = {
  forward([p]) {
    return tf.sub(tf.log(p), tf.log1p(tf.neg(p)));
  },
  backward(dy, [p]) {
    return [divideUpstream(dy, tf.mul(p, tf.sub(1, p)))];
  },
};

/** log p elementwise, −∞ at p = 0 (with the gradient convention of this module). */
export function logOfProbability(p: Tensor): Tensor {
  return applyKernel(logKernel, [p], null);
}

/** log(p / (1 − p)) elementwise, ±∞ at p ∈ {0, 1} (with the gradient convention of this module). */
export function logitOfProbability(p: Tensor): Tensor {
  return applyKernel(logitKernel, [p], null);
}
