/**
 * Focal losses (Lin et al. 2017): cross-entropy scaled by (1 − p)^γ so that
 * well-classified examples count less (API.md §3). `sigmoidFocalLoss` matches
 * torchvision's `sigmoid_focal_loss`; `softmaxFocalLoss` matches Keras's
 * `CategoricalFocalCrossentropy(from_logits=True)` without its probability clipping.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/custom-gradient.js';
import { checkReduction, reduceLoss, toSampleWeights, type Reduction } from '../src/reduction.js';
import { safeSum } from '../src/safe-sum.js';
import {
  assertHasAxis,
  assertHasClasses,
  assertKnownOptions,
  numberInRange,
  resolveAxis,
  toFloatTensor,
  toLabelsLike,
} from '../src/validate.js';
import { binaryCrossEntropyTerms } from './sigmoid-cross-entropy.js';
import { logSoftmaxAlong } from './softmax-cross-entropy.js';

interface FocalAttrs {
  /** Focusing parameter γ ≥ 0. */
  readonly gamma: number;
  /** Class-balance weight α in [0, 1], or negative for none. */
  readonly alpha: number;
}

/** Whether a parameter is 0 once in float32, as tensor arithmetic sees it (5e-324 is). */
const isZeroInFloat32 = (x: number): boolean => Math.fround(x) === 0;

/**
 * γ·m^(γ−1)·x, the derivative of m^γ times x, computed as γ·m^γ·(x/m):
 * m^(γ−1) itself overflows float32 for a subnormal m when γ < 1, while x/m
 * is bounded wherever this is used. 0 where m = 0, the limit for γ > 0
 * (m^γ → 0 while x/m stays bounded), and 0 for γ = 0, which includes a γ
 * below float32's smallest subnormal (it rounds to 0, so m^γ = 1 as for γ = 0).
 */
function focalSlopeTimes(m: Tensor, gamma: number, x: Tensor): Tensor {
  if (isZeroInFloat32(gamma)) return tf.zerosLike(m);
  const isZero = tf.equal(m, 0);
  const ratio = tf.div(x, tf.where(isZero, tf.onesLike(m), m));
  return tf.where(isZero, tf.zerosLike(m), tf.mul(gamma, tf.mul(tf.pow(m, gamma), ratio)));
}

/** `value`, with 0 where `labels` = 0: a 0·log p term is 0 even where log p = −∞ (a −Infinity logit). */
function zeroWhereNoLabel(labels: Tensor, value: Tensor): Tensor {
  return tf.where(tf.equal(labels, 0), tf.zerosLike(value), value);
}

/**
 * Sigmoid focal loss, elementwise: l = α_t·(1 − p_t)^γ·ce with s = σ(z),
 * ce = −[y log s + (1 − y) log(1 − s)], p_t = s·y + (1 − s)(1 − y),
 * α_t = α·y + (1 − α)(1 − y) (1 when α < 0).
 * With m = 1 − p_t = y·σ(−z) + (1 − y)·σ(z):
 * ∂m/∂z = s(1 − s)(1 − 2y), ∂m/∂y = 1 − 2s, ∂ce/∂z = s − y, ∂ce/∂y = −z,
 * ∂α_t/∂y = 2α − 1, and l's partials follow by the product rule.
 */
