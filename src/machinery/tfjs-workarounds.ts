/**
 * Every workaround for a defect of tfjs 4.22, in one place.
 *
 * Each export names the defect it works around, and a test pins that defect
 * on tfjs itself (test/machinery/tfjs-workarounds.test.ts in Node,
 * test/browser/webgl.test.ts for webgl): when an upgrade of tfjs fixes one,
 * its pinned test fails, and the workaround here can go.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { LayersModel, input as tfInput, model as tfModel, layers as tfLayers, version_layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { applyKernel, type LossKernel } from './kernel.js';

/**
 * `tf.sum` that is exactly 0 over an empty axis on every backend.
 *
 * Defect: tfjs-backend-wasm returns uninitialised memory (tiny garbage such as
 * 3.6e-41) for a sum over zero elements (`tf.sum(tf.zeros([0]))`), so an empty
 * batch or an empty class axis would give nonsense there.
 */
export function safeSum(x: Tensor, axis?: number): Tensor {
  if (x.size > 0) return tf.sum(x, axis);
  // Append one zero along the summed axis: the same sum, never over zero
  // elements, and still computed from x so that gradients reach it.
  if (axis === undefined) return tf.sum(tf.concat([tf.reshape(x, [0]), tf.zeros([1])]));
  const summed = axis < 0 ? axis + x.rank : axis;
  const zeroSlice = x.shape.map((size, i) => (i === summed ? 1 : size));
  return tf.sum(tf.concat([x, tf.zeros(zeroSlice)], summed), summed);
}

/**
 * Sums `g` (of a broadcast shape) back to `shape`: over the leading axes
 * `shape` lacks, and over each axis where `shape` has size 1 and `g` does not.
 */
function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  let summed = g;
  for (let axis = g.rank - 1; axis >= 0; axis--) {
    const target = axis - (g.rank - shape.length);
    if (target < 0 || (shape[target] === 1 && g.shape[axis] !== 1)) summed = tf.expandDims(safeSum(summed, axis), axis);
  }
  return tf.reshape(summed, [...shape]);
}

/** x → x broadcast to `shape`; ∂/∂x sums dy back to x's shape. */
const broadcastKernel: LossKernel<[Tensor], readonly number[]> = {
  forward([x], shape) {
    return tf.add(x, tf.zeros([...shape]));
  },
  backward(dy, [x]) {
    return [sumToShape(dy, x.shape)];
  },
};

/**
 * `x` broadcast to `shape` (numpy rules, which the caller has checked with
 * `assertBroadcastsTo`), differentiable with respect to `x` for every shape.
 * Use it to bring weights to the shape of what they multiply, so the
 * multiply itself never broadcasts.
 *
 * Defects: `tf.broadcastTo` returns the wrong shape for a target with a 0
 * dimension (`[1, 3]` to `[0, 3]` gives `[1, 3]`), and the registered
 * gradients of `mul`/`add` do not sum a size-1 axis broadcast to size 0, so
 * `tf.grads` throws ("the gradient of input 'b' has shape '0,1', which does
 * not match the shape of the input '1,1'"). Class weights `[1, C]` against
 * an empty batch `[0, C]` hit both.
 *
 * @example
 * ```ts
 * tf.mul(targets, broadcastTo(classWeights, targets.shape)); // targets [batch, C], batch may be 0
 * ```
 */
export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  if (tf.util.arraysEqual(x.shape, shape as number[])) return x;
  return applyKernel(broadcastKernel, [x], shape);
}

/**
 * A boolean mask that autodiff takes as a constant: `predicate(...inputs)`
 * computed off the gradient tape, as tfjs computes the body of a kernel,
 * so no gradient path leads through it.
 *
 * Defect: tfjs 4.22 registers no gradient for `Equal`, `NotEqual`, `Less`,
 * `Greater`, `LogicalAnd`, `LogicalNot` and co., so a mask built from a
 * differentiated tensor makes `tf.grad` throw wherever it is recorded: in a
 * composite forward, and in every backward pass whose gradient is
 * differentiated again (`tf.grad` of a gradient), `Select`'s own gradient
 * included (it negates its condition). A mask selects; it carries no gradient.
 *
 * @example
 * ```ts
 * const zeros = constantMask((w) => tf.equal(w, 0), weights);
 * tf.where(zeros, tf.zerosLike(product), product);
 * ```
 */
