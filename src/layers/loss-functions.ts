/**
 * Loss functions for `model.compile({loss})` (API.md §5): factories that
 * return `(yTrue, yPred) => Tensor` with one loss per sample (`[batch]`, or
 * the batch shape), which tfjs-layers averages and weights with `fit`'s
 * `classWeight`.
 *
 * Each wraps its functional twin. With `fromLogits: false` (the default, as in
 * tfjs and Keras) `yPred` holds probabilities, used exactly instead of being
 * clipped to [ε, 1 − ε] as tfjs does, which zeroes the gradient at 0 and 1:
 * the losses are written in p (−Σ y log p and its focal forms, with
 * 0·log 0 = 0 in value and gradient) and not renormalised: a softmax or
 * sigmoid output needs none.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';
import { crossEntropy, entropy, klDivergence } from '../../losses/information.js';
import {
  sigmoidFocalLoss,
  sigmoidFocalOfProbabilities,
  softmaxFocalLoss,
  softmaxFocalOfProbabilities,
} from '../../losses/focal-loss.js';
import { sigmoidCrossEntropy } from '../../losses/sigmoid-cross-entropy.js';
import { softmaxCrossEntropy, sparseSoftmaxCrossEntropy, toClassWeights } from '../../losses/softmax-cross-entropy.js';
import {
  assertBroadcastsTo,
  assertHasAxis,
  assertHasClasses,
  assertKnownOptions,
  assertLabelsInRange,
  formatShape,
  integerOption,
  numberInRange,
  resolveAxis,
  toFloatTensor,
  toLabelsLike,
} from '../validate.js';
import { broadcastTo } from '../broadcast.js';
import { acceptsClassIndices } from './sparse-targets.js';

/** A loss for `model.compile`: per-sample losses from targets and predictions. */
export type LayersLoss = (yTrue: Tensor, yPred: Tensor) => Tensor;

interface FromLogits {
  /** `yPred` holds logits (true) or probabilities (false, the default). */
  readonly fromLogits?: boolean | undefined;
}

/** Checks the factory's options once, when the loss is made. */
function checkFactoryOptions(fn: string, options: object, known: readonly string[]): boolean {
  assertKnownOptions(fn, options, ['fromLogits', ...known]);
  const { fromLogits = false } = options as FromLogits;
  if (typeof fromLogits !== 'boolean') {
    throw new Error(`${fn}: fromLogits must be a boolean, got ${JSON.stringify(fromLogits)}`);
  }
  return fromLogits;
}

/**
 * `yTrue` as float32 (int32 and bool targets cast) and `yPred` as a float32
 * tensor of the same shape: the checks every dense loss here makes first, so
 * that messages name the layers loss and `yTrue`/`yPred`, not the twin it delegates to.
 */
function denseInputs(fn: string, yTrue: Tensor, yPred: Tensor): [Tensor, Tensor] {
  const predictions = toFloatTensor(fn, 'yPred', yPred);
  return [toLabelsLike(fn, yTrue, predictions, ['yTrue', 'yPred']), predictions];
}

/**
 * {@link denseInputs}, and the class axis resolved against `yPred`; for
 * logits it must hold at least one class (a softmax over nothing is undefined).
 */
function classInputs(fn: string, yTrue: Tensor, yPred: Tensor, axis: number, fromLogits: boolean): [Tensor, Tensor, number] {
  const [targets, predictions] = denseInputs(fn, yTrue, yPred);
  const classAxis = resolveAxis(fn, 'yPred', predictions, axis);
  if (fromLogits) assertHasClasses(fn, predictions, classAxis);
  return [targets, predictions, classAxis];
}

/** The per-sample mean over the last axis, as Keras reduces elementwise binary losses. */
function meanOverLastAxis(elementwise: Tensor): Tensor {
  return elementwise.rank === 0 ? elementwise : tf.mean(elementwise, -1);
}

/** Options of {@link categoricalCrossentropy}. */
export interface CategoricalCrossentropyOptions extends FromLogits {
  readonly labelSmoothing?: number | undefined;
  readonly classWeights?: Tensor | TensorLike | undefined;
  readonly axis?: number | undefined;
}

/**
 * Categorical cross-entropy for one-hot or soft targets, per sample:
 * `softmaxCrossEntropy` of `yPred` as logits (`fromLogits: true`), or
 * −Σ_c c_c·y′_c·log p_c of `yPred` as probabilities, exact at p = 0 and 1.
 *
 * @param options - `fromLogits` (false), and `labelSmoothing`, `classWeights`, `axis` as in `softmaxCrossEntropy`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` inputs.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.categoricalCrossentropy({ fromLogits: true }) });
 * ```
 */