const sigmoidFocalKernel: LossKernel<[Tensor, Tensor], FocalAttrs> = {
  forward([labels, logits], { gamma, alpha }) {
    const { crossEntropy, m } = sigmoidFocalParts(labels, logits);
    return timesWeight(alphaWeight(labels, alpha), tf.mul(tf.pow(m, gamma), crossEntropy));
  },
  backward(dy, [labels, logits], { gamma, alpha }) {
    const { crossEntropy, m, s, oneMinusS } = sigmoidFocalParts(labels, logits);
    const factor = tf.pow(m, gamma);
    const alphaT = alphaWeight(labels, alpha);
    const oneMinusTwoY = tf.sub(1, tf.mul(2, labels));
    // ce·∂m/∂z and ce·∂m/∂y: divided by m inside focalSlopeTimes, both stay
    // bounded (s(1 − s) ≤ m, and ce → 0 like m where m → 0).
    const ceDmDz = tf.mul(crossEntropy, tf.mul(tf.mul(s, oneMinusS), oneMinusTwoY));
    const ceDmDy = tf.mul(crossEntropy, tf.sub(oneMinusS, s));
    // ∂(m^γ·ce)/∂z and ∂(m^γ·ce)/∂y
    const dFocalDz = tf.add(tf.mul(factor, tf.sub(s, labels)), focalSlopeTimes(m, gamma, ceDmDz));
    // factor·∂ce/∂y = m^γ·(−z), taken as 0 where m^γ = 0 (its limit), not 0·∞ at an infinite logit.
    const factorTimesDceDy = tf.where(tf.equal(factor, 0), tf.zerosLike(m), tf.mul(factor, tf.neg(logits)));
    const dFocalDy = tf.add(factorTimesDceDy, focalSlopeTimes(m, gamma, ceDmDy));
    const alphaSlope = alpha < 0 ? 0 : 2 * alpha - 1;
    const dLabels = tf.add(timesWeightSlope(alphaT, dFocalDy), tf.mul(alphaSlope, tf.mul(factor, crossEntropy)));
    return [tf.mul(dy, dLabels), tf.mul(dy, timesWeightSlope(alphaT, dFocalDz))];
  },
};

function sigmoidFocalParts(labels: Tensor, logits: Tensor) {
  const s = tf.sigmoid(logits);
  // σ(−z) rather than 1 − σ(z): exact where σ(z) rounds to 1.
  const oneMinusS = tf.sigmoid(tf.neg(logits));
  // ce = y·softplus(−z) + (1 − y)·softplus(z): finite for finite z, 0 for a hard label at a saturated logit.
  const crossEntropy = binaryCrossEntropyTerms(labels, logits);
  const m = tf.add(tf.mul(labels, oneMinusS), tf.mul(tf.sub(1, labels), s));
  return { crossEntropy, m, s, oneMinusS };
}

/**
 * A term of probabilities `p` weighted by `labels`: 0 where the label is 0 and
 * p is a probability (≥ 0), NaN where p is negative (its log is), even at a
 * label of 0. Labels only weigh the log and are used as given.
 */
function probabilityTerm(labels: Tensor, p: Tensor, value: Tensor): Tensor {
  const held = tf.logicalAnd(tf.equal(labels, 0), tf.greaterEqual(p, 0));
  return tf.where(tf.less(p, 0), tf.fill(value.shape, NaN), tf.where(held, tf.zerosLike(value), value));
}

/** α_t·x for a value: a term of weight 0 is 0, also where x is infinite, but not where x is NaN (a NaN input shows). */
function timesWeight(alphaT: Tensor, x: Tensor): Tensor {
  const held = tf.logicalAnd(tf.equal(alphaT, 0), tf.logicalNot(tf.isNaN(x)));
  return tf.where(held, tf.zerosLike(x), tf.mul(alphaT, x));
}

/** α_t·x for a gradient: 0 wherever α_t = 0, also where x is ∞ − ∞ (a term of weight 0 has no slope). */
function timesWeightSlope(alphaT: Tensor, x: Tensor): Tensor {
  return tf.where(tf.equal(alphaT, 0), tf.zerosLike(x), tf.mul(alphaT, x));
}

/**
 * −α·x; for α = 0, 0 even where x is infinite, but NaN where x is NaN (the
 * backward passes return zeros).
 */
function timesMinusAlpha(alpha: number, x: Tensor): Tensor {
  return isZeroInFloat32(alpha) ? tf.where(tf.isNaN(x), x, tf.zerosLike(x)) : tf.mul(-alpha, x);
}

/** α_t = α·y + (1 − α)(1 − y), or 1 when α < 0 (the α term off). */
function alphaWeight(labels: Tensor, alpha: number): Tensor {
  return alpha < 0 ? tf.onesLike(labels) : tf.add(tf.mul(alpha, labels), tf.mul(1 - alpha, tf.sub(1, labels)));
}