export function constantMask(predicate: (...xs: Tensor[]) => Tensor, ...inputs: Tensor[]): Tensor {
  // The engine records an op only at kernel depth 0: inside a kernel's body, ops are not on the tape.
  const { state } = tf.engine();
  state.kernelDepth++;
  try {
    return predicate(...inputs);
  } finally {
    state.kernelDepth--;
  }
}

/**
 * `result` of a tfjs op on `x`, but NaN where x is NaN: for `relu(x)` and
 * `maximum(a, x)`, which must not hide a NaN.
 *
 * Defect: tfjs-backend-wasm's `relu` gives 0 for a NaN with its sign bit set
 * (`tf.relu(tf.neg(NaN))`, as a NaN logit becomes once negated), and its
 * `maximum(a, NaN)` is a (it returns its first argument when the comparison fails).
 */
export function keepNaN(x: Tensor, result: Tensor): Tensor {
  return tf.where(tf.isNaN(x), x, result);
}

// ---------------------------------------------------------------------------
// Logarithms and exponentials, exact on every backend. Each is tfjs's own op
// where the backend computes it exactly (probed once per backend), and a
// formula from exact pieces elsewhere, so cpu pays nothing for another
// backend's defect.

const exactOps = new WeakMap<object, Map<string, boolean>>();

/**
 * Whether the current backend's `op` gives float64's `exact` value at `x`,
 * probed once per backend (`tf.fill` makes a GPU texture on webgl, so the op
 * runs its shader; one sync read). False where the backend cannot read a
 * result back synchronously (webgpu's GPU-resident tensors): the formula
 * paths below are right everywhere.
 */
function isExact(name: string, op: (x: Tensor) => Tensor, x: number, exact: number): boolean {
  const backend = tf.backend();
  const known = exactOps.get(backend) ?? new Map<string, boolean>();
  exactOps.set(backend, known);
  if (!known.has(name)) {
    let result = false;
    try {
      result = tf.tidy(() => op(tf.fill([1], x)).dataSync()[0] === Math.fround(exact));
    } catch {
      result = false;
    }
    known.set(name, result);
  }
  return known.get(name)!;
}

/**
 * log x, −∞ at 0.
 *
 * Defect: tfjs-backend-webgl's `log(0)` is −88.03 on SwiftShader (GLSL
 * leaves it undefined), so a probability of 0 under a log gave a finite
 * loss. Where textures cannot hold −∞ at all (float16: it reads back as
 * NaN), tfjs's finite log(0) is kept: 0·log 0 is then still 0.
 */
export function log(x: Tensor): Tensor {
  if (isExact('log(0)', tf.log, 0, -Infinity) || !isExact('holds −∞', tf.neg, Infinity, -Infinity)) return tf.log(x);
  return tf.where(constantMask((y) => tf.equal(y, 0), x), tf.fill(x.shape, -Infinity), tf.log(x));
}

/**
 * log(1 + x), accurate for every x on every backend: where the backend's
 * own is not, x itself for |x| < 2⁻²⁴, for |x| < ½ the series of
 * 2·atanh(s), s = x/(2 + x), to s¹⁷ (|s| ≤ ⅓; the next term is below
 * float32's precision), and elsewhere
 * log(u)·x/(u − 1) with u = 1 + x rounded, where x/(u − 1) undoes the
 * rounding of 1 + x (Goldberg 1991, theorem 4); x itself where u = ∞.
 *
 * Defects: tfjs-backend-wasm computes `log1p` in float32 as log(1 + x): it
 * returns 0 for 2e-9 and is 4.6 % off at 1e-6; so does tfjs-backend-webgl,
 * whose `log` is also inaccurate near 1 (39 % off at 1 − 2⁻²⁴), which the
 * series keeps clear of.
 */
export function log1p(x: Tensor): Tensor {
  if (isExact('log1p', tf.log1p, 2e-9, Math.log1p(Math.fround(2e-9)))) return tf.log1p(x);
  const s = tf.div(x, tf.add(x, 2));
  const s2 = tf.square(s);
  let sum = tf.scalar(1 / 17);
  for (let k = 15; k >= 1; k -= 2) sum = tf.add(1 / k, tf.mul(s2, sum));
  const u = tf.add(x, 1);
  const large = tf.where(constantMask((y) => tf.equal(y, Infinity), u), x, tf.mul(log(u), tf.div(x, tf.sub(u, 1))));
  // Below 2⁻²⁴, log1p(x) = x in float32 (and x/(2 + x) would lose a subnormal x).
  const small = tf.where(constantMask((y) => tf.less(tf.abs(y), 2 ** -24), x), x, tf.mul(2, tf.mul(s, sum)));
  return tf.where(constantMask((y) => tf.less(tf.abs(y), 0.5), x), small, large);
}