export function categoricalCrossentropy(options: CategoricalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.categoricalCrossentropy';
  const fromLogits = checkFactoryOptions(fn, options, ['labelSmoothing', 'classWeights', 'axis']);
  const labelSmoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  const axis = integerOption(fn, 'axis', options.axis ?? -1);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const [targets, predictions, classAxis] = classInputs(fn, yTrue, yPred, axis, fromLogits);
      const classWeights = toClassWeights(fn, options.classWeights, predictions.shape[classAxis] as number);
      const twin = { labelSmoothing, axis: classAxis, classWeights };
      return fromLogits
        ? softmaxCrossEntropy(targets, predictions, { ...twin, reduction: 'none' })
        : probabilityCrossEntropy(targets, predictions, twin);
    });
}

/**
 * −Σ_c c_c·y′_c·log p_c along `axis`, y′ = (1 − ε)·y + ε/C: the categorical
 * cross-entropy of probabilities with `softmaxCrossEntropy`'s options, through
 * the information measure `crossEntropy` (so 0·log 0 = 0 in value and gradient).
 * Inputs and options are already checked: float32 tensors of one shape, a
 * non-negative `axis`, `[C]` class weights.
 */
function probabilityCrossEntropy(
  targets: Tensor,
  probabilities: Tensor,
  { labelSmoothing, classWeights, axis }: { labelSmoothing: number; classWeights: Tensor | undefined; axis: number },
): Tensor {
  const classes = probabilities.shape[axis] as number;
  const smoothed = labelSmoothing === 0 ? targets : tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / classes);
  if (classWeights === undefined) return crossEntropy(smoothed, probabilities, { axis });
  const shape = probabilities.shape.map((size, i) => (i === axis ? size : 1));
  return crossEntropy(tf.mul(smoothed, broadcastTo(tf.reshape(classWeights, shape), smoothed.shape)), probabilities, { axis });
}

/** Options of {@link sparseCategoricalCrossentropy}. */
export interface SparseCategoricalCrossentropyOptions extends FromLogits {
  readonly ignoreIndex?: number | undefined;
  readonly labelSmoothing?: number | undefined;
  readonly classWeights?: Tensor | TensorLike | undefined;
}

/**
 * Sparse categorical cross-entropy for class-index targets, per sample:
 * `sparseSoftmaxCrossEntropy` of `yPred` as logits or of log(yPred) as
 * probabilities. `fit` and `evaluate` accept class-index targets `[batch]` or
 * `[batch, 1]` for it, as for tfjs's own sparse loss (see
 * src/layers/sparse-targets.ts), and pass them as float32: they must hold
 * integers (checked). For accuracy, use `metrics: [tf.metrics.sparseCategoricalAccuracy]`
 * (tfjs maps `'accuracy'` to the sparse version only for its own loss).
 *
 * Unlike tfjs-layers' own version, logits are never clipped (tfjs clips them
 * to [ε, 1 − ε] as if they were probabilities, and gives 0.551 where the
 * truth is 0.005).
 *
 * @param options - `fromLogits` (false), and `ignoreIndex`, `labelSmoothing`, `classWeights` as in `sparseSoftmaxCrossEntropy`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` predictions.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
 * ```
 */
export function sparseCategoricalCrossentropy(options: SparseCategoricalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.sparseCategoricalCrossentropy';
  const fromLogits = checkFactoryOptions(fn, options, ['ignoreIndex', 'labelSmoothing', 'classWeights']);
  const ignoreIndex = options.ignoreIndex === undefined ? undefined : integerOption(fn, 'ignoreIndex', options.ignoreIndex);
  const labelSmoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  return acceptsClassIndices((yTrue: Tensor, yPred: Tensor) =>
    tf.tidy(() => {
      const predictions = toFloatTensor(fn, 'yPred', yPred);
      assertHasAxis(fn, 'yPred', predictions);
      if (fromLogits) assertHasClasses(fn, predictions, predictions.rank - 1);
      const classes = predictions.shape[predictions.rank - 1] as number;
      const classWeights = toClassWeights(fn, options.classWeights, classes);
      const indices = classIndices(fn, yTrue, predictions, ignoreIndex);
      const twin = { labelSmoothing, classWeights };
      if (fromLogits) return sparseSoftmaxCrossEntropy(indices, predictions, { ...twin, ignoreIndex, reduction: 'none' });
      // Probabilities: the categorical loss of one-hot targets. An ignored row's targets are
      // all 0 (masked before the log, as the logits form does), so it gives 0 whatever its probabilities.
      const kept = ignoreIndex === undefined ? tf.onesLike(indices) : tf.notEqual(indices, ignoreIndex);
      const oneHot = tf.cast(tf.equal(tf.expandDims(indices, -1), tf.range(0, classes, 1, 'int32')), 'float32');
      const smoothed = labelSmoothing === 0 ? oneHot : tf.add(tf.mul(oneHot, 1 - labelSmoothing), labelSmoothing / classes);
      const targets = tf.mul(smoothed, tf.expandDims(tf.cast(kept, 'float32'), -1));
      return probabilityCrossEntropy(targets, predictions, { classWeights, labelSmoothing: 0, axis: predictions.rank - 1 });
    }),
  );
}

