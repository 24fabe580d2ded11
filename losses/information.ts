/**
 * The discrete information measures: entropy, cross-entropy, Kullback–Leibler
 * and Jensen–Shannon divergence of probability vectors (API.md §1).
 *
 * Each measure sums over one `axis` (default the last) and reduces nothing
 * else: `[batch, classes]` in, `[batch]` out.
 *
 * ## The 0·log 0 convention, in values and gradients
 * Every formula here is built from φ(x) = x·log x and x·log y. A term whose
 * p is exactly 0 contributes 0 (0·log 0 = 0, 0·log 0/q = 0, as
 * `scipy.special.entr` and `rel_entr` do), even where q = 0. In gradients the
 * one-sided derivative φ'(0) = −∞ is replaced by 0, the derivative of the
 * constant 0 that the term is held at; likewise ∂(p·log q)/∂q = p/q is 0 at
 * p = 0, and ∂(p·log q)/∂p = log q is 0 where p = q = 0. So a class with zero
 * probability in both never yields an infinite or NaN gradient (which a
 * softmax upstream would turn into NaN), and the gradients obey the same
 * identity as the values: ∇H(p, q) = ∇H(p) + ∇D_KL(p ‖ q).
 * A p > 0 against q = 0 gives `+Infinity`, as `scipy.stats.entropy` does.
 * NaN propagates: a NaN entry gives NaN, even where p = 0, and so does a
 * negative entry under a log (either argument of `entropy`, `klDivergence`
 * and `jsDivergence`, q of `crossEntropy`). crossEntropy's p only weighs
 * log q and is used as given, negative or not.
 *
 * Inputs are used as given, not renormalised: pass probabilities that sum to
 * 1 along `axis`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/custom-gradient.js';
import { safeSum } from '../src/safe-sum.js';
import {
  assertHasAxis,
  assertKnownOptions,
  assertSameShape,
  logOfBase,
  resolveAxis,
  toFloatTensor,
} from '../src/validate.js';

/** Options shared by the information measures. */
export interface MeasureOptions {
  /** The axis that holds each distribution; negative counts from the end. Default `-1`. */
  readonly axis?: number | undefined;
  /** Base of the logarithm: `Math.E` (nats, the default), `2` (bits), `10` (hartleys). */
  readonly base?: number | undefined;
}

const MEASURE_OPTIONS = ['axis', 'base'] as const;

interface MeasureAttrs {
  /** Non-negative index of the summed axis. */
  readonly axis: number;
  /** ln(base): values and gradients in nats are divided by it. */
  readonly lnBase: number;
}

// ---------------------------------------------------------------------------
// Elementwise pieces shared by the kernels. All run inside a kernel's forward
// or backward pass, where nothing is recorded, so tf.equal masks are safe.

/** x where x ≠ 0, else 1: log of it is finite at x = 0, where a mask drops the term. */
function zeroSafe(x: Tensor): Tensor {
  return tf.where(tf.equal(x, 0), tf.onesLike(x), x);
}

/** `value`, with 0 where `mask` holds. */
function zeroWhere(mask: Tensor, value: Tensor): Tensor {
  return tf.where(mask, tf.zerosLike(value), value);
}

/**
 * Where a term p·log(·/q) is held at 0: p = 0 and q ≥ 0. A NaN or negative q
 * is not masked, so it still turns the result into NaN.
 */
function heldAtZero(p: Tensor, q: Tensor): Tensor {
  return tf.logicalAnd(tf.equal(p, 0), tf.greaterEqual(q, 0));
}

/** φ'(x) = log x + 1, taken as 0 at x = 0 (see the module doc). */
function xLogXDerivative(x: Tensor, logX: Tensor = tf.log(zeroSafe(x))): Tensor {
  return zeroWhere(tf.equal(x, 0), tf.add(logX, 1));
}

/** p·(log p − log q) per entry; 0 where held at zero, +Infinity where p > 0 = q. */
function relativeEntropyTerms(p: Tensor, q: Tensor, logQ: Tensor = tf.log(q)): Tensor {
  return zeroWhere(heldAtZero(p, q), tf.mul(p, tf.sub(tf.log(zeroSafe(p)), logQ)));
}

