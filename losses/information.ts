/**
 * The discrete information measures: entropy, cross-entropy, Kullback–Leibler
 * and Jensen–Shannon divergence of probability vectors (API.md §1).
 *
 * Each measure sums over one `axis` (default the last) and reduces nothing
 * else: `[batch, classes]` in, `[batch]` out. Inputs are used as given, not
 * renormalised: pass probabilities that sum to 1 along `axis`.
 *
 * ## The 0·log 0 convention, in values and gradients
 * Every term is an x·log y or x·(log x − log y) (numerics.ts's `xlogy`,
 * `relativeEntropy`): a term whose p is
 * exactly 0 contributes 0, even where q = 0, as `scipy.special.entr` and
 * `rel_entr` do, and its gradient entries are 0 too: the one-sided
 * derivative φ'(0) = −∞ of φ(x) = x·log x is replaced by 0, the derivative
 * of the constant the term is held at, and likewise ∂(p·log q)/∂q = p/q at
 * p = 0 and ∂(p·log q)/∂p = log q where p = q = 0. So a class with zero
 * probability in both never yields an infinite or NaN gradient (which a
 * softmax upstream would turn into NaN), and the gradients obey the values'
 * identity: ∇H(p, q) = ∇H(p) + ∇D_KL(p ‖ q). A p > 0 against q = 0 gives
 * `+Infinity`, as `scipy.stats.entropy` does. NaN is never hidden: a NaN
 * entry, or a negative one under a log (either argument of `entropy`,
 * `klDivergence` and `jsDivergence`, q of `crossEntropy`), gives NaN even
 * where p = 0; crossEntropy's p only weighs log q and is used as given.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { runElementwiseSum, type ElementwiseTerm } from '../src/kernels/elementwise-sum.js';
import { crossEntropyTerm, entropyTerm, fusedMeasures, jsDivergenceTerm, klDivergenceTerm } from '../src/kernels/information.js';
import { isZero, log, relativeEntropy, xlogy, xlogyPartials } from '../src/machinery/numerics.js';
import { AXIS, readOptions, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { constantMask, safeSum } from '../src/machinery/tfjs-workarounds.js';
import { logBase, resolveAxis, sameShapeFloats, type TensorInput } from '../src/machinery/validate.js';

/** The options of every information measure. */
export const measureOptions = {
  /** The axis that holds each distribution; negative counts from the end. Default `-1`. */
  axis: AXIS,
  /** Base of the logarithm: `Math.E` (nats, the default), `2` (bits), `10` (hartleys). */
  base: withDefault(Math.E, logBase),
};

/** Options shared by the information measures. */
export type MeasureOptions = OptionsOf<typeof measureOptions>;

interface MeasureAttrs {
  /** Non-negative index of the summed axis. */
  readonly axis: number;
  /** ln(base): values and gradients in nats are divided by it. */
  readonly lnBase: number;
}

/** Σ over the distribution's axis, in units of the base. */
function total(terms: Tensor, { axis, lnBase }: MeasureAttrs): Tensor {
  return tf.div(safeSum(terms, axis), lnBase);
}

/** dy, shaped like the forward's output, broadcast back along the summed axis and scaled. */
function upstream(dy: Tensor, attrs: MeasureAttrs, scale: number): Tensor {
  return tf.mul(tf.expandDims(dy, attrs.axis), scale / attrs.lnBase);
}

/** φ'(x) = d(x log x)/dx = log x + 1, taken as 0 at x = 0 (the term is held at 0 there). */
function xLogXDerivative(x: Tensor): Tensor {
  const [dx, dy] = xlogyPartials(x, x);
  return tf.add(dx, dy);
}

/**
 * log m for the mixture m = (p + q)/2. Halving is exact for normal floats,
 * so log m is exact and JS(p, p) = 0 exactly; below 2·(smallest normal)
 * halving would round (1e-45/2 = 0, log 0 = −∞), so log(p + q) − ln 2 is used there.
 */
function logMixture(p: Tensor, q: Tensor): Tensor {
  const sum = tf.add(p, q);
  const subnormalHalf = constantMask((x) => tf.less(x, 2 * SMALLEST_NORMAL_FLOAT32), sum);
  return tf.where(subnormalHalf, tf.sub(log(sum), Math.LN2), log(tf.mul(sum, 0.5)));
}

const SMALLEST_NORMAL_FLOAT32 = 2 ** -126;

// ---------------------------------------------------------------------------
// Kernels: forward formula and analytic gradient side by side. Every term is
// an xlogy (numerics.ts), so 0·log 0 = 0 and the NaN rule hold in one place.

/** H(p) = −Σ p log p. ∂H/∂p = −(log p + 1). */
const entropyKernel: LossKernel<[Tensor], MeasureAttrs> = {
  forward([p], attrs) {
    // −p·log p summed, not the negated sum: H = +0, not −0, for a one-hot p.
    return total(tf.neg(xlogy(p, p)), attrs);
  },
  backward(dy, [p], attrs) {
    return [tf.mul(upstream(dy, attrs, -1), xLogXDerivative(p))];
  },
};

/** H(p, q) = −Σ p log q. ∂/∂p = −log q; ∂/∂q = −p/q. */
const crossEntropyKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], attrs) {
    return total(tf.neg(xlogy(p, q)), attrs);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, -1);
    const [dp, dq] = xlogyPartials(p, q);
    return [tf.mul(g, dp), tf.mul(g, dq)];
  },
};

