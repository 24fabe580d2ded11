/**
 * The numerically delicate primitives every loss is built from, each written
 * once, with its edge cases, exact on every backend.
 *
 * Elementwise unless stated; every function is a tfjs op on tensors. Used
 * inside a kernel's forward and backward passes (src/machinery/kernel.ts),
 * where nothing is recorded, so the masks below take no gradient.
 *
 * ## The 0·log 0 = 0 rule
 * A term w·v whose weight w is exactly 0 is 0, even where v = ±∞ (the log of
 * a zero probability, a −Infinity logit): the term's limit, as
 * `scipy.special.xlogy` does. One rule for NaN: in values a NaN is never
 * hidden, so a NaN weight, or a NaN v (a NaN input, the log of a negative
 * number), gives NaN even at w = 0 ({@link maskedProduct}, {@link xlogy},
 * {@link relativeEntropy}); in
 * gradients a held term is a constant, so its slope is 0 wherever w = 0
 * ({@link maskedSlope}, {@link maskedQuotient}, {@link xlogyPartials}).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { constantMask, expm1, keepNaN, log, log1p } from './tfjs-workarounds.js';

// log, log1p and expm1, exact on every backend (tfjs's are not on wasm and webgl): see tfjs-workarounds.ts.
export { expm1, log, log1p };

/** Where x = 0, as a mask that carries no gradient (see `constantMask`). */
export function isZero(x: Tensor): Tensor {
  return constantMask((y) => tf.equal(y, 0), x);
}

/**
 * w·v for a value, with 0·(±∞) = 0: where w = 0 the product is 0, unless v
 * is NaN. The one place the 0·log 0 = 0 rule is applied to values.
 *
 * Twice differentiable as the plain product is: only an infinite v is
 * replaced (by 0, where w = 0), so ∂/∂w = v wherever v is finite, 0 = 0
 * included (a mask around the product would make it 0 there). Adding 0
 * turns the −0 of 0·(−v) into +0.
 *
 * @example
 * ```ts
 * maskedProduct(labels, logSoftmax(logits, -1)); // a zero label against a −Infinity logit gives 0
 * ```
 */
export function maskedProduct(w: Tensor, v: Tensor): Tensor {
  const held = constantMask((a, b) => tf.logicalAnd(tf.equal(a, 0), tf.isInf(b)), w, v);
  return tf.add(tf.mul(w, tf.where(held, tf.zerosLike(v), v)), 0);
}

/**
 * w·v for a gradient: 0 wherever w = 0, whatever v is (±∞, or NaN from
 * ∞ − ∞): the slope of a term held at the constant 0. Its own partials are
 * those of w·v where v is finite (see {@link maskedProduct}).
 */
export function maskedSlope(w: Tensor, v: Tensor): Tensor {
  const held = constantMask((a, b) => tf.logicalAnd(tf.equal(a, 0), tf.logicalNot(tf.isFinite(b))), w, v);
  return tf.add(tf.mul(w, tf.where(held, tf.zerosLike(v), v)), 0);
}

/**
 * w/d for a gradient (∂(w·log d)/∂d): 0 wherever w = 0, whatever d is (0
 * included). Its own partials are those of w/d where d is finite and not 0.
 */
export function maskedQuotient(w: Tensor, d: Tensor): Tensor {
  const held = constantMask((a, b) => tf.logicalAnd(tf.equal(a, 0), tf.logicalOr(tf.equal(b, 0), tf.isNaN(b))), w, d);
  return tf.add(tf.div(w, tf.where(held, tf.onesLike(d), d)), 0);
}

/**
 * x·log y, elementwise: 0 where x = 0 and y ≥ 0 (0·log 0 = 0), −∞·sign(x)
 * where x ≠ 0 and y = 0, NaN where y < 0 or either is NaN (the rule of
 * {@link maskedProduct}).
 *
 * @example
 * ```ts
 * xlogy(tf.tensor1d([0, 0.5]), tf.tensor1d([0, 0.25])); // [0, 0.5·log 0.25]
 * ```
 */