/** ∂(p·log q)/∂p = log q, taken as 0 where p = q = 0 (the term is held at 0 there). */
function logQOrZero(p: Tensor, q: Tensor): Tensor {
  return zeroWhere(tf.logicalAnd(tf.equal(p, 0), tf.equal(q, 0)), tf.log(q));
}

/** ∂(p·log q)/∂q = p / q, taken as 0 where held at zero. */
function ratioOrZero(p: Tensor, q: Tensor): Tensor {
  return zeroWhere(heldAtZero(p, q), tf.div(p, q));
}

/**
 * log m for the mixture m = (p + q)/2. Halving is exact for normal floats,
 * so log m is exact and JS(p, p) = 0 exactly; below 2·(smallest normal)
 * halving would round (1e-45/2 = 0, log 0 = −∞), so log(p + q) − ln 2 is used there.
 */
function logMixture(p: Tensor, q: Tensor): Tensor {
  const total = tf.add(p, q);
  const subnormalHalf = tf.less(total, 2 * SMALLEST_NORMAL_FLOAT32);
  return tf.where(subnormalHalf, tf.sub(tf.log(total), Math.LN2), tf.log(tf.mul(total, 0.5)));
}

const SMALLEST_NORMAL_FLOAT32 = 2 ** -126;

/** dy, shaped like the forward's output, broadcast back along the summed axis and scaled. */
function upstream(dy: Tensor, attrs: MeasureAttrs, scale: number): Tensor {
  return tf.mul(tf.expandDims(dy, attrs.axis), scale / attrs.lnBase);
}

// ---------------------------------------------------------------------------
// Kernels: forward formula and analytic gradient side by side.

/** H(p) = −Σ p log p. ∂H/∂p = −(log p + 1). */
const entropyKernel: LossKernel<[Tensor], MeasureAttrs> = {
  forward([p], { axis, lnBase }) {
    // log runs on 1 where p = 0, so the term is 0·0 = 0 exactly. Negating
    // the log, not the sum, keeps H = +0 (not −0) for a one-hot p.
    return tf.div(safeSum(tf.mul(p, tf.neg(tf.log(zeroSafe(p)))), axis), lnBase);
  },
  backward(dy, [p], attrs) {
    return [tf.mul(upstream(dy, attrs, -1), xLogXDerivative(p))];
  },
};

/** H(p, q) = −Σ p log q. ∂/∂p = −log q; ∂/∂q = −p/q. */
const crossEntropyKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], { axis, lnBase }) {
    // The mask turns 0·log 0 (NaN in float arithmetic) into 0.
    const terms = zeroWhere(heldAtZero(p, q), tf.mul(p, tf.neg(tf.log(q))));
    return tf.div(safeSum(terms, axis), lnBase);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, -1);
    return [tf.mul(g, logQOrZero(p, q)), tf.mul(g, ratioOrZero(p, q))];
  },
};

/** D_KL(p ‖ q) = Σ p log(p/q). ∂/∂p = log p + 1 − log q; ∂/∂q = −p/q. */
const klDivergenceKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], { axis, lnBase }) {
    return tf.div(safeSum(relativeEntropyTerms(p, q), axis), lnBase);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, 1);
    return [tf.mul(g, tf.sub(xLogXDerivative(p), logQOrZero(p, q))), tf.mul(tf.neg(g), ratioOrZero(p, q))];
  },
};

/**
 * JS(p, q) = ½ D_KL(p ‖ m) + ½ D_KL(q ‖ m), m = (p + q)/2.
 * As ½Σφ(p) + ½Σφ(q) − Σφ(m): ∂/∂p = ½(φ'(p) − φ'(m)), and likewise for q.
 */
const jsDivergenceKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], { axis, lnBase }) {
    const total = tf.add(p, q);
    const logM = logMixture(p, q);
    // The KL form, not φ(p)/2 + φ(q)/2 − φ(m): its terms do not cancel, so
    // nearly equal p and q give a small value with small absolute error.
    const terms = tf.add(relativeEntropyTerms(p, total, logM), relativeEntropyTerms(q, total, logM));
    return tf.div(tf.mul(safeSum(terms, axis), 0.5), lnBase);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, 0.5);
    const mixtureDerivative = xLogXDerivative(tf.add(p, q), logMixture(p, q));
    return [
      tf.mul(g, tf.sub(xLogXDerivative(p), mixtureDerivative)),
      tf.mul(g, tf.sub(xLogXDerivative(q), mixtureDerivative)),
    ];
  },
};

// ---------------------------------------------------------------------------
// Public functions: validate, then run the kernel.

function measureAttrs(fn: string, arg: string, x: Tensor, options: MeasureOptions): MeasureAttrs {
  assertKnownOptions(fn, options, MEASURE_OPTIONS);
  return { axis: resolveAxis(fn, arg, x, options.axis ?? -1), lnBase: logOfBase(fn, options.base ?? Math.E) };
}

/** Validates a pair of distributions and runs `kernel` on them. */
function pairMeasure(
  fn: string,
  kernel: LossKernel<[Tensor, Tensor], MeasureAttrs>,
  [pName, qName]: readonly [string, string],
  pLike: Tensor | TensorLike,
  qLike: Tensor | TensorLike,
  options: MeasureOptions,
): Tensor {
  return tf.tidy(() => {
    const p = toFloatTensor(fn, pName, pLike);
    const q = toFloatTensor(fn, qName, qLike);
    assertHasAxis(fn, pName, p);
    assertSameShape(fn, pName, p, qName, q);
    return applyKernel(kernel, [p, q], measureAttrs(fn, pName, p, options));
  });
}

/**
 * Shannon entropy H(p) = −Σᵢ pᵢ log pᵢ of each distribution along `axis`.
 *
 * Shapes: `p` is `[..., classes, ...]` with the classes on `axis`; the result
 * has `p`'s shape without that axis (`[batch, classes]` → `[batch]`).
 *
 * Stability and edge cases: a pᵢ = 0 contributes 0 and its gradient entry is
 * 0 (the 0·log 0 convention of this module). The gradient is −(log p + 1)/ln(base).
 * 0 ≤ H(p) ≤ log(classes) for a probability vector.
 *
 * @param p - probabilities, float32.
 * @param options - `axis` (default −1), `base` (default e: nats; 2: bits).
 * @returns H(p), float32, one value per distribution.
 * @throws Error naming `entropy` if `p` is not float32, is a scalar, or an
 *   option is unknown or out of range.
 *
 * @example
 * ```ts
 * entropy([0.42, 0.31, 0.27]).print();            // 1.0809 (nats)
 * entropy([[0.5, 0.5], [1, 0]], { base: 2 }).print(); // [1, 0] (bits)
 * ```
 */
export function entropy(p: Tensor | TensorLike, options: MeasureOptions = {}): Tensor {
  return tf.tidy(() => {
    const probabilities = toFloatTensor('entropy', 'p', p);
    assertHasAxis('entropy', 'p', probabilities);
    return applyKernel(entropyKernel, [probabilities], measureAttrs('entropy', 'p', probabilities, options));
  });
}

/**
 * Cross-entropy H(p, q) = −Σᵢ pᵢ log qᵢ of each pair of distributions along `axis`.
 *
 * H(p, q) = H(p) + D_KL(p ‖ q), so H(p, p) = H(p), not 0; H is not symmetric.
 * For classification from logits, use `softmaxCrossEntropy`, which never
 * takes the log of a rounded probability.
 *
 * Shapes: `p` and `q` have the same shape `[..., classes, ...]`; the result
 * drops `axis` (`[batch, classes]` → `[batch]`).
 *
 * Gradients: ∂/∂p = −log q, ∂/∂q = −p/q (0 where p = 0), divided by ln(base).
 * Edge cases: pᵢ = 0 contributes 0 even where qᵢ = 0; pᵢ > 0 with qᵢ = 0
 * gives `+Infinity`.
 *
 * @param p - the true (target) distribution, float32.
 * @param q - the model's distribution, float32, same shape as `p`.
 * @param options - `axis` (default −1), `base` (default e).
 * @returns H(p, q), float32, one value per distribution.
 * @throws Error naming `crossEntropy` on mismatched shapes, a non-float32
 *   input, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * crossEntropy([0.42, 0.31, 0.27], [0.25, 0.5, 0.25]).print();            // 1.1714 nats
 * crossEntropy([0.42, 0.31, 0.27], [0.25, 0.5, 0.25], { base: 2 }).print(); // 1.6900 bits
 * ```
 */
