/**
 * The continuous measures for diagonal Gaussians (API.md §2): differential
 * entropy, cross-entropy and KL divergence, the integral forms
 * H(p) = −∫ p log p, H(p, q) = −∫ p log q and D_KL(p ‖ q) = ∫ p log(p/q).
 *
 * A Gaussian is given by `mean` and `logVar` = log σ² (the VAE encoder's
 * outputs); the last axis is the event axis, whose dimensions are
 * independent, so every measure sums over it. Variances enter only as
 * exp of a difference of log-variances, e^{logVarP − logVarQ}, never as a
 * ratio of two exps, so logVar in ±30 gives finite values and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { readsInPlace, runElementwiseSum } from '../src/kernels/elementwise-sum.js';
import { fusedGaussianCrossEntropy, fusedGaussianKL, gaussianCrossEntropyTerm, gaussianKLTerm } from '../src/kernels/gaussian.js';
import { expm1 } from '../src/machinery/numerics.js';
import { readOptions, optional, unchecked, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { broadcastTo, constantMask, safeSum } from '../src/machinery/tfjs-workarounds.js';
import { assertBroadcastsTo, inRange, logBase, sameShapeFloats, toFloatTensor, type TensorInput } from '../src/machinery/validate.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Four same-shape tensors: the mean and log-variance of P, then of Q. */
type GaussianPair = [Tensor, Tensor, Tensor, Tensor];

/** Quantities shared by the cross-entropy and KL kernels. */
function pairTerms([meanP, logVarP, meanQ, logVarQ]: GaussianPair) {
  const difference = tf.sub(meanP, meanQ);
  const logVarDifference = tf.sub(logVarP, logVarQ); // r = log(σ_P² / σ_Q²)
  const precisionQ = tf.exp(tf.neg(logVarQ)); // 1 / σ_Q²
  return { difference, logVarDifference, precisionQ, scaledSquare: tf.mul(tf.square(difference), precisionQ) };
}

/**
 * Elementwise H(P, Q) = ½[log 2π + log σ_Q² + (σ_P² + Δ²)/σ_Q²], Δ = μ_P − μ_Q.
 * ∂/∂μ_P = Δ/σ_Q² = −∂/∂μ_Q; ∂/∂log σ_P² = ½σ_P²/σ_Q²; ∂/∂log σ_Q² = ½[1 − (σ_P² + Δ²)/σ_Q²].
 */
const gaussianCrossEntropyKernel: LossKernel<GaussianPair, null> = {
  forward(inputs) {
    const { logVarDifference, scaledSquare } = pairTerms(inputs);
    return tf.mul(0.5, tf.add(tf.add(LOG_2PI, inputs[3]), tf.add(tf.exp(logVarDifference), scaledSquare)));
  },
  backward(dy, inputs) {
    const { difference, logVarDifference, precisionQ, scaledSquare } = pairTerms(inputs);
    const dMeanP = tf.mul(dy, tf.mul(difference, precisionQ));
    const varianceRatio = tf.exp(logVarDifference);
    return [
      dMeanP,
      tf.mul(dy, tf.mul(0.5, varianceRatio)),
      tf.neg(dMeanP),
      tf.mul(dy, tf.mul(0.5, tf.sub(1, tf.add(varianceRatio, scaledSquare)))),
    ];
  },
};

/**
 * Elementwise D_KL(P ‖ Q) = ½[e^r − 1 − r + Δ²/σ_Q²], r = log σ_P² − log σ_Q².
 * ∂/∂μ_P = Δ/σ_Q² = −∂/∂μ_Q; ∂/∂log σ_P² = ½(e^r − 1); ∂/∂log σ_Q² = −½(e^r − 1 + Δ²/σ_Q²).
 */