/**
 * eˣ − 1, accurate for every x on every backend: where the backend's own is
 * not, its Taylor series to x⁹/9! for |x| < ½ (the next term is below
 * float32's precision) and eˣ − 1 elsewhere (where it cancels at most 2 bits).
 *
 * Defect: tfjs-backend-webgl computes `expm1` as exp(x) − 1: 4.6 % off at
 * 1e-6, 0 for 1e-9.
 */
export function expm1(x: Tensor): Tensor {
  if (isExact('expm1', tf.expm1, 1e-6, Math.expm1(Math.fround(1e-6)))) return tf.expm1(x);
  let series = tf.add(1, tf.div(x, 9));
  for (let n = 8; n >= 2; n--) series = tf.add(1, tf.mul(tf.div(x, n), series));
  return tf.where(constantMask((y) => tf.less(tf.abs(y), 0.5), x), tf.mul(x, series), tf.sub(tf.exp(x), 1));
}

/**
 * One-hot float32 rows of `depth` classes for int32 `indices` (any shape):
 * an index outside [0, depth) gives a row of zeros.
 *
 * Defect: `tf.oneHot` rejects a depth of 1 ("depth must be >=2"), which a
 * one-class problem (and the fuzz) has.
 */
export function oneHot(indices: Tensor, depth: number): Tensor {
  return tf.cast(tf.equal(tf.expandDims(indices, -1), tf.range(0, depth, 1, 'int32')), 'float32');
}

/** Which axis of a `[V, D]` (0) or `[D, V]` (1) matrix the indices pick, and V. */
interface LabelledAxis {
  readonly axis: 0 | 1;
  readonly size: number;
}

/** m's slices `index` along `axis`, as rows `[N, D]`; ∂/∂m adds dy's rows back into them. */
const gatherKernel: LossKernel<[Tensor, Tensor], LabelledAxis> = {
  forward([m, index], { axis }) {
    // [D, V] gives its columns [D, N]: transposed, a small [N, D].
    return axis === 0 ? tf.gather(m, index) : tf.transpose(tf.gather(m, index, 1));
  },
  backward(dy, [, index], attrs) {
    return [scatterAddRows(dy, index, attrs), tf.zerosLike(index)];
  },
};

/** The rows `[N, D]` added into the slices `index` along `axis` of a zero `[V, D]` (or `[D, V]`); ∂/∂rows gathers dy's slices. */
const scatterAddKernel: LossKernel<[Tensor, Tensor], LabelledAxis> = {
  forward([rows, index], { axis, size }) {
    // tf.scatterND adds the rows of repeated indices, on every backend.
    const added = tf.scatterND(tf.expandDims(index, 1), rows, [size, rows.shape[1]!]);
    return axis === 0 ? added : tf.transpose(added);
  },
  backward(dy, [, index], attrs) {
    return [gatherRows(dy, index, attrs), tf.zerosLike(index)];
  },
};

/**
 * The rows `index` (int32 `[N]`, each in [0, V)) of `m` `[V, D]` (`axis` 0),
 * or its columns as rows when `m` is `[D, V]` (`axis` 1): `[N, D]`.
 * Differentiable with respect to `m` to any order, on every backend; its
 * gradient is {@link scatterAddRows}.
 *
 * Defect: tfjs-backend-wasm registers no `UnsortedSegmentSum`, the kernel
 * of `tf.gather`'s registered gradient (and of `tf.unsortedSegmentSum`):
 * `tf.grad` through a gather throws there ("Kernel 'UnsortedSegmentSum'
 * not registered for backend 'wasm'"). `tf.scatterND`, which every backend
 * has, adds instead.
 */
export function gatherRows(m: Tensor, index: Tensor, { axis, size }: LabelledAxis): Tensor {
  return applyKernel(gatherKernel, [m, index], { axis, size });
}

/**
 * Σ of the `rows` `[N, D]` with the same index, at that index: a `[V, D]`
 * (`axis` 0) or `[D, V]` (`axis` 1, each sum a column) of zeros elsewhere,
 * V = `size`; int32 `index` `[N]` in [0, V). Differentiable with respect to
 * `rows` to any order, on every backend; its gradient is {@link gatherRows}.
 * Same defect as {@link gatherRows}: `tf.unsortedSegmentSum` is missing on wasm.
 */
