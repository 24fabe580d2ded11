/**
 * Loss functions for `model.compile({loss})` (API.md §5): factories that
 * return `(yTrue, yPred) => Tensor` with one loss per sample (`[batch]`, or
 * the batch shape), which tfjs-layers averages and weights with `fit`'s
 * `classWeight`.
 *
 * Each is its functional twin under the names `yTrue` and `yPred`: its
 * options are the twin's (plus `fromLogits`), read when the loss is made,
 * and it checks its inputs with the twin's checks, so messages name the
 * layers loss. With `fromLogits: false` (the default, as in tfjs and Keras)
 * `yPred` holds probabilities, used exactly instead of being clipped to
 * [ε, 1 − ε] as tfjs does, which zeroes the gradient at 0 and 1: the twin's
 * kernel of probabilities (0·log 0 = 0 in value and gradient), not
 * renormalised, since a softmax or sigmoid output needs none.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { sigmoidFocal, sigmoidFocalLossOptions, softmaxFocal, softmaxFocalLossOptions } from '../../losses/focal-loss.js';
import { binaryCrossEntropy, sigmoidCrossEntropyOptions } from '../../losses/sigmoid-cross-entropy.js';
import {
  categoricalCrossEntropy,
  categoricalKLDivergence,
  softmaxCrossEntropyOptions,
  sparseCrossEntropy,
  sparseInputs,
  sparseSoftmaxCrossEntropyOptions,
} from '../../losses/softmax-cross-entropy.js';
import { AXIS, pick, readOptions, withDefault, type OptionSpec, type OptionsOf, type ReadOptions } from '../machinery/options.js';
import { acceptsClassIndices, safeSum } from '../machinery/tfjs-workarounds.js';
import { assertHasAxis, boolean, formatShape, integer, labeledInputs, toFloatTensor } from '../machinery/validate.js';

/** A loss for `model.compile`: per-sample losses from targets and predictions. */
export type LayersLoss = (yTrue: Tensor, yPred: Tensor) => Tensor;

/**
 * A layers loss's options: `fromLogits`, then the `names` it shares with its
 * functional twin's `spec`. The class axis, which the twin checks against its
 * inputs' rank, is checked here as an integer when the loss is made.
 */
function twinOptions<S extends OptionSpec, const K extends keyof S>(spec: S, names: readonly K[]) {
  const shared = Object.fromEntries(Object.entries(pick(spec, names)).map(([name, option]) => [name, option === AXIS ? INTEGER_AXIS : option]));
  return {
    /** `yPred` holds logits (true) or probabilities (false, the default). */
    fromLogits: withDefault(false, boolean),
    ...(shared as Pick<S, K>),
  };
}

const INTEGER_AXIS = withDefault(-1, integer);

/** How the layers losses name their inputs in messages. */
const NAMES = ['yTrue', 'yPred'] as const;

/**
 * A layers loss: `options` read against `spec` when the loss is made (so a
 * bad number or boolean fails at `compile`, as in Keras), then on each call
 * `perSample` of the read options and the inputs, inside `tf.tidy`.
 */
function layersLoss<S extends OptionSpec>(
  fn: string,
  spec: S,
  options: OptionsOf<S>,
  perSample: (read: ReadOptions<S>, yTrue: Tensor, yPred: Tensor) => Tensor,
): LayersLoss {
  const read = readOptions(fn, spec, options);
  assertLogitsForZLoss(fn, read);
  return (yTrue, yPred) => tf.tidy(() => perSample(read, yTrue, yPred));
}

/**
 * Throws for a z-loss without logits: w·(log Σ exp z)² penalises the
 * logits' log-partition, which probabilities (`fromLogits: false`) do not
 * have (Keras has no z-loss to follow). A z-loss of 0 is no z-loss.
 */
function assertLogitsForZLoss(fn: string, { fromLogits, zLoss }: { fromLogits?: unknown; zLoss?: unknown }): void {
  if (fromLogits === false && typeof zLoss === 'number' && zLoss > 0) {
    throw new Error(
      `${fn}: zLoss ${zLoss} needs logits: set fromLogits: true (the z-loss w·(log Σ exp z)² penalises the logits' ` +
        'log-partition, which probabilities do not have)',
    );
  }
}

/** The per-sample mean over the last axis, as Keras reduces elementwise binary losses (0 over an empty axis). */
function meanOverLastAxis(elementwise: Tensor): Tensor {
  if (elementwise.rank === 0) return elementwise;
  // tf.mean over an empty axis is wasm's empty sum (garbage): 0 instead, as a sum over nothing.
  return elementwise.shape[elementwise.rank - 1] === 0 ? safeSum(elementwise, -1) : tf.mean(elementwise, -1);
}