const gaussianKLKernel: LossKernel<GaussianPair, null> = {
  forward(inputs) {
    const { logVarDifference, scaledSquare } = pairTerms(inputs);
    // expm1(r) − r: exact as r → 0, where e^r − 1 − r would cancel to rounding noise.
    return tf.mul(0.5, tf.add(tf.sub(expm1(logVarDifference), logVarDifference), scaledSquare));
  },
  backward(dy, inputs) {
    const { difference, logVarDifference, precisionQ, scaledSquare } = pairTerms(inputs);
    const dMeanP = tf.mul(dy, tf.mul(difference, precisionQ));
    const halfExpm1 = tf.mul(0.5, expm1(logVarDifference));
    return [
      dMeanP,
      tf.mul(dy, halfExpm1),
      tf.neg(dMeanP),
      tf.mul(dy, tf.neg(tf.add(halfExpm1, tf.mul(0.5, scaledSquare)))),
    ];
  },
};

/** Elementwise differential entropy ½(log 2π + 1 + log σ²); ∂/∂μ = 0, ∂/∂log σ² = ½. */
const gaussianEntropyKernel: LossKernel<[Tensor, Tensor], null> = {
  forward([, logVar]) {
    return tf.mul(0.5, tf.add(logVar, LOG_2PI + 1));
  },
  backward(dy, [mean]) {
    return [tf.zerosLike(mean), tf.mul(dy, 0.5)];
  },
};

/** A prior parameter (number or tensor), checked to broadcast against `mean`. Runs no op. */
function priorParameter(fn: string, name: string, value: TensorInput, shape: number[]): Tensor {
  const t = toFloatTensor(fn, name, value);
  assertBroadcastsTo(fn, name, t, shape, 'mean');
  return t;
}

/** The options of the Gaussian entropy and cross-entropy. */
export const gaussianMeasureOptions = {
  /** Base of the logarithm: `Math.E` (nats, default), `2` (bits). */
  base: withDefault(Math.E, logBase),
};

/** Options of the Gaussian entropy and cross-entropy. */
export type GaussianMeasureOptions = OptionsOf<typeof gaussianMeasureOptions>;

/**
 * Differential entropy of a diagonal Gaussian N(mean, e^logVar), per sample:
 * H = ½ Σ_d (log 2π + 1 + logVar_d).
 *
 * Shapes: `mean` and `logVar` are `[..., D]` (event axis last); the result is
 * `[...]`. Unlike discrete entropy it can be negative (small variances).
 * Gradients: ∂H/∂logVar = ½ per dimension, ∂H/∂mean = 0 (the mean does not
 * change the entropy), divided by ln(base).
 *
 * @param mean - float32 `[..., D]`.
 * @param logVar - log σ², float32, the shape of `mean`.
 * @param options - `base` (default e).
 * @returns H, float32 `[...]`.
 * @throws Error naming `gaussianEntropy` on mismatched shapes, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * gaussianEntropy([[0, 0]], [[0, 0]]).print(); // [2.8379] = log(2πe) for two unit dimensions
 * ```
 */
export function gaussianEntropy(mean: TensorInput, logVar: TensorInput, options: GaussianMeasureOptions = {}): Tensor {
  const fn = 'gaussianEntropy';
  const { base } = readOptions(fn, gaussianMeasureOptions, options);
  return tf.tidy(() => {
    const [m, v] = sameShapeFloats(fn, ['mean', 'logVar'], [mean, logVar]) as [Tensor, Tensor];
    return tf.div(safeSum(applyKernel(gaussianEntropyKernel, [m, v], null), -1), Math.log(base));
  });
}

/**
 * Cross-entropy H(P, Q) = −∫ p log q of two diagonal Gaussians, per sample:
 * ½ Σ_d [log 2π + logVarQ_d + (e^{logVarP_d} + (meanP_d − meanQ_d)²)/e^{logVarQ_d}].
 *
 * H(P, Q) = H(P) + D_KL(P ‖ Q), so `gaussianCrossEntropy − gaussianEntropy`
 * equals `gaussianKL`.
 *
 * Shapes: all four `[..., D]`, the same; the result is `[...]`.
 * Gradients (hand-written, every input): ∂/∂meanP = Δ/σ_Q² = −∂/∂meanQ,
 * ∂/∂logVarP = ½σ_P²/σ_Q², ∂/∂logVarQ = ½[1 − (σ_P² + Δ²)/σ_Q²], divided by ln(base).
 *
 * @param meanP - float32 `[..., D]`.
 * @param logVarP - float32, as `meanP`.
 * @param meanQ - float32, as `meanP`.
 * @param logVarQ - float32, as `meanP`.
 * @param options - `base` (default e).
 * @returns H(P, Q), float32 `[...]`.
 * @throws Error naming `gaussianCrossEntropy` on mismatched shapes, a scalar, or a bad option.
 *
 * @example
 * ```ts
 * gaussianCrossEntropy([[0]], [[0]], [[1]], [[0]]).print(); // [1.9189] = ½(log 2π + 2)
 * ```
 */
