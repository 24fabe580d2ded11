/**
 * Input conversion and validation at the public boundary.
 *
 * Every check throws an `Error` whose message starts with the public
 * function's name and names the argument and the offending shape or value,
 * so a user can see at once which call went wrong:
 * `crossEntropy: p [2,3] and q [3,3] must have the same shape`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, TensorLike } from '@tensorflow/tfjs-core';

/** A tensor, or what `tf.tensor` takes: a nested array of numbers, a typed array, a number. */
export type TensorInput = Tensor | TensorLike;

/** The coordinates of the `flat`-th entry (row-major) of a tensor of `shape`. */
export function coordinatesOf(flat: number, shape: readonly number[]): number[] {
  return tf.util.indexToLoc(flat, shape.length, tf.util.computeStrides([...shape]));
}

/** Formats a shape the way tfjs prints it: `[2,3]`, `[]` for a scalar. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * Returns `x` as a float32 tensor, converting a `TensorLike` (nested arrays,
 * typed arrays, numbers) to float32. A tensor of another dtype is rejected
 * rather than cast, so an int32 label tensor passed where probabilities are
 * expected is reported, not silently reinterpreted.
 *
 * Call it inside `tf.tidy`: a converted `TensorLike` is a new tensor.
 */
export function toFloatTensor(fn: string, arg: string, x: TensorInput): Tensor {
  if (x instanceof tf.Tensor && x.dtype !== 'float32') {
    throw new Error(`${fn}: ${arg} must be a float32 tensor, got ${x.dtype} ${formatShape(x.shape)}`);
  }
  return toTensor(fn, arg, x, 'float32');
}

/**
 * Returns `x` as a tensor: a tensor as it is, an array converted (to `dtype`,
 * or with tfjs's inference: float32 for numbers) after checking that it is a
 * rectangular array of numbers.
 */
export function toTensor(fn: string, arg: string, x: TensorInput, dtype?: 'float32'): Tensor {
  if (x instanceof tf.Tensor) return x;
  if (x == null) {
    throw new Error(`${fn}: ${arg} is required, got ${String(x)}`);
  }
  return tf.tensor(x, rectangularShape(fn, arg, x), dtype);
}

/**
 * The shape of a nested array of numbers (or a typed array, or a number).
 * tfjs's own `tf.tensor` accepts ragged arrays and strings and makes a tensor
 * with the wrong size or NaN entries from them; this throws instead.
 */
function rectangularShape(fn: string, arg: string, x: unknown): number[] {
  if (typeof x === 'number') return [];
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return [(x as unknown as ArrayLike<number>).length];
  if (!Array.isArray(x)) {
    throw new Error(`${fn}: ${arg} must be a tensor or an array of numbers, got ${describeValue(x)}`);
  }
  const shapes = x.map((item: unknown) => rectangularShape(fn, arg, item));
  const first = shapes[0] ?? [];
  if (shapes.some((shape) => !tf.util.arraysEqual(shape, first))) {
    throw new Error(`${fn}: ${arg} is a ragged array (rows of different lengths); expected a rectangular array`);
  }
  return [x.length, ...first];
}

function describeValue(x: unknown): string {
  return typeof x === 'string' ? `the string ${JSON.stringify(x.slice(0, 20))}` : `a ${typeof x} (${String(x)})`;
}

/** Throws unless `x` has rank ≥ 1, i.e. holds at least one axis of distributions. */
export function assertHasAxis(fn: string, arg: string, x: Tensor): void {
  if (x.rank === 0) {
    throw new Error(`${fn}: ${arg} must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])`);
  }
}

/** Throws unless `a` and `b` have exactly the same shape. */
function assertSameShape(fn: string, aName: string, a: Tensor, bName: string, b: Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(
      `${fn}: ${aName} ${formatShape(a.shape)} and ${bName} ${formatShape(b.shape)} must have the same shape`,
    );
  }
}

/**
 * `inputs` as float32 tensors of one shape, named `names` in messages; the
 * first of rank ≥ 1 (an axis of distributions or events) unless `scalars`.
 * Runs no op but the conversion of arrays.
 */
export function sameShapeFloats(fn: string, names: readonly string[], inputs: readonly TensorInput[], { scalars = false } = {}): Tensor[] {
  const tensors = inputs.map((x, i) => toFloatTensor(fn, names[i]!, x));
  const first = tensors[0]!;
  if (!scalars) assertHasAxis(fn, names[0]!, first);
  tensors.slice(1).forEach((t, i) => assertSameShape(fn, names[0]!, first, names[i + 1]!, t));
  return tensors;
}

/**
 * Resolves a possibly negative `axis` against `x`'s rank (`-1` is the last
 * axis, as in NumPy) and returns it as a non-negative index.
 */