/** The options of {@link categoricalCrossentropy}: `fromLogits`, and those of `softmaxCrossEntropy` per sample. */
export const categoricalCrossentropyOptions = twinOptions(softmaxCrossEntropyOptions, ['labelSmoothing', 'classWeights', 'axis', 'zLoss']);

/** Options of {@link categoricalCrossentropy}. */
export type CategoricalCrossentropyOptions = OptionsOf<typeof categoricalCrossentropyOptions>;

/**
 * Categorical cross-entropy for one-hot or soft targets, per sample:
 * `softmaxCrossEntropy` of `yPred` as logits (`fromLogits: true`), or
 * −Σ_c c_c·y′_c·log p_c of `yPred` as probabilities, exact at p = 0 and 1.
 * With `zLoss` w > 0 (logits only), each sample adds w·(log Σ_c exp z_c)².
 *
 * @param options - `fromLogits` (false), and `labelSmoothing`, `classWeights`, `axis`, `zLoss` as in `softmaxCrossEntropy`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` inputs.
 * @throws Error when the loss is made with `zLoss` > 0 and `fromLogits: false`: probabilities have no logits to penalise.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.categoricalCrossentropy({ fromLogits: true, zLoss: 1e-4 }) });
 * ```
 */
export function categoricalCrossentropy(options: CategoricalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.categoricalCrossentropy';
  return layersLoss(fn, categoricalCrossentropyOptions, options, ({ fromLogits, labelSmoothing, classWeights, axis, zLoss }, yTrue, yPred) =>
    categoricalCrossEntropy(labeledInputs(fn, NAMES, yTrue, yPred, { axis, classWeights, logits: fromLogits }), labelSmoothing, fromLogits, zLoss),
  );
}

/** The options of {@link sparseCategoricalCrossentropy}: `fromLogits`, and those of `sparseSoftmaxCrossEntropy` per sample. */
export const sparseCategoricalCrossentropyOptions = twinOptions(sparseSoftmaxCrossEntropyOptions, ['ignoreIndex', 'labelSmoothing', 'classWeights', 'zLoss']);

/** Options of {@link sparseCategoricalCrossentropy}. */
export type SparseCategoricalCrossentropyOptions = OptionsOf<typeof sparseCategoricalCrossentropyOptions>;

/**
 * Sparse categorical cross-entropy for class-index targets, per sample:
 * `sparseSoftmaxCrossEntropy` of `yPred` as logits or of log(yPred) as
 * probabilities. `fit` and `evaluate` accept class-index targets `[batch]` or
 * `[batch, 1]` for it, as for tfjs's own sparse loss (see
 * src/machinery/tfjs-workarounds.ts), and pass them as float32: they must hold
 * integers (checked). For accuracy, use `metrics: [tf.metrics.sparseCategoricalAccuracy]`
 * (tfjs maps `'accuracy'` to the sparse version only for its own loss).
 *
 * Unlike tfjs-layers' own version, logits are never clipped (tfjs clips them
 * to [ε, 1 − ε] as if they were probabilities, and gives 0.551 where the
 * truth is 0.005). With `zLoss` w > 0 (logits only), each sample not
 * ignored adds w·(log Σ_c exp z_c)².
 *
 * @param options - `fromLogits` (false), and `ignoreIndex`, `labelSmoothing`, `classWeights`, `zLoss` as in `sparseSoftmaxCrossEntropy`.
 * @returns `(yTrue, yPred) => Tensor`, `[batch]` for `[batch, C]` predictions.
 * @throws Error when the loss is made with `zLoss` > 0 and `fromLogits: false`: probabilities have no logits to penalise.
 * @example
 * ```ts
 * model.compile({ optimizer: 'adam', loss: layers.sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
 * ```
 */
export function sparseCategoricalCrossentropy(options: SparseCategoricalCrossentropyOptions = {}): LayersLoss {
  const fn = 'layers.sparseCategoricalCrossentropy';
  const loss = layersLoss(fn, sparseCategoricalCrossentropyOptions, options, ({ fromLogits, ignoreIndex, labelSmoothing, classWeights, zLoss }, yTrue, yPred) => {
    const indices = classIndices(fn, yTrue, yPred);
    const inputs = sparseInputs(fn, NAMES, indices, yPred, { ignoreIndex, classWeights, logits: fromLogits });
    return sparseCrossEntropy(inputs, labelSmoothing, fromLogits, zLoss).perSample;
  });
  return acceptsClassIndices(fn, loss);
}

/**
 * Targets as int32 class indices of `yPred`'s shape without its last axis.
 * `fit` hands targets over as float32, `[batch]` or `[batch, 1]`; any value
 * that is not an integer is an error (one synchronous read).
 */