export function gaussianCrossEntropy(
  meanP: TensorInput,
  logVarP: TensorInput,
  meanQ: TensorInput,
  logVarQ: TensorInput,
  options: GaussianMeasureOptions = {},
): Tensor {
  const fn = 'gaussianCrossEntropy';
  const { base } = readOptions(fn, gaussianMeasureOptions, options);
  return tf.tidy(() => {
    const p = sameShapeFloats(fn, ['meanP', 'logVarP'], [meanP, logVarP]);
    const q = sameShapeFloats(fn, ['meanQ', 'logVarQ'], [meanQ, logVarQ]);
    sameShapeFloats(fn, ['meanP', 'meanQ'], [p[0]!, q[0]!]);
    const fused = runElementwiseSum(fusedGaussianCrossEntropy, gaussianCrossEntropyTerm, [...p, ...q], p[0]!.rank - 1);
    const perSample = fused ?? safeSum(applyKernel(gaussianCrossEntropyKernel, [...p, ...q] as GaussianPair, null), -1);
    return tf.div(perSample, Math.log(base));
  });
}

/** A prior's parameter: a number or a tensor broadcast against `mean` (checked against it when known). */
const PRIOR_PARAMETER = withDefault<number | TensorInput>(0, unchecked);

/** The options of {@link gaussianKL}. */
export const gaussianKLOptions = {
  /** Mean of the prior Q, a number or a tensor broadcast against `mean`. Default 0. */
  priorMean: PRIOR_PARAMETER,
  /** log σ² of the prior Q, a number or a tensor broadcast against `mean`. Default 0 (unit variance). */
  priorLogVar: PRIOR_PARAMETER,
  /**
   * λ ≥ 0 nats: Σ_d max(λ, batch mean of KL_d), each latent dimension's
   * batch-mean KL floored at λ (Kingma et al. 2016); a floored dimension gets
   * no gradient. Needs `reduction: 'mean'`.
   */
  freeBits: optional(inRange(0, Infinity)),
  /** `'mean'` (default: KL summed over the last axis, averaged over the rest), `'sum'` or `'none'` (per sample). */
  reduction: REDUCTION,
};

/** Options of {@link gaussianKL}. */
export type GaussianKLOptions = OptionsOf<typeof gaussianKLOptions>;

/**
 * KL divergence D_KL(N(mean, e^logVar) ‖ N(priorMean, e^priorLogVar)) of diagonal
 * Gaussians, summed over the last (latent) axis: the VAE regulariser.
 *
 * Per sample: ½ Σ_d [e^r − 1 − r + (mean − priorMean)²/e^priorLogVar],
 * r = logVar − priorLogVar; with the default standard-normal prior,
 * −½ Σ_d (1 + logVar − mean² − e^logVar). The direction is posterior ‖ prior,
 * as in the ELBO.
 *
 * Reduction: `'mean'` averages the per-sample KL over every axis but the last,
 * the usual VAE loss term. For `[batch, latent]` inputs that is PyTorch's
 * `kl_div(..., reduction='batchmean')`; for `[batch, time, latent]` it is the
 * mean over batch × time (`[2, 3, D]` divides the sum by 6), where `batchmean`
 * divides by the batch alone (by 2). `'sum'` sums; `'none'` returns `[...]`. With `freeBits: λ` the
 * result is Σ_d max(λ, mean over the batch of KL_d) instead.
 *
 * Shapes: `mean`, `logVar` `[..., D]`; priors broadcast against them (`[D]`,
 * a number, or the full shape).
 *
 * Gradients (hand-written, every float input including tensor priors):
 * ∂/∂mean = (mean − priorMean)/σ_Q², ∂/∂logVar = ½(e^r − 1),
 * ∂/∂priorLogVar = −½(e^r − 1 + Δ²/σ_Q²). Stability: expm1(r) − r, and
 * variances only as e^{difference}, so logVar in ±30 stays finite.
 *
 * @param mean - the posterior mean, float32 `[..., D]`.
 * @param logVar - the posterior log σ², float32, the shape of `mean`.
 * @param options - `priorMean` (0), `priorLogVar` (0), `freeBits`, `reduction` (`'mean'`).
 * @returns the reduced KL (a scalar), or the per-sample KL `[...]` for `'none'`.
 * @throws Error naming `gaussianKL` on mismatched shapes or priors, bad `freeBits` (or without `'mean'`).
 *
 * @example
 * ```ts
 * const [mean, logVar] = encoder.predict(x) as tf.Tensor[]; // [batch, latent] each
 * const kl = gaussianKL(mean, logVar);                      // scalar, nats per sample
 * gaussianKL([[1, 0]], [[0, 0]]).print();                   // 0.5
 * ```
 */