export function xlogy(x: Tensor, y: Tensor): Tensor {
  return maskedProduct(x, log(y));
}

/**
 * x·(log x − ℓ) for ℓ = log y (`scipy.special.rel_entr` with y in log
 * space): 0 where x = 0 and ℓ is not NaN (y = 0 included), +∞ where x > 0
 * and y = 0, NaN where x < 0 or ℓ is NaN. The log difference is taken first,
 * so nearly equal x and y give a small term with a small absolute error, and
 * x = y gives exactly 0.
 */
export function relativeEntropy(x: Tensor, logY: Tensor): Tensor {
  return maskedProduct(x, tf.sub(log(tf.where(isZero(x), tf.onesLike(x), x)), logY));
}

/**
 * The partials of {@link xlogy}: ∂(x·log y)/∂x = log y and ∂(x·log y)/∂y = x/y,
 * each 0 where the term is held at 0 (x = 0; for ∂/∂x only where y = 0 too,
 * since x·log y for y > 0 is a live function of x).
 */
export function xlogyPartials(x: Tensor, y: Tensor): [Tensor, Tensor] {
  const held = constantMask((a, b) => tf.logicalAnd(tf.equal(a, 0), tf.equal(b, 0)), x, y);
  return [tf.where(held, tf.zerosLike(x), log(y)), maskedQuotient(x, y)];
}

/**
 * softplus(x) = log(1 + eˣ) = −log σ(−x), as max(x, 0) + log1p(e^−|x|): never
 * overflows, and exact for large |x| (softplus(−30) = 9.36e-14, not 0), so
 * log σ(x) = −softplus(−x) is finite for every finite x. NaN stays NaN.
 */
export function softplus(x: Tensor): Tensor {
  return tf.add(keepNaN(x, tf.relu(x)), log1p(tf.exp(tf.neg(tf.abs(x)))));
}

/**
 * The pieces of a stable log Σ exp x along `axis` (kept, size 1): the max
 * m, x − m, and log Σ exp(x − m), so exp never overflows. A row of
 * −Infinity only gives NaN. The log is {@link log}, exact at 0: with tfjs's
 * own, webgl gave +Infinity for that row (test/browser/webgl.test.ts).
 */
function shiftedLogSum(x: Tensor, axis: number): { max: Tensor; shifted: Tensor; logSum: Tensor } {
  const max = tf.max(x, axis, true);
  const shifted = tf.sub(x, max);
  return { max, shifted, logSum: log(tf.sum(tf.exp(shifted), axis, true)) };
}

/**
 * log softmax(x) along any `axis` (tfjs's own works on the last axis only):
 * (x − max x) − log Σ exp(x − max x), so any finite logits give finite
 * values. A −Infinity entry (a masked class) gives −∞; a row of −Infinity
 * only gives NaN.
 */
export function logSoftmax(x: Tensor, axis: number): Tensor {
  const { shifted, logSum } = shiftedLogSum(x, axis);
  return tf.sub(shifted, logSum);
}

/**
 * {@link logSoftmax} and log Σ exp x along `axis` (kept, size 1) from one
 * pass: max x + log Σ exp(x − max x), finite for any finite x (a −Infinity
 * entry adds nothing; a row of −Infinity only gives NaN).
 */
export function logSoftmaxAndLogSumExp(x: Tensor, axis: number): { logSoftmax: Tensor; logSumExp: Tensor } {
  const { max, shifted, logSum } = shiftedLogSum(x, axis);
  return { logSoftmax: tf.sub(shifted, logSum), logSumExp: tf.add(max, logSum) };
}

/**
 * 1 − p from log p, as −expm1(log p): accurate where p is close to 1, where
 * 1 − p would cancel.
 */
export function oneMinusExp(logP: Tensor): Tensor {
  return tf.neg(expm1(logP));
}