function classIndices(fn: string, yTrue: Tensor, yPred: Tensor): Tensor {
  const predictions = toFloatTensor(fn, 'yPred', yPred);
  assertHasAxis(fn, 'yPred', predictions);
  const expected = predictions.shape.slice(0, -1);
  const hasUnitAxis = yTrue.rank === predictions.rank && yTrue.shape[yTrue.rank - 1] === 1;
  const shape = hasUnitAxis ? yTrue.shape.slice(0, -1) : yTrue.shape;
  if (!tf.util.arraysEqual(shape, expected)) {
    throw new Error(
      `${fn}: targets ${formatShape(yTrue.shape)} must be class indices of shape ${formatShape(expected)} ` +
        `(or ${formatShape([...expected, 1])}) for predictions ${formatShape(predictions.shape)}`,
    );
  }
  if (yTrue.dtype !== 'float32' && yTrue.dtype !== 'int32') {
    throw new Error(`${fn}: targets must be float32 or int32 class indices, got ${yTrue.dtype} ${formatShape(yTrue.shape)}`);
  }
  // Checked from the values, before any op (see toSampleWeights).
  const values = yTrue.dataSync();
  const bad = values.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) throw new Error(`${fn}: targets must be integer class indices, got ${values[bad]}`);
  return tf.tensor(values, shape, 'int32');
}

/** The options of {@link binaryCrossentropy}: `fromLogits`, and those of `sigmoidCrossEntropy` per element. */
export const binaryCrossentropyOptions = twinOptions(sigmoidCrossEntropyOptions, ['posWeight', 'labelSmoothing']);

/** Options of {@link binaryCrossentropy}. */
export type BinaryCrossentropyOptions = OptionsOf<typeof binaryCrossentropyOptions>;

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
  return layersLoss(fn, binaryCrossentropyOptions, options, ({ fromLogits, posWeight, labelSmoothing }, yTrue, yPred) => {
    const inputs = labeledInputs(fn, NAMES, yTrue, yPred, { posWeight, logits: fromLogits });
    if (inputs.predictions.rank === 0) return binaryCrossEntropy(inputs, labelSmoothing, fromLogits);
    // The mean over the last axis as the rows' sums over its length (0 over an empty axis): no [N, C] loss.
    const columns = inputs.predictions.shape[inputs.predictions.rank - 1]!;
    return tf.div(binaryCrossEntropy(inputs, labelSmoothing, fromLogits, { sumLastAxis: true }), Math.max(columns, 1));
  });
}

/** The options of {@link kullbackLeiblerDivergence}. */
export const kullbackLeiblerDivergenceOptions = twinOptions(softmaxCrossEntropyOptions, ['axis']);

/** Options of {@link kullbackLeiblerDivergence}. */
export type KullbackLeiblerDivergenceOptions = OptionsOf<typeof kullbackLeiblerDivergenceOptions>;

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
  return layersLoss(fn, kullbackLeiblerDivergenceOptions, options, ({ fromLogits, axis }, yTrue, yPred) =>
    categoricalKLDivergence(labeledInputs(fn, NAMES, yTrue, yPred, { axis, logits: fromLogits }), fromLogits),
  );
}

/** The options of {@link categoricalFocalCrossentropy}: `fromLogits`, and those of `softmaxFocalLoss` per sample. */
export const categoricalFocalCrossentropyOptions = twinOptions(softmaxFocalLossOptions, ['gamma', 'alpha', 'axis']);

/** Options of {@link categoricalFocalCrossentropy}. */
export type CategoricalFocalCrossentropyOptions = OptionsOf<typeof categoricalFocalCrossentropyOptions>;

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
  return layersLoss(fn, categoricalFocalCrossentropyOptions, options, ({ fromLogits, gamma, alpha, axis }, yTrue, yPred) =>
    softmaxFocal(labeledInputs(fn, NAMES, yTrue, yPred, { axis, logits: fromLogits }), { gamma, alpha }, fromLogits),
  );
}

/** The options of {@link binaryFocalCrossentropy}: `fromLogits`, and those of `sigmoidFocalLoss` per element. */
export const binaryFocalCrossentropyOptions = twinOptions(sigmoidFocalLossOptions, ['gamma', 'alpha']);

/** Options of {@link binaryFocalCrossentropy}. */
export type BinaryFocalCrossentropyOptions = OptionsOf<typeof binaryFocalCrossentropyOptions>;

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
  return layersLoss(fn, binaryFocalCrossentropyOptions, options, ({ fromLogits, gamma, alpha }, yTrue, yPred) =>
    meanOverLastAxis(sigmoidFocal(labeledInputs(fn, NAMES, yTrue, yPred, { logits: fromLogits }), { gamma, alpha }, fromLogits)),
  );
}
