/**
 * The entropy of a categorical distribution given by logits (API.md §7): the
 * entropy bonus of policy-gradient RL and the confidence penalty of Pereyra
 * et al. 2017.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { applyKernel, type LossKernel } from '../src/machinery/kernel.js';
import { logSoftmax } from '../src/machinery/numerics.js';
import { AXIS, readOptions, withDefault, type OptionsOf } from '../src/machinery/options.js';
import { reduceLoss, REDUCTION } from '../src/machinery/reduction.js';
import { safeSum } from '../src/machinery/tfjs-workarounds.js';
import { assertHasClasses, logBase, positiveNumber, resolveAxis, sameShapeFloats, type TensorInput } from '../src/machinery/validate.js';

interface CategoricalEntropyAttrs {
  /** Non-negative index of the class axis. */
  readonly axis: number;
  readonly temperature: number;
  /** ln(base): values and gradients in nats are divided by it. */
  readonly lnBase: number;
}

/**
 * π = softmax(z/T), log π with a masked class's −∞ held at 0, and
 * H = −Σ π log π in nats, along `axis`.
 *
 * Built from ops with registered gradients only (no Equal/Greater masks), so
 * that the backward, which calls it too, can itself be differentiated.
 */
function temperedEntropy(logits: Tensor, { axis, temperature }: CategoricalEntropyAttrs) {
  const logPi = logSoftmax(tf.div(logits, temperature), axis);
  // A masked class (a −Infinity logit: π = 0, log π = −∞) gets log π := 0, so its
  // π·log π is 0, not NaN, in the value and in every derivative: the inner half of
  // a "double where", whose mask (isInf, gradient 0) carries no gradient. A NaN stays NaN.
  const heldLogPi = tf.where(tf.isInf(logPi), tf.zerosLike(logPi), logPi);
  const pi = tf.exp(logPi);
  // Σ π·(0 − log π), not −Σ π·log π: each term is ≥ 0, so a one-hot π gives +0, not −0.
  const entropy = safeSum(tf.mul(pi, tf.sub(0, heldLogPi)), axis);
  return { pi, heldLogPi, entropy };
}

/**
 * H(π) = −Σ π log π, π = softmax(z/T), along `axis`, divided by ln(base).
 * ∂H/∂z_k = −π_k(log π_k + H)/T (0 for a masked class, where π_k = 0).
 */
const categoricalEntropyKernel: LossKernel<[Tensor], CategoricalEntropyAttrs> = {
  forward([logits], attrs) {
    return tf.div(temperedEntropy(logits, attrs).entropy, attrs.lnBase);
  },
  backward(dy, [logits], attrs) {
    const { pi, heldLogPi, entropy } = temperedEntropy(logits, attrs);
    const g = tf.mul(tf.expandDims(dy, attrs.axis), -1 / (attrs.temperature * attrs.lnBase));
    return [tf.mul(g, tf.mul(pi, tf.add(heldLogPi, tf.expandDims(entropy, attrs.axis))))];
  },
};

/** The options of {@link categoricalEntropy}. */
export const categoricalEntropyOptions = {
  /** The class axis; negative counts from the end. Default `-1`. */
  axis: AXIS,
  /** T > 0: the logits are divided by T before the softmax. Default 1. */
  temperature: withDefault(1, positiveNumber),
  /** Base of the logarithm: `Math.E` (nats, the default), `2` (bits), `10` (hartleys). */
  base: withDefault(Math.E, logBase),
  /** `'mean'` (default) or `'sum'` over the distributions, or `'none'` (one value per distribution). */
  reduction: REDUCTION,
};

/** Options of {@link categoricalEntropy}. */
export type CategoricalEntropyOptions = OptionsOf<typeof categoricalEntropyOptions>;

/**
 * Entropy H(softmax(logits/T)) = −Σ_c π_c log π_c of each categorical
 * distribution given by logits: the entropy bonus of policy-gradient RL
 * (subtract β·H from the loss) and the confidence penalty of Pereyra et al.
 * 2017. The same values as PyTorch's `Categorical(logits=z/T).entropy()`.
 *
 * Shapes: `logits` `[..., C, ...]` with the classes on `axis` (default the
 * last); per distribution the result drops `axis` (`[batch, C]` → `[batch]`);
 * `'mean'` and `'sum'` reduce over the distributions.
 *
 * Stability and edge cases: log π is the max-shifted log-softmax, so any
 * finite logits give a finite entropy in [0, log C] (`[1e4, 0, −1e4]` gives
 * exactly 0). A −Infinity logit is a masked class (an illegal action): it
 * contributes 0, and its gradient entry is 0. A distribution with a single
 * finite logit has entropy 0. A NaN or +Infinity logit, or logits that are
 * all −Infinity (no class left), give NaN for that distribution, as
 * PyTorch's `Categorical` does; so does a finite logit that overflows when
 * divided by T.
 *
 * Gradient (hand-written, and itself differentiable, for Hessian-vector
 * products): ∂H/∂z_k = −π_k(log π_k + H)/T, divided by ln(base); each row
 * sums to 0.
 *
 * @param logits - float32, any rank ≥ 1, at least one class along `axis`.
 * @param options - `axis` (−1), `temperature` (1), `base` (e: nats; 2: bits), `reduction` (`'mean'`).
 * @returns the reduced entropy (a scalar), or one per distribution for `'none'`.
 * @throws Error naming `categoricalEntropy` for a non-float32 or scalar `logits`, no classes,
 *   a bad axis, temperature ≤ 0, base ≤ 0 or = 1, or an unknown option.
 *
 * @example
 * ```ts
 * categoricalEntropy([[0, 0], [0, -Infinity]], { base: 2, reduction: 'none' }).print(); // [1, 0] (bits)
 * // An entropy bonus: loss = policyLoss − β·H.
 * const loss = tf.sub(policyLoss, tf.mul(0.01, categoricalEntropy(actionLogits)));
 * ```
 */
export function categoricalEntropy(logits: TensorInput, options: CategoricalEntropyOptions = {}): Tensor {
  const fn = 'categoricalEntropy';
  const { axis, temperature, base, reduction } = readOptions(fn, categoricalEntropyOptions, options);
  return tf.tidy(() => {
    const [z] = sameShapeFloats(fn, ['logits'], [logits]) as [Tensor];
    const classAxis = resolveAxis(fn, 'logits', z, axis);
    assertHasClasses(fn, z, classAxis);
    const perDistribution = applyKernel(categoricalEntropyKernel, [z], { axis: classAxis, temperature, lnBase: Math.log(base) });
    return reduceLoss(perDistribution, { reduction });
  });
}