export function resolveAxis(fn: string, arg: string, x: Tensor, axis: number): number {
  const rank = x.rank;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(
      `${fn}: axis ${String(axis)} is out of range for ${arg} of rank ${rank} (shape ${formatShape(x.shape)}); ` +
        `expected an integer in [${-rank}, ${rank})`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

// ---------------------------------------------------------------------------
// Checks of option values (see options.ts): each returns the value or throws
// `${fn}: ${name} must be …, got …`.

/** A finite number > 0 and ≠ 1: a logarithm's base. */
export function logBase(fn: string, name: string, base: number): number {
  if (typeof base !== 'number' || !Number.isFinite(base) || base <= 0 || base === 1) {
    throw new Error(`${fn}: ${name} must be a finite number > 0 and ≠ 1, got ${String(base)}`);
  }
  return base;
}

/** An integer. */
export function integer(fn: string, name: string, value: number): number {
  if (!Number.isInteger(value)) {
    throw new Error(`${fn}: ${name} must be an integer, got ${String(value)}`);
  }
  return value;
}

/** An integer ≥ 1: a count. */
export function positiveInteger(fn: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${fn}: ${name} must be a positive integer, got ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return value;
}

/** A boolean. */
export function boolean(fn: string, name: string, value: boolean): boolean {
  if (typeof value !== 'boolean') {
    throw new Error(`${fn}: ${name} must be a boolean, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A check that `value` is one of `choices`. */
export function oneOf<const T extends string>(choices: readonly T[]) {
  return (fn: string, name: string, value: T): T => {
    if (!choices.includes(value)) {
      throw new Error(`${fn}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${JSON.stringify(value)}`);
    }
    return value;
  };
}

/** A finite number in [min, max] (either bound may be infinite). */
export function numberInRange(fn: string, name: string, value: number, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Infinity ? `≥ ${min}` : min === -Infinity ? `≤ ${max}` : `in [${min}, ${max}]`;
    throw new Error(`${fn}: ${name} must be a finite number ${range}, got ${String(value)}`);
  }
  return value;
}

/** A check that the value is a finite number in [min, max]. */
export const inRange =
  (min: number, max: number) =>
  (fn: string, name: string, value: number): number =>
    numberInRange(fn, name, value, min, max);

/** A finite number > 0. */
export function positiveNumber(fn: string, name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`${fn}: ${name} must be a finite number > 0, got ${String(value)}`);
  }
  return value;
}

/**
 * Returns `x` as an int32 tensor of class indices. A float tensor is
 * rejected (class indices must be integers: cast with `tf.cast(x, 'int32')`
 * once you know they are); an array must hold integers.
 *
 * Call it inside `tf.tidy`: a converted `TensorLike` is a new tensor.
 */
export function toIndexTensor(fn: string, arg: string, x: TensorInput): Tensor {
  if (x instanceof tf.Tensor) {
    if (x.dtype !== 'int32') {
      throw new Error(`${fn}: ${arg} must be an int32 tensor of class indices, got ${x.dtype} ${formatShape(x.shape)}`);
    }
    return x;
  }
  if (x == null) {
    throw new Error(`${fn}: ${arg} is required, got ${String(x)}`);
  }
  const shape = rectangularShape(fn, arg, x);
  const values = tf.util.flatten(x as number[]);
  const bad = values.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) {
    throw new Error(`${fn}: ${arg} must hold integer class indices, got ${String(values[bad])}`);
  }
  return tf.tensor(values, shape, 'int32');
}

/**
 * Throws unless `x` broadcasts to exactly `shape` (the shape of what it
 * multiplies): broadcasting must not grow the result.
 */
export function assertBroadcastsTo(fn: string, arg: string, x: Tensor, shape: readonly number[], target: string): void {
  const rankOffset = shape.length - x.rank;
  const fits = rankOffset >= 0 && x.shape.every((size, i) => size === 1 || size === shape[i + rankOffset]);
  if (!fits) {
    throw new Error(`${fn}: ${arg} ${formatShape(x.shape)} does not broadcast to ${target} ${formatShape(shape)}`);
  }
}

/**
 * Dense labels for a loss on `logits`: float32 of the logits' shape. int32
 * and bool labels (one-hot, as `tf.oneHot` returns, or 0/1 targets) are cast
 * to float32; they take no gradient. `names` are the two arguments' names in
 * messages (`['yTrue', 'yPred']` in the tfjs-layers adapters).
 *
 * Call it inside `tf.tidy`.
 */
export function toLabelsLike(fn: string, labels: TensorInput, logits: Tensor, names: readonly [string, string] = ['labels', 'logits']): Tensor {
  const [labelsName, logitsName] = names;
  const integers = labels instanceof tf.Tensor && (labels.dtype === 'int32' || labels.dtype === 'bool');
  const y = integers ? labels : toFloatTensor(fn, labelsName, labels);
  assertSameShape(fn, labelsName, y, logitsName, logits);
  return integers ? tf.cast(y, 'float32') : y;
}

/**
 * Validated class weights: a float32 `[C]` tensor, or undefined. Runs no op.
 */
export function toClassWeights(fn: string, classWeights: TensorInput | undefined, classes: number): Tensor | undefined {
  if (classWeights === undefined) return undefined;
  const weights = toFloatTensor(fn, 'classWeights', classWeights);
  if (weights.rank !== 1 || weights.shape[0] !== classes) {
    throw new Error(`${fn}: classWeights ${formatShape(weights.shape)} must have one entry per class ([${classes}])`);
  }
  return weights;
}

/**
 * Converts and checks sample weights against the unreduced loss's shape,
 * before any op runs: a check that throws after recorded ops would leave the
 * tensors tfjs saved for their gradients behind.
 *
 * Call it inside `tf.tidy`.
 */
export function toSampleWeights(fn: string, weights: TensorInput | undefined, lossShape: readonly number[]): Tensor | undefined {
  if (weights === undefined) return undefined;
  const w = toFloatTensor(fn, 'weights', weights);
  assertBroadcastsTo(fn, 'weights', w, lossShape, 'the unreduced loss');
  return w;
}

/** Targets and predictions of one shape, checked by {@link labeledInputs}. */
export interface LabeledInputs {
  /** float32, the predictions' shape. */
  readonly labels: Tensor;
  /** float32 logits or probabilities. */
  readonly predictions: Tensor;
  /** The class axis, non-negative; −1 for an elementwise loss. */
  readonly axis: number;
  /** float32 `[C]` class weights, if given. */
  readonly classWeights?: Tensor | undefined;
  /** float32, broadcasting to the predictions, if given. */
  readonly posWeight?: Tensor | undefined;
  /** float32 sample weights, broadcasting against the unreduced loss, if given. */
  readonly sampleWeights?: Tensor | undefined;
}

/**
 * Checks targets against predictions, every check before the first op:
 * float32 predictions; with a class `axis` (else the loss is elementwise),
 * rank ≥ 1, the axis in range, for logits at least one class (a softmax over
 * nothing is undefined) and `[C]` class weights; a `posWeight` broadcasting
 * to the predictions; sample weights broadcasting against the unreduced loss;
 * then targets of the predictions' shape, int32 and bool cast to float32 (the
 * only op). `names` name the two in messages (`['labels', 'logits']`, or
 * `['yTrue', 'yPred']` in the tfjs-layers adapters).
 *
 * Call it inside `tf.tidy`.
 */
export function labeledInputs(
  fn: string,
  [labelsName, predictionsName]: readonly [string, string],
  labels: TensorInput,
  predictions: TensorInput,
  options: { axis?: number; classWeights?: TensorInput | undefined; posWeight?: TensorInput | undefined; weights?: TensorInput | undefined; logits: boolean },
): LabeledInputs {
  const z = toFloatTensor(fn, predictionsName, predictions);
  if (options.axis !== undefined) assertHasAxis(fn, predictionsName, z);
  const axis = options.axis === undefined ? -1 : resolveAxis(fn, predictionsName, z, options.axis);
  if (options.axis !== undefined && options.logits) assertHasClasses(fn, z, axis);
  const posWeight = options.posWeight === undefined ? undefined : toFloatTensor(fn, 'posWeight', options.posWeight);
  if (posWeight !== undefined) assertBroadcastsTo(fn, 'posWeight', posWeight, z.shape, predictionsName);
  const checked = {
    predictions: z,
    axis,
    classWeights: toClassWeights(fn, options.classWeights, z.shape[axis] as number),
    posWeight,
    sampleWeights: toSampleWeights(fn, options.weights, options.axis === undefined ? z.shape : z.shape.filter((_, i) => i !== axis)),
  };
  return { ...checked, labels: toLabelsLike(fn, labels, z, [labelsName, predictionsName]) };
}

/** Throws unless `logits` has at least one class along `axis` (a softmax over nothing is undefined). */
export function assertHasClasses(fn: string, logits: Tensor, axis: number): void {
  if (logits.shape[axis] === 0) {
    throw new Error(`${fn}: logits ${formatShape(logits.shape)} have no classes along axis ${axis}`);
  }
}

/**
 * Throws a RangeError naming the first class index outside [0, classes) that
 * is not `ignoreIndex`, and its position. Reads the labels back (one sync read).
 */
export function assertLabelsInRange(fn: string, labels: Tensor, classes: number, ignoreIndex: number | undefined): void {
  const values = labels.dataSync();
  const bad = values.findIndex((v) => (v < 0 || v >= classes) && v !== ignoreIndex);
  if (bad >= 0) {
    throw new RangeError(`${fn}: label ${values[bad]} at ${formatShape(coordinatesOf(bad, labels.shape))} is outside [0, ${classes})`);
  }
}