export function crossEntropy(
  p: Tensor | TensorLike,
  q: Tensor | TensorLike,
  options: MeasureOptions = {},
): Tensor {
  return pairMeasure('crossEntropy', crossEntropyKernel, ['p', 'q'], p, q, options);
}

/**
 * Kullback–Leibler divergence D_KL(p ‖ q) = Σᵢ pᵢ log(pᵢ / qᵢ) along `axis`.
 *
 * The information lost when q is used to approximate p. D_KL ≥ 0, with 0
 * only when p = q; it is not symmetric (D_KL(p ‖ q) ≠ D_KL(q ‖ p) in general).
 * Same direction and argument order as `scipy.stats.entropy(p, q)`; PyTorch's
 * `F.kl_div(input, target)` takes log q first and p second.
 *
 * Shapes: `p` and `q` have the same shape; the result drops `axis`.
 *
 * Gradients: ∂/∂p = log p + 1 − log q, ∂/∂q = −p/q, divided by ln(base), with
 * the module's convention at p = 0. Each term is computed as p·(log p − log q),
 * so equal inputs give exactly 0. Edge cases: pᵢ = 0 contributes 0;
 * pᵢ > 0 with qᵢ = 0 gives `+Infinity`.
 *
 * @param p - the reference distribution, float32.
 * @param q - the approximating distribution, float32, same shape as `p`.
 * @param options - `axis` (default −1), `base` (default e).
 * @returns D_KL(p ‖ q), float32, one value per distribution.
 * @throws Error naming `klDivergence` on mismatched shapes, a non-float32
 *   input, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * klDivergence([0.42, 0.31, 0.27], [0.25, 0.5, 0.25]).print(); // 0.0905
 * klDivergence([0.25, 0.5, 0.25], [0.42, 0.31, 0.27]).print(); // 0.0901
 * ```
 */
export function klDivergence(
  p: Tensor | TensorLike,
  q: Tensor | TensorLike,
  options: MeasureOptions = {},
): Tensor {
  return pairMeasure('klDivergence', klDivergenceKernel, ['p', 'q'], p, q, options);
}

/**
 * Jensen–Shannon divergence JS(p, q) = ½ D_KL(p ‖ m) + ½ D_KL(q ‖ m), with
 * m = (p + q)/2, along `axis`.
 *
 * Symmetric, finite even where p and q have disjoint support, and bounded:
 * 0 ≤ JS ≤ log 2 (1 bit with `base: 2`).
 *
 * Shapes: `p` and `q` have the same shape; the result drops `axis`.
 *
 * Gradients: ∂/∂p = ½(log p − log m), and likewise for q, divided by ln(base);
 * at pᵢ = 0 the module's convention φ'(0) = 0 gives −½(log mᵢ + 1).
 *
 * @param p - a distribution, float32.
 * @param q - another distribution, float32, same shape as `p`.
 * @param options - `axis` (default −1), `base` (default e).
 * @returns JS(p, q), float32, one value per distribution.
 * @throws Error naming `jsDivergence` on mismatched shapes, a non-float32
 *   input, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * jsDivergence([1, 0], [0, 1], { base: 2 }).print(); // 1 (bit): disjoint supports
 * ```
 */
export function jsDivergence(
  p: Tensor | TensorLike,
  q: Tensor | TensorLike,
  options: MeasureOptions = {},
): Tensor {
  return pairMeasure('jsDivergence', jsDivergenceKernel, ['p', 'q'], p, q, options);
}