/**
 * Targets as int32 class indices of `yPred`'s shape without its last axis.
 * `fit` hands targets over as float32, `[batch]` or `[batch, 1]`; any value
 * that is not an integer is an error (one synchronous read).
 */
function classIndices(fn: string, yTrue: Tensor, yPred: Tensor, ignoreIndex: number | undefined): Tensor {
  const expected = yPred.shape.slice(0, -1);
  const hasUnitAxis = yTrue.rank === yPred.rank && yTrue.shape[yTrue.rank - 1] === 1;
  const shape = hasUnitAxis ? yTrue.shape.slice(0, -1) : yTrue.shape;
  if (!tf.util.arraysEqual(shape, expected)) {
    throw new Error(
      `${fn}: targets ${formatShape(yTrue.shape)} must be class indices of shape ${formatShape(expected)} ` +
        `(or ${formatShape([...expected, 1])}) for predictions ${formatShape(yPred.shape)}`,
    );
  }
  if (yTrue.dtype !== 'float32' && yTrue.dtype !== 'int32') {
    throw new Error(`${fn}: targets must be float32 or int32 class indices, got ${yTrue.dtype} ${formatShape(yTrue.shape)}`);
  }
  // Checked from the values, before any op (see toSampleWeights).
  const values = yTrue.dataSync();
  const bad = values.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) throw new Error(`${fn}: targets must be integer class indices, got ${values[bad]}`);
  const indices = tf.tensor(values, shape, 'int32');
  assertLabelsInRange(fn, indices, yPred.shape[yPred.rank - 1] as number, ignoreIndex);
  return indices;
}

/** Options of {@link binaryCrossentropy}. */
export interface BinaryCrossentropyOptions extends FromLogits {
  readonly posWeight?: Tensor | TensorLike | undefined;
  readonly labelSmoothing?: number | undefined;
}

/**
 * Binary cross-entropy, per sample the mean over the last axis (as Keras):
 * `sigmoidCrossEntropy` of `yPred` as logits, or −[w·y·log p + (1 − y)·log(1 − p)]
 * of `yPred` as probabilities. Exact and finite at probabilities 0 and 1 where
 * the truth is (a target of 1 at p = 1 gives 0 with gradient −1, where tfjs's
 * clipping gives 1e-7 with gradient 0).
 *
 * @param options - `fromLogits` (false), and `posWeight`, `labelSmoothing` as in `sigmoidCrossEntropy`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, k]` inputs.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.binaryCrossentropy() }); // after a sigmoid output
 * ```
 */
export function binaryCrossentropy(options: BinaryCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.binaryCrossentropy';
  const fromLogits = checkFactoryOptions(fn, options, ['posWeight', 'labelSmoothing']);
  const labelSmoothing = numberInRange(fn, 'labelSmoothing', options.labelSmoothing ?? 0, 0, 1);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const [targets, predictions] = denseInputs(fn, yTrue, yPred);
      const posWeight = options.posWeight === undefined ? undefined : toFloatTensor(fn, 'posWeight', options.posWeight);
      if (posWeight !== undefined) assertBroadcastsTo(fn, 'posWeight', posWeight, predictions.shape, 'yPred');
      const twin = { labelSmoothing, posWeight };
      return meanOverLastAxis(
        fromLogits
          ? sigmoidCrossEntropy(targets, predictions, { ...twin, reduction: 'none' })
          : probabilityBinaryCrossEntropy(targets, predictions, twin),
      );
    });
}

/**
 * −[w·y′·log p + (1 − y′)·log(1 − p)] elementwise, y′ = y(1 − ε) + ε/2: the
 * binary cross-entropy of probabilities, as `crossEntropy` over the two
 * outcomes (p, 1 − p), so a term with zero label weight is 0 and its
 * gradient too, exactly at p = 0 and 1. Inputs and options are already
 * checked (float32 tensors of one shape, a `posWeight` that broadcasts).
 */
function probabilityBinaryCrossEntropy(
  targets: Tensor,
  probabilities: Tensor,
  { posWeight, labelSmoothing }: { posWeight: Tensor | undefined; labelSmoothing: number },
): Tensor {
  const y = labelSmoothing === 0 ? targets : tf.add(tf.mul(targets, 1 - labelSmoothing), labelSmoothing / 2);
  const positive = posWeight === undefined ? y : tf.mul(y, broadcastTo(posWeight, y.shape));
  return crossEntropy(tf.stack([positive, tf.sub(1, y)], -1), tf.stack([probabilities, tf.sub(1, probabilities)], -1));
}