export function scatterAddRows(rows: Tensor, index: Tensor, { axis, size }: LabelledAxis): Tensor {
  return applyKernel(scatterAddKernel, [rows, index], { axis, size });
}

// ---------------------------------------------------------------------------
// tfjs-layers: class-index targets for our sparse loss in `fit`.

type LossFunction = (...args: never[]) => unknown;
type Standardize = (this: LayersModel, ...args: unknown[]) => unknown;

// Shared through globalThis, so that an ES-module copy and a CommonJS copy of
// this package loaded in one process see each other's losses.
const REGISTRY = Symbol.for('tfjs-entropy.sparseTargetLosses');
const globalRegistry = globalThis as unknown as Record<symbol, WeakSet<LossFunction> | undefined>;
const sparseTargetLosses = (globalRegistry[REGISTRY] ??= new WeakSet<LossFunction>());
const INSTALLED = Symbol.for('tfjs-entropy.sparseTargets');
const PATCHED_METHOD = 'standardizeUserDataXY';

/**
 * Marks `loss` as taking class-index targets, and makes sure `fit` and
 * `evaluate` accept them for it; `fn` names the loss in the error thrown
 * when this tfjs-layers cannot be patched.
 *
 * Defect: tfjs-layers checks every target against its output's shape
 * (`[batch, C]`), except for an output whose loss *is* its own
 * `sparseCategoricalCrossentropy` (an identity check), which gets
 * `[batch, 1]`; so a function loss can never receive class indices from
 * `fit`. The workaround wraps the private method
 * `LayersModel.prototype.standardizeUserDataXY` once: for outputs whose loss
 * is one marked here, the shape check sees tfjs's own sparse loss; the loss
 * that runs is still ours. Models without such a loss are untouched.
 */
export function acceptsClassIndices<F extends LossFunction>(fn: string, loss: F): F {
  installSparseTargetShapes(fn, LayersModel.prototype as unknown as Record<PropertyKey, unknown>);
  sparseTargetLosses.add(loss);
  return loss;
}

/** Wraps `prototype.standardizeUserDataXY` once; throws, naming the tfjs-layers version, where it is missing. */
export function installSparseTargetShapes(fn: string, prototype: Record<PropertyKey, unknown>): void {
  if (prototype[INSTALLED]) return;
  const original = prototype[PATCHED_METHOD];
  if (typeof original !== 'function') {
    throw new Error(
      `${fn}: tfjs-layers ${version_layers} has no LayersModel.prototype.${PATCHED_METHOD}, through which ` +
        'fit accepts class-index targets for this loss (it was written against tfjs-layers 4.22); ' +
        'use layers.categoricalCrossentropy with one-hot targets instead',
    );
  }
  prototype[PATCHED_METHOD] = function (this: LayersModel, ...args: unknown[]) {
    const feedLossFns = (this as unknown as { feedLossFns: LossFunction[] }).feedLossFns;
    const ours = feedLossFns.flatMap((loss, i) => (sparseTargetLosses.has(loss) ? [i] : []));
    if (ours.length === 0) return (original as Standardize).apply(this, args);
    const saved = feedLossFns.slice();
    for (const i of ours) feedLossFns[i] = tfjsSparseCategoricalCrossentropy();
    try {
      return (original as Standardize).apply(this, args);
    } finally {
      saved.forEach((loss, i) => (feedLossFns[i] = loss));
    }
  };
  prototype[INSTALLED] = true;
}

let tfjsSparseLoss: LossFunction | undefined;

/** tfjs's own sparse loss function object, found through a throwaway model compiled with its name. */
function tfjsSparseCategoricalCrossentropy(): LossFunction {
  if (tfjsSparseLoss === undefined) {
    // Named, so that the probe takes no auto-generated layer names from the user's models.
    const input = tfInput({ shape: [1], name: 'tfjs_entropy_probe_input' });
    const output = tfLayers.dense({ units: 2, name: 'tfjs_entropy_probe_dense' }).apply(input) as SymbolicTensor;
    const probe = tfModel({ inputs: input, outputs: output, name: 'tfjs_entropy_probe' });
    // The optimizer holds a tensor of its own (its learning rate): disposed with the probe.
    const optimizer = tf.train.sgd(0);
    probe.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
    tfjsSparseLoss = probe.lossFunctions[0] as LossFunction;
    probe.dispose();
    optimizer.dispose();
  }
  return tfjsSparseLoss;
}
