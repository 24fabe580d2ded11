/**
 * Focal losses (Lin et al. 2017): cross-entropy scaled by (1 − p)^γ so that
 * well-classified examples count less (API.md §3). `sigmoidFocalLoss` matches
 * torchvision's `sigmoid_focal_loss`; `softmaxFocalLoss` matches Keras's
 * `CategoricalFocalCrossentropy(from_logits=True)` without its probability
 * clipping. Beside each logit kernel, its twin of probabilities, for the
 * tfjs-layers adapters (`fromLogits: false`), exact at p = 0 and 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { log, log1p, logSoftmax, maskedProduct, maskedQuotient, maskedSlope, oneMinusExp } from '../src/machinery/numerics.js';
import { AXIS, readOptions, TENSOR, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { constantMask, safeSum } from '../src/machinery/tfjs-workarounds.js';
import { inRange, labeledInputs, type LabeledInputs, type TensorInput } from '../src/machinery/validate.js';
import { binaryCrossEntropyTerms } from './sigmoid-cross-entropy.js';

interface FocalAttrs {
  /** Focusing parameter γ ≥ 0. */
  readonly gamma: number;
  /** Class-balance weight α (sigmoid: in [0, 1], or negative for none; softmax: ≥ 0). */
  readonly alpha: number;
}

type SoftmaxFocalAttrs = FocalAttrs & { readonly axis: number };

/** γ ≥ 0, default 2, for both focal losses. */
const GAMMA = withDefault(2, inRange(0, Infinity));

/** Whether a parameter is 0 once in float32, as tensor arithmetic sees it (5e-324 is). */
const isZeroInFloat32 = (x: number): boolean => Math.fround(x) === 0;

/**
 * γ·m^(γ−1)·x, the derivative of m^γ times x, computed as γ·m^γ·(x/m):
 * m^(γ−1) itself overflows float32 for a subnormal m when γ < 1, while x/m
 * is bounded wherever this is used. 0 where m^γ = 0 (the limit for γ > 0,
 * as x/m stays bounded), and 0 for γ = 0, which includes a γ below float32's
 * smallest subnormal (it rounds to 0, so m^γ = 1 as for γ = 0).
 */
function focalSlopeTimes(m: Tensor, gamma: number, x: Tensor): Tensor {
  if (isZeroInFloat32(gamma)) return tf.zerosLike(m);
  return tf.mul(gamma, maskedSlope(tf.pow(m, gamma), tf.div(x, m)));
}

/** α_t = α·y + (1 − α)(1 − y), or 1 when α < 0 (the α term off). */
function alphaWeight(labels: Tensor, alpha: number): Tensor {
  return alpha < 0 ? tf.onesLike(labels) : tf.add(tf.mul(alpha, labels), tf.mul(1 - alpha, tf.sub(1, labels)));
}

/** ∂α_t/∂y = 2α − 1, or 0 when α < 0. */
const alphaSlope = (alpha: number): number => (alpha < 0 ? 0 : 2 * alpha - 1);

// ---------------------------------------------------------------------------
// Sigmoid focal loss: of logits, and of probabilities.

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
    return maskedProduct(alphaWeight(labels, alpha), tf.mul(tf.pow(m, gamma), crossEntropy));
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
    const dFocalDz = tf.add(tf.mul(factor, tf.sub(s, labels)), focalSlopeTimes(m, gamma, ceDmDz));
    // factor·∂ce/∂y = m^γ·(−z), 0 where m^γ = 0 (its limit), not 0·∞ at an infinite logit.
    const dFocalDy = tf.add(maskedSlope(factor, tf.neg(logits)), focalSlopeTimes(m, gamma, ceDmDy));
    const dLabels = tf.add(maskedSlope(alphaT, dFocalDy), tf.mul(alphaSlope(alpha), tf.mul(factor, crossEntropy)));
    return [tf.mul(dy, dLabels), tf.mul(dy, maskedSlope(alphaT, dFocalDz))];
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

/** −[y·log p + (1 − y)·log(1 − p)] of probabilities, each term 0 where its label weight is 0, NaN where p or 1 − p is negative. */
function binaryCrossEntropyOfProbabilities(labels: Tensor, p: Tensor): Tensor {
  return tf.add(maskedProduct(labels, tf.neg(log(p))), maskedProduct(tf.sub(1, labels), tf.neg(log1p(tf.neg(p)))));
}

/**
 * Elementwise α_t·m^γ·ce of probabilities p, m = 1 − p_t = y(1 − p) + (1 − y)p.
 * ∂/∂p = α_t·[γm^(γ−1)(1 − 2y)·ce + m^γ·(−y/p + (1 − y)/(1 − p))];
 * ∂/∂y = ∂α_t/∂y·m^γ·ce + α_t·[γm^(γ−1)(1 − 2p)·ce + m^γ·(log(1 − p) − log p)].
 */