/** Options of {@link kullbackLeiblerDivergence}. */
export interface KullbackLeiblerDivergenceOptions extends FromLogits {
  readonly axis?: number | undefined;
}

/**
 * D_KL(yTrue ‖ yPred) per sample, with `yTrue` a probability distribution and
 * `yPred` probabilities (`klDivergence`) or logits (then computed as
 * H(yTrue, softmax(yPred)) − H(yTrue), stable for any finite logits).
 *
 * @param options - `fromLogits` (false), `axis` (−1).
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` inputs.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.kullbackLeiblerDivergence({ fromLogits: true }) });
 * ```
 */
export function kullbackLeiblerDivergence(options: KullbackLeiblerDivergenceOptions = {}): LayersLoss {
  const fn = 'layers.kullbackLeiblerDivergence';
  const fromLogits = checkFactoryOptions(fn, options, ['axis']);
  const axis = integerOption(fn, 'axis', options.axis ?? -1);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const [targets, predictions, classAxis] = classInputs(fn, yTrue, yPred, axis, fromLogits);
      return fromLogits
        ? tf.sub(softmaxCrossEntropy(targets, predictions, { axis: classAxis, reduction: 'none' }), entropy(targets, { axis: classAxis }))
        : klDivergence(targets, predictions, { axis: classAxis });
    });
}

/** Options of {@link categoricalFocalCrossentropy}. */
export interface CategoricalFocalCrossentropyOptions extends FromLogits {
  readonly gamma?: number | undefined;
  readonly alpha?: number | undefined;
  readonly axis?: number | undefined;
}

/**
 * Categorical focal cross-entropy per sample: `softmaxFocalLoss` of `yPred`
 * as logits, or −α·Σ_c (1 − p_c)^γ·y_c·log p_c of `yPred` as probabilities
 * (Keras's `CategoricalFocalCrossentropy`, without its clipping and renormalisation).
 *
 * @param options - `fromLogits` (false), and `gamma` (2), `alpha` (0.25), `axis` as in `softmaxFocalLoss`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` inputs.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.categoricalFocalCrossentropy({ gamma: 2 }) });
 * ```
 */
export function categoricalFocalCrossentropy(options: CategoricalFocalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.categoricalFocalCrossentropy';
  const fromLogits = checkFactoryOptions(fn, options, ['gamma', 'alpha', 'axis']);
  const gamma = numberInRange(fn, 'gamma', options.gamma ?? 2, 0, Infinity);
  const alpha = numberInRange(fn, 'alpha', options.alpha ?? 0.25, 0, Infinity);
  const axis = integerOption(fn, 'axis', options.axis ?? -1);
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const [targets, predictions, classAxis] = classInputs(fn, yTrue, yPred, axis, fromLogits);
      const twin = { gamma, alpha, axis: classAxis };
      return fromLogits
        ? softmaxFocalLoss(targets, predictions, { ...twin, reduction: 'none' })
        : softmaxFocalOfProbabilities(targets, predictions, twin);
    });
}

/** Options of {@link binaryFocalCrossentropy}. */
export interface BinaryFocalCrossentropyOptions extends FromLogits {
  readonly gamma?: number | undefined;
  readonly alpha?: number | undefined;
}

/**
 * Binary focal cross-entropy, per sample the mean over the last axis:
 * `sigmoidFocalLoss` of `yPred` as logits, or α_t·(1 − p_t)^γ·BCE of `yPred`
 * as probabilities.
 *
 * @param options - `fromLogits` (false), and `gamma` (2), `alpha` (0.25; negative: off) as in `sigmoidFocalLoss`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, k]` inputs.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.binaryFocalCrossentropy({ fromLogits: true, gamma: 2 }) });
 * ```
 */
export function binaryFocalCrossentropy(options: BinaryFocalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.binaryFocalCrossentropy';
  const fromLogits = checkFactoryOptions(fn, options, ['gamma', 'alpha']);
  const twin = {
    gamma: numberInRange(fn, 'gamma', options.gamma ?? 2, 0, Infinity),
    alpha: numberInRange(fn, 'alpha', options.alpha ?? 0.25, -Infinity, 1),
  };
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const [targets, predictions] = denseInputs(fn, yTrue, yPred);
      return meanOverLastAxis(
        fromLogits
          ? sigmoidFocalLoss(targets, predictions, { ...twin, reduction: 'none' })
          : sigmoidFocalOfProbabilities(targets, predictions, twin),
      );
    });
}