/**
 * Softmax focal loss per sample: l = −α·Σ_c (1 − p_c)^γ·y_c·log p_c, p = softmax(z).
 * ∂l/∂y_c = −α·(1 − p_c)^γ·log p_c.
 * ∂l/∂z_k = −α·(a_k − p_k·Σ_c a_c), a_c = y_c·[(1 − p_c)^γ − γ(1 − p_c)^(γ−1)·p_c·log p_c],
 * since ∂p_c/∂z_k = p_c(δ_ck − p_k) and ∂log p_c/∂z_k = δ_ck − p_k.
 */
const softmaxFocalKernel: LossKernel<[Tensor, Tensor], FocalAttrs & { readonly axis: number }> = {
  forward([labels, logits], { gamma, alpha, axis }) {
    const logP = logSoftmaxAlong(logits, axis);
    const factor = tf.pow(oneMinusFromLog(logP), gamma);
    const terms = zeroWhereNoLabel(labels, tf.mul(tf.mul(factor, labels), logP));
    return timesMinusAlpha(alpha, safeSum(terms, axis));
  },
  backward(dy, [labels, logits], { gamma, alpha, axis }) {
    if (isZeroInFloat32(alpha)) return [tf.zerosLike(labels), tf.zerosLike(logits)];
    const upstream = tf.mul(tf.expandDims(dy, axis), -alpha);
    const logP = logSoftmaxAlong(logits, axis);
    const p = tf.exp(logP);
    const oneMinusP = oneMinusFromLog(logP);
    const factor = tf.pow(oneMinusP, gamma);
    // p·log p is 0 at p = 0 (also where log p = −∞); divided by 1 − p it stays in [−1, 0].
    const pLogP = tf.where(tf.equal(p, 0), tf.zerosLike(p), tf.mul(p, logP));
    const a = zeroWhereNoLabel(labels, tf.mul(labels, tf.sub(factor, focalSlopeTimes(oneMinusP, gamma, pLogP))));
    const dLogits = tf.sub(a, tf.mul(p, tf.sum(a, axis, true)));
    return [tf.mul(upstream, tf.mul(factor, logP)), tf.mul(upstream, dLogits)];
  },
};

/** 1 − p from log p as −expm1(log p): accurate where p is close to 1 (1 − p would cancel). */
function oneMinusFromLog(logP: Tensor): Tensor {
  return tf.neg(tf.expm1(logP));
}

/** Options of {@link sigmoidFocalLoss}. */
export interface SigmoidFocalLossOptions {
  /** Focusing parameter γ ≥ 0; 0 gives (α-weighted) sigmoid cross-entropy. Default 2. */
  readonly gamma?: number | undefined;
  /** Weight α ∈ [0, 1] of positives (1 − α of negatives); any negative value switches it off. Default 0.25. */
  readonly alpha?: number | undefined;
  /** Sample weights, broadcast against the elementwise loss. */
  readonly weights?: Tensor | TensorLike | undefined;
  /** `'mean'` (default, over every element), `'sum'` or `'none'` (elementwise). */
  readonly reduction?: Reduction | undefined;
}

/** Options of {@link softmaxFocalLoss}. */
export interface SoftmaxFocalLossOptions {
  /** Focusing parameter γ ≥ 0; 0 with α = 1 gives softmax cross-entropy. Default 2. */
  readonly gamma?: number | undefined;
  /** Scalar weight α ≥ 0 of every class, as Keras. Default 0.25. */
  readonly alpha?: number | undefined;
  /** The class axis; negative counts from the end. Default `-1`. */
  readonly axis?: number | undefined;
  /** Sample weights, broadcast against the per-sample loss. */
  readonly weights?: Tensor | TensorLike | undefined;
  /** `'mean'` (default), `'sum'` or `'none'` (per sample). */
  readonly reduction?: Reduction | undefined;
}