const sigmoidFocalOfProbabilitiesKernel: LossKernel<[Tensor, Tensor], FocalAttrs> = {
  forward([labels, p], { gamma, alpha }) {
    const m = tf.add(tf.mul(labels, tf.sub(1, p)), tf.mul(tf.sub(1, labels), p));
    return maskedProduct(alphaWeight(labels, alpha), tf.mul(tf.pow(m, gamma), binaryCrossEntropyOfProbabilities(labels, p)));
  },
  backward(dy, [labels, p], { gamma, alpha }) {
    const m = tf.add(tf.mul(labels, tf.sub(1, p)), tf.mul(tf.sub(1, labels), p));
    const ce = binaryCrossEntropyOfProbabilities(labels, p);
    const factor = tf.pow(m, gamma);
    const alphaT = alphaWeight(labels, alpha);
    const dCeDp = tf.sub(maskedQuotient(tf.sub(1, labels), tf.sub(1, p)), maskedQuotient(labels, p));
    // factor·∂ce is 0 where the factor is (m = 0 with γ > 0), even where ∂ce is infinite.
    const dFocalDp = tf.add(focalSlopeTimes(m, gamma, tf.mul(tf.sub(1, tf.mul(2, labels)), ce)), maskedSlope(factor, dCeDp));
    const dCeDy = tf.sub(log1p(tf.neg(p)), log(p));
    const dFocalDy = tf.add(focalSlopeTimes(m, gamma, tf.mul(tf.sub(1, tf.mul(2, p)), ce)), maskedSlope(factor, dCeDy));
    const dLabels = tf.add(maskedSlope(alphaT, dFocalDy), tf.mul(alphaSlope(alpha), tf.mul(factor, ce)));
    // Where a label puts mass on an outcome of probability 0, ce = +∞ and the two
    // terms of a partial can be ∞ − ∞: that partial is taken as ∞ in the direction ce grows.
    const towardsInfinity = (partial: Tensor, dCe: Tensor) =>
      tf.where(constantMask((a, b) => tf.logicalAnd(tf.isInf(a), tf.isNaN(b)), ce, partial), tf.mul(tf.sign(dCe), Infinity), partial);
    return [tf.mul(dy, towardsInfinity(dLabels, dCeDy)), tf.mul(dy, maskedSlope(alphaT, towardsInfinity(dFocalDp, dCeDp)))];
  },
};

/** The options of {@link sigmoidFocalLoss}. */
export const sigmoidFocalLossOptions = {
  /** Focusing parameter γ ≥ 0; 0 gives (α-weighted) sigmoid cross-entropy. Default 2. */
  gamma: GAMMA,
  /** Weight α ∈ [0, 1] of positives (1 − α of negatives); any negative value switches it off. Default 0.25. */
  alpha: withDefault(0.25, inRange(-Infinity, 1)),
  /** Sample weights, broadcast against the elementwise loss. */
  weights: TENSOR,
  /** `'mean'` (default, over every element), `'sum'` or `'none'` (elementwise). */
  reduction: REDUCTION,
};

/** Options of {@link sigmoidFocalLoss}. */
export type SigmoidFocalLossOptions = OptionsOf<typeof sigmoidFocalLossOptions>;

/** The elementwise sigmoid focal loss of checked inputs: of logits (`fromLogits`) or of probabilities. */
export function sigmoidFocal({ labels, predictions }: LabeledInputs, attrs: FocalAttrs, fromLogits: boolean): Tensor {
  return applyKernel(fromLogits ? sigmoidFocalKernel : sigmoidFocalOfProbabilitiesKernel, [labels, predictions], attrs);
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
export function sigmoidFocalLoss(labels: TensorInput, logits: TensorInput, options: SigmoidFocalLossOptions = {}): Tensor {
  const fn = 'sigmoidFocalLoss';
  const { gamma, alpha, weights, reduction } = readOptions(fn, sigmoidFocalLossOptions, options);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const inputs = labeledInputs(fn, ['labels', 'logits'], labels, logits, { weights, logits: true });
    return reduceLoss(sigmoidFocal(inputs, { gamma, alpha }, true), { reduction, weights: inputs.sampleWeights });
  });
}

// ---------------------------------------------------------------------------
// Softmax focal loss: of logits, and of probabilities.

/**
 * Softmax focal loss per sample: l = −α·Σ_c (1 − p_c)^γ·y_c·log p_c, p = softmax(z).
 * ∂l/∂y_c = −α·(1 − p_c)^γ·log p_c.
 * ∂l/∂z_k = −α·(a_k − p_k·Σ_c a_c), a_c = y_c·[(1 − p_c)^γ − γ(1 − p_c)^(γ−1)·p_c·log p_c],
 * since ∂p_c/∂z_k = p_c(δ_ck − p_k) and ∂log p_c/∂z_k = δ_ck − p_k.
 */