/** D_KL(p ‖ q) = Σ p (log p − log q). ∂/∂p = log p + 1 − log q; ∂/∂q = −p/q. */
const klDivergenceKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], attrs) {
    return total(relativeEntropy(p, log(q)), attrs);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, 1);
    const [dp, dq] = xlogyPartials(p, q);
    return [tf.mul(g, tf.sub(xLogXDerivative(p), dp)), tf.mul(tf.neg(g), dq)];
  },
};

/**
 * JS(p, q) = ½ D_KL(p ‖ m) + ½ D_KL(q ‖ m), m = (p + q)/2.
 * As ½Σφ(p) + ½Σφ(q) − Σφ(m), φ(x) = x log x: ∂/∂p = ½(φ'(p) − φ'(m)), and likewise for q.
 */
const jsDivergenceKernel: LossKernel<[Tensor, Tensor], MeasureAttrs> = {
  forward([p, q], attrs) {
    const logM = logMixture(p, q);
    // The KL form, not φ(p)/2 + φ(q)/2 − φ(m): each term is small where p ≈ q,
    // so nearly equal p and q give a small value with a small absolute error.
    return tf.mul(total(tf.add(relativeEntropy(p, logM), relativeEntropy(q, logM)), attrs), 0.5);
  },
  backward(dy, [p, q], attrs) {
    const g = upstream(dy, attrs, 0.5);
    // φ'(m) = log m + 1, taken as 0 where m = 0 (as φ'(0) is).
    const sum = tf.add(p, q);
    const mixtureDerivative = tf.where(isZero(sum), tf.zerosLike(sum), tf.add(logMixture(p, q), 1));
    return [tf.mul(g, tf.sub(xLogXDerivative(p), mixtureDerivative)), tf.mul(g, tf.sub(xLogXDerivative(q), mixtureDerivative))];
  },
};

// ---------------------------------------------------------------------------
// Public functions: validate, then run the kernel (fused where it can).

/** Validates the distributions (one, or a pair of one shape) and runs the fused `term` on them, or else `kernel`. */
function measure<Inputs extends [Tensor] | [Tensor, Tensor]>(
  fn: string,
  kernel: LossKernel<Inputs, MeasureAttrs>,
  term: ElementwiseTerm,
  names: readonly string[],
  distributions: ReadonlyArray<TensorInput>,
  options: MeasureOptions,
): Tensor {
  const { axis, base } = readOptions(fn, measureOptions, options);
  return tf.tidy(() => {
    const inputs = sameShapeFloats(fn, names, distributions) as Inputs;
    const attrs = { axis: resolveAxis(fn, names[0]!, inputs[0], axis), lnBase: Math.log(base) };
    const fused = runElementwiseSum(fusedMeasures.get(term)!, term, inputs, attrs.axis);
    return fused === undefined ? applyKernel(kernel, inputs, attrs) : tf.div(fused, attrs.lnBase);
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
 * @throws Error naming `entropy` if `p` is not float32, is a scalar, or an option is bad.
 *
 * @example
 * ```ts
 * entropy([0.42, 0.31, 0.27]).print();            // 1.0809 (nats)
 * entropy([[0.5, 0.5], [1, 0]], { base: 2 }).print(); // [1, 0] (bits)
 * ```
 */
export function entropy(p: TensorInput, options: MeasureOptions = {}): Tensor {
  return measure('entropy', entropyKernel, entropyTerm, ['p'], [p], options);
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
 * @throws Error naming `crossEntropy` on mismatched shapes, a non-float32 input, a scalar, a bad option.
 *
 * @example
 * ```ts
 * crossEntropy([0.42, 0.31, 0.27], [0.25, 0.5, 0.25]).print();            // 1.1714 nats
 * crossEntropy([0.42, 0.31, 0.27], [0.25, 0.5, 0.25], { base: 2 }).print(); // 1.6900 bits
 * ```
 */
export function crossEntropy(p: TensorInput, q: TensorInput, options: MeasureOptions = {}): Tensor {
  return measure('crossEntropy', crossEntropyKernel, crossEntropyTerm, ['p', 'q'], [p, q], options);
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
 * @throws Error naming `klDivergence` on mismatched shapes, a non-float32 input, a scalar, a bad option.
 *
 * @example
 * ```ts
 * klDivergence([0.42, 0.31, 0.27], [0.25, 0.5, 0.25]).print(); // 0.0905
 * klDivergence([0.25, 0.5, 0.25], [0.42, 0.31, 0.27]).print(); // 0.0901
 * ```
 */
export function klDivergence(p: TensorInput, q: TensorInput, options: MeasureOptions = {}): Tensor {
  return measure('klDivergence', klDivergenceKernel, klDivergenceTerm, ['p', 'q'], [p, q], options);
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
 * @throws Error naming `jsDivergence` on mismatched shapes, a non-float32 input, a scalar, a bad option.
 *
 * @example
 * ```ts
 * jsDivergence([1, 0], [0, 1], { base: 2 }).print(); // 1 (bit): disjoint supports
 * ```
 */
export function jsDivergence(p: TensorInput, q: TensorInput, options: MeasureOptions = {}): Tensor {
  return measure('jsDivergence', jsDivergenceKernel, jsDivergenceTerm, ['p', 'q'], [p, q], options);
}