/**
 * RetinaNet's sigmoid focal loss (Lin et al. 2017), elementwise:
 * l = α_t·(1 − p_t)^γ·BCE(z, y), p = σ(z), p_t = p·y + (1 − p)(1 − y),
 * α_t = α·y + (1 − α)(1 − y).
 *
 * Same values as torchvision `sigmoid_focal_loss(logits, labels, alpha, gamma,
 * reduction)`; `alpha < 0` switches the α term off. With γ = 0 and α < 0 it
 * equals `sigmoidCrossEntropy`.
 *
 * Shapes: `labels` and `logits` have the same (any) shape, the unreduced loss too.
 *
 * Gradients: hand-written for logits and labels (soft labels in [0, 1] allowed);
 * see the kernel's comment for the formulas.
 *
 * Stability: BCE = y·softplus(−z) + (1 − y)·softplus(z), each term 0 where its
 * label weight is, and 1 − p_t = y·σ(−z) + (1 − y)·σ(z), so no probability is
 * clipped and large |z| stays finite.
 *
 * @param labels - targets in [0, 1], the shape of `logits`; int32/bool are cast.
 * @param logits - float32.
 * @param options - `gamma` (2), `alpha` (0.25), `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the elementwise loss for `'none'`.
 * @throws Error naming `sigmoidFocalLoss` on mismatched shapes, γ < 0, α > 1, or an unknown option.
 *
 * @example
 * ```ts
 * sigmoidFocalLoss([[1, 0]], [[2, -1]], { reduction: 'none' }).print(); // [[0.00045, 0.0170]]
 * ```
 */
export function sigmoidFocalLoss(
  labels: Tensor | TensorLike,
  logits: Tensor | TensorLike,
  options: SigmoidFocalLossOptions = {},
): Tensor {
  const fn = 'sigmoidFocalLoss';
  assertKnownOptions(fn, options, ['gamma', 'alpha', 'weights', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const gamma = numberInRange(fn, 'gamma', options.gamma ?? 2, 0, Infinity);
  const alpha = numberInRange(fn, 'alpha', options.alpha ?? 0.25, -Infinity, 1);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const z = toFloatTensor(fn, 'logits', logits);
    const weights = toSampleWeights(fn, options.weights, z.shape);
    const y = toLabelsLike(fn, labels, z);
    const perElement = applyKernel(sigmoidFocalKernel, [y, z], { gamma, alpha });
    return reduceLoss(perElement, { reduction, weights });
  });
}

/**
 * Categorical focal loss per sample: l = −Σ_c α·(1 − p_c)^γ·y_c·log p_c, p = softmax(z).
 *
 * Same as Keras `CategoricalFocalCrossentropy(alpha, gamma, from_logits=True)`,
 * except that Keras clips p to [1e-7, 1 − 1e-7] and this does not (so values
 * differ where a probability is within 1e-7 of 0 or 1). `gamma: 0, alpha: 1`
 * equals `softmaxCrossEntropy`.
 *
 * Shapes: `labels` and `logits` `[..., C, ...]` with the classes on `axis`; the
 * per-sample loss drops `axis`.
 *
 * Gradients (hand-written): ∂l/∂z_k = −α·(a_k − p_k·Σ_c a_c) with
 * a_c = y_c·[(1 − p_c)^γ − γ(1 − p_c)^(γ−1)·p_c·log p_c], so each row sums to 0;
 * ∂l/∂y_c = −α·(1 − p_c)^γ·log p_c.
 *
 * Stability: log p from a max-shifted log-softmax, and 1 − p = −expm1(log p),
 * accurate as p → 1.
 *
 * @param labels - one-hot or soft targets, the shape of `logits`; int32/bool are cast.
 * @param logits - float32.
 * @param options - `gamma` (2), `alpha` (0.25), `axis` (−1), `weights`, `reduction` (`'mean'`).
 * @returns the reduced loss (a scalar), or the per-sample loss for `'none'`.
 * @throws Error naming `softmaxFocalLoss` on mismatched shapes, a bad axis, γ < 0, α < 0, or an unknown option.
 *
 * @example
 * ```ts
 * softmaxFocalLoss([[0, 1, 0]], [[1, 2, 0.5]], { reduction: 'none' }).print(); // [0.0160]
 * ```
 */