const softmaxFocalKernel: LossKernel<[Tensor, Tensor], SoftmaxFocalAttrs> = {
  forward([labels, logits], { gamma, alpha, axis }) {
    const logP = logSoftmax(logits, axis);
    return timesMinusAlpha(alpha, safeSum(maskedProduct(labels, tf.mul(tf.pow(oneMinusExp(logP), gamma), logP)), axis));
  },
  backward(dy, [labels, logits], { gamma, alpha, axis }) {
    if (isZeroInFloat32(alpha)) return [tf.zerosLike(labels), tf.zerosLike(logits)];
    const upstream = tf.mul(tf.expandDims(dy, axis), -alpha);
    const logP = logSoftmax(logits, axis);
    const p = tf.exp(logP);
    const oneMinusP = oneMinusExp(logP);
    const factor = tf.pow(oneMinusP, gamma);
    // p·log p is 0 at p = 0 (also where log p = −∞); divided by 1 − p it stays in [−1, 0].
    const a = maskedSlope(labels, tf.sub(factor, focalSlopeTimes(oneMinusP, gamma, maskedSlope(p, logP))));
    const dLogits = tf.sub(a, tf.mul(p, tf.sum(a, axis, true)));
    return [tf.mul(upstream, tf.mul(factor, logP)), tf.mul(upstream, dLogits)];
  },
};

/**
 * Per sample −α·Σ_c (1 − p_c)^γ·y_c·log p_c of probabilities p (not renormalised).
 * ∂/∂p_c = −α·y_c·[(1 − p_c)^γ/p_c − γ(1 − p_c)^(γ−1)·log p_c]; ∂/∂y_c = −α·(1 − p_c)^γ·log p_c.
 */
const softmaxFocalOfProbabilitiesKernel: LossKernel<[Tensor, Tensor], SoftmaxFocalAttrs> = {
  forward([labels, p], { gamma, alpha, axis }) {
    return timesMinusAlpha(alpha, safeSum(maskedProduct(labels, tf.mul(tf.pow(tf.sub(1, p), gamma), log(p))), axis));
  },
  backward(dy, [labels, p], { gamma, alpha, axis }) {
    if (isZeroInFloat32(alpha)) return [tf.zerosLike(labels), tf.zerosLike(p)];
    const upstream = tf.mul(tf.expandDims(dy, axis), -alpha);
    const oneMinusP = tf.sub(1, p);
    const factor = tf.pow(oneMinusP, gamma);
    const logP = log(p);
    // γ(1 − p)^(γ−1)·log p, bounded as p → 1 (log p / (1 − p) → −1).
    const slope = focalSlopeTimes(oneMinusP, gamma, logP);
    const dP = maskedSlope(labels, tf.sub(tf.div(factor, p), slope));
    return [tf.mul(upstream, tf.mul(factor, logP)), tf.mul(upstream, dP)];
  },
};

/** −α·x; for α = 0 in float32, +0 even where x is infinite, but NaN where x is NaN (the backward passes return zeros). */
function timesMinusAlpha(alpha: number, x: Tensor): Tensor {
  return maskedProduct(tf.scalar(-alpha), x);
}

/** The options of {@link softmaxFocalLoss}. */
export const softmaxFocalLossOptions = {
  /** Focusing parameter γ ≥ 0; 0 with α = 1 gives softmax cross-entropy. Default 2. */
  gamma: GAMMA,
  /** Scalar weight α ≥ 0 of every class, as Keras. Default 0.25. */
  alpha: withDefault(0.25, inRange(0, Infinity)),
  /** The class axis; negative counts from the end. Default `-1`. */
  axis: AXIS,
  /** Sample weights, broadcast against the per-sample loss. */
  weights: TENSOR,
  /** `'mean'` (default), `'sum'` or `'none'` (per sample). */
  reduction: REDUCTION,
};

/** Options of {@link softmaxFocalLoss}. */
export type SoftmaxFocalLossOptions = OptionsOf<typeof softmaxFocalLossOptions>;

/** The per-sample softmax focal loss of checked inputs: of logits (`fromLogits`) or of probabilities. */
export function softmaxFocal({ labels, predictions, axis }: LabeledInputs, attrs: FocalAttrs, fromLogits: boolean): Tensor {
  return applyKernel(fromLogits ? softmaxFocalKernel : softmaxFocalOfProbabilitiesKernel, [labels, predictions], { ...attrs, axis });
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
export function softmaxFocalLoss(labels: TensorInput, logits: TensorInput, options: SoftmaxFocalLossOptions = {}): Tensor {
  const fn = 'softmaxFocalLoss';
  const { gamma, alpha, axis, weights, reduction } = readOptions(fn, softmaxFocalLossOptions, options);
  return tf.tidy(() => {
    // Every check before the first op: see toSampleWeights.
    const inputs = labeledInputs(fn, ['labels', 'logits'], labels, logits, { axis, weights, logits: true });
    return reduceLoss(softmaxFocal(inputs, { gamma, alpha }, true), { reduction, weights: inputs.sampleWeights });
  });
}