export function gaussianKL(mean: TensorInput, logVar: TensorInput, options: GaussianKLOptions = {}): Tensor {
  const fn = 'gaussianKL';
  const { priorMean, priorLogVar, freeBits, reduction } = readOptions(fn, gaussianKLOptions, options);
  if (freeBits !== undefined && reduction !== 'mean') {
    throw new Error(`${fn}: freeBits needs reduction 'mean' (the batch mean it floors), got '${reduction}'`);
  }
  return tf.tidy(() => {
    // Both priors are checked before the first op: see toSampleWeights.
    const [m, v] = sameShapeFloats(fn, ['mean', 'logVar'], [mean, logVar]) as [Tensor, Tensor];
    const priors = [priorParameter(fn, 'priorMean', priorMean, m.shape), priorParameter(fn, 'priorLogVar', priorLogVar, m.shape)];
    // The fused kernel reads priors of one number or one per dimension in place, and sums over the latent axis itself.
    const summedAxis = freeBits === undefined ? m.rank - 1 : -1;
    const fused = priors.every((prior) => readsInPlace(prior, m.shape)) ? runElementwiseSum(fusedGaussianKL, gaussianKLTerm, [m, v, ...priors], summedAxis) : undefined;
    const klOf = () => applyKernel(gaussianKLKernel, [m, v, ...priors.map((prior) => broadcastTo(prior, m.shape))] as GaussianPair, null);
    if (freeBits !== undefined) return freeBitsKL(fused ?? klOf(), freeBits);
    return reduceLoss(fused ?? safeSum(klOf(), -1), { reduction });
  });
}

/**
 * Σ_d max(λ, mean over the batch of KL_d): a dimension at or below λ gets no
 * gradient. An empty batch has batch means 0, so it gives D·λ.
 */
function freeBitsKL(perDimension: Tensor, freeBits: number): Tensor {
  const latent = perDimension.shape[perDimension.rank - 1] as number;
  const rows = perDimension.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  // An empty batch has batch mean 0 (then floored at λ), as a mean over nothing elsewhere.
  const batchMean = tf.div(safeSum(tf.reshape(perDimension, [rows, latent]), 0), Math.max(rows, 1));
  // max(λ, mean) with the gradient to λ, the constant, on a tie; NaN fails the comparison and stays.
  // (Not tf.maximum: its gradient builds a Less mask, which has no gradient of its own.)
  const floored = constantMask((x) => tf.lessEqual(x, freeBits), batchMean);
  return safeSum(tf.where(floored, tf.fill(batchMean.shape, freeBits), batchMean));
}

/**
 * Elementwise D_KL(N(mean, e^logVar) ‖ N(0, 1)) per latent dimension, `[..., D]`,
 * for monitoring (the VAE layer reports its batch mean per dimension).
 * Internal: inputs are float32 tensors of one shape, already checked.
 */
export function standardNormalKLPerDimension(mean: Tensor, logVar: Tensor): Tensor {
  return tf.tidy(() => applyKernel(gaussianKLKernel, [mean, logVar, tf.zerosLike(mean), tf.zerosLike(mean)], null));
}