export function softmaxFocalLoss(
  labels: Tensor | TensorLike,
  logits: Tensor | TensorLike,
  options: SoftmaxFocalLossOptions = {},
): Tensor {
  const fn = 'softmaxFocalLoss';
  assertKnownOptions(fn, options, ['gamma', 'alpha', 'axis', 'weights', 'reduction']);
  const reduction = checkReduction(fn, options.reduction ?? 'mean');
  const gamma = numberInRange(fn, 'gamma', options.gamma ?? 2, 0, Infinity);
  const alpha = numberInRange(fn, 'alpha', options.alpha ?? 0.25, 0, Infinity);
  return tf.tidy(() => {
    const z = toFloatTensor(fn, 'logits', logits);
    assertHasAxis(fn, 'logits', z);
    const axis = resolveAxis(fn, 'logits', z, options.axis ?? -1);
    assertHasClasses(fn, z, axis);
    const weights = toSampleWeights(fn, options.weights, z.shape.filter((_, i) => i !== axis));
    const y = toLabelsLike(fn, labels, z);
    const perSample = applyKernel(softmaxFocalKernel, [y, z], { gamma, alpha, axis });
    return reduceLoss(perSample, { reduction, weights });
  });
}

// ---------------------------------------------------------------------------
// Probability inputs, for the tfjs-layers adapters (`fromLogits: false`):
// the same losses written in p directly, exact at p = 0 and 1.

/**
 * Per sample −α·Σ_c (1 − p_c)^γ·y_c·log p_c of probabilities p (not renormalised).
 * ∂/∂p_c = −α·y_c·[(1 − p_c)^γ/p_c − γ(1 − p_c)^(γ−1)·log p_c]; ∂/∂y_c = −α·(1 − p_c)^γ·log p_c.
 */
const softmaxFocalOfProbabilitiesKernel: LossKernel<[Tensor, Tensor], FocalAttrs & { readonly axis: number }> = {
  forward([labels, p], { gamma, alpha, axis }) {
    const terms = probabilityTerm(labels, p, tf.mul(tf.mul(tf.pow(tf.sub(1, p), gamma), labels), tf.log(p)));
    return timesMinusAlpha(alpha, safeSum(terms, axis));
  },
  backward(dy, [labels, p], { gamma, alpha, axis }) {
    if (isZeroInFloat32(alpha)) return [tf.zerosLike(labels), tf.zerosLike(p)];
    const upstream = tf.mul(tf.expandDims(dy, axis), -alpha);
    const oneMinusP = tf.sub(1, p);
    const factor = tf.pow(oneMinusP, gamma);
    const logP = tf.log(p);
    // γ(1 − p)^(γ−1)·log p, bounded as p → 1 (log p / (1 − p) → −1).
    const slope = focalSlopeTimes(oneMinusP, gamma, logP);
    const dP = zeroWhereNoLabel(labels, tf.mul(labels, tf.sub(tf.div(factor, p), slope)));
    return [tf.mul(upstream, tf.mul(factor, logP)), tf.mul(upstream, dP)];
  },
};

/** −[y·log p + (1 − y)·log(1 − p)], each term 0 where its label weight is 0, NaN where a probability (p or 1 − p) is negative. */
function binaryCrossEntropyOfProbabilities(labels: Tensor, p: Tensor): Tensor {
  const positive = probabilityTerm(labels, p, tf.mul(labels, tf.neg(tf.log(p))));
  const oneMinusP = tf.sub(1, p);
  const negative = probabilityTerm(tf.sub(1, labels), oneMinusP, tf.mul(tf.sub(1, labels), tf.neg(tf.log1p(tf.neg(p)))));
  return tf.add(positive, negative);
}

/**
 * Elementwise α_t·m^γ·ce of probabilities p, m = 1 − p_t = y(1 − p) + (1 − y)p.
 * ∂/∂p = α_t·[γm^(γ−1)(1 − 2y)·ce + m^γ·(−y/p + (1 − y)/(1 − p))];
 * ∂/∂y = ∂α_t/∂y·m^γ·ce + α_t·[γm^(γ−1)(1 − 2p)·ce + m^γ·(log(1 − p) − log p)].
 */
const sigmoidFocalOfProbabilitiesKernel: LossKernel<[Tensor, Tensor], FocalAttrs> = {
  forward([labels, p], { gamma, alpha }) {
    const m = tf.add(tf.mul(labels, tf.sub(1, p)), tf.mul(tf.sub(1, labels), p));
    return timesWeight(alphaWeight(labels, alpha), tf.mul(tf.pow(m, gamma), binaryCrossEntropyOfProbabilities(labels, p)));
  },
  backward(dy, [labels, p], { gamma, alpha }) {
    const m = tf.add(tf.mul(labels, tf.sub(1, p)), tf.mul(tf.sub(1, labels), p));
    const ce = binaryCrossEntropyOfProbabilities(labels, p);
    const factor = tf.pow(m, gamma);
    const alphaT = alphaWeight(labels, alpha);
    const dCeDp = tf.add(
      zeroWhereNoLabel(labels, tf.neg(tf.div(labels, p))),
      zeroWhereNoLabel(tf.sub(1, labels), tf.div(tf.sub(1, labels), tf.sub(1, p))),
    );
    // factor·x is 0 where the factor is (m = 0 with γ > 0), even where x is infinite.
    const heldAtZero = (x: Tensor) => tf.where(tf.equal(factor, 0), tf.zerosLike(x), x);
    const dFocalDp = tf.add(focalSlopeTimes(m, gamma, tf.mul(tf.sub(1, tf.mul(2, labels)), ce)), heldAtZero(tf.mul(factor, dCeDp)));
    const dCeDy = tf.sub(tf.log1p(tf.neg(p)), tf.log(p));
    const dFocalDy = tf.add(focalSlopeTimes(m, gamma, tf.mul(tf.sub(1, tf.mul(2, p)), ce)), heldAtZero(tf.mul(factor, dCeDy)));
    const alphaSlope = alpha < 0 ? 0 : 2 * alpha - 1;
    const dLabels = tf.add(timesWeightSlope(alphaT, dFocalDy), tf.mul(alphaSlope, tf.mul(factor, ce)));
    // Where a label puts mass on an outcome of probability 0, ce = +∞ and the two
    // terms of a partial can be ∞ − ∞: that partial is taken as ∞ in the direction ce grows.
    const towardsInfinity = (partial: Tensor, dCe: Tensor) =>
      tf.where(tf.logicalAnd(tf.isInf(ce), tf.isNaN(partial)), tf.mul(tf.sign(dCe), Infinity), partial);
    return [tf.mul(dy, towardsInfinity(dLabels, dCeDy)), tf.mul(dy, timesWeightSlope(alphaT, towardsInfinity(dFocalDp, dCeDp)))];
  },
};

/**
 * Internal, for `layers.categoricalFocalCrossentropy` with probabilities:
 * per sample −α·Σ_c (1 − p_c)^γ·y_c·log p_c along a non-negative `axis`.
 * Exact at p = 0 and 1 (a zero label holds its term at 0). Inputs and
 * options are checked by the caller: float32 tensors of one shape.
 */
export function softmaxFocalOfProbabilities(labels: Tensor, probabilities: Tensor, attrs: FocalAttrs & { readonly axis: number }): Tensor {
  return applyKernel(softmaxFocalOfProbabilitiesKernel, [labels, probabilities], attrs);
}

/**
 * Internal, for `layers.binaryFocalCrossentropy` with probabilities:
 * elementwise α_t·(1 − p_t)^γ·BCE(y, p), exact at p = 0 and 1. Inputs and
 * options are checked by the caller: float32 tensors of one shape.
 */
export function sigmoidFocalOfProbabilities(labels: Tensor, probabilities: Tensor, attrs: FocalAttrs): Tensor {
  return applyKernel(sigmoidFocalOfProbabilitiesKernel, [labels, probabilities], attrs);
}
