/**
 * linearCrossEntropy (losses/linear-cross-entropy.ts):
 * - against its float64 reference, F.cross_entropy(hidden @ W + b, labels, …)
 *   plus T5X's z-loss (test/support/linear-reference.ts): values and the
 *   gradients of hidden, weight and bias, over random shapes, chunk sizes
 *   that do and do not divide N, both weight layouts, bias, ignored labels,
 *   label smoothing, z-loss and every reduction;
 * - against sparseSoftmaxCrossEntropy of the materialised logits, values and
 *   every gradient, over the same options; every row ignored;
 * - finite differences (checkGradients), shown to fail plausible wrong
 *   gradients; Hessian-vector products against float64 finite differences
 *   of the hand-written float64 gradient (itself checked first);
 * - properties (fast-check, fixed seed); the [N, V] logits never allocated;
 * - bad input (pinned messages) and no tensor left behind: by a call, under
 *   tf.grad, under a gradient of a gradient, and by a throw; extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkGradients, linearCrossEntropy, sparseSoftmaxCrossEntropy, type LinearCrossEntropyOptions } from '../../src/index.js';
import { flatOf, reductions } from '../support/arbitraries.js';
import { numericGradient64, type Reduction } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { linearCrossEntropy64, linearCrossEntropyGradient64, type LinearOptions64, type LinearShape } from '../support/linear-reference.js';
import { testThrowsCleanly } from '../support/loss-tests.js';
import { take, tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';
import { safeSum } from '../../src/machinery/tfjs-workarounds.js';

interface Problem {
  readonly shape: LinearShape;
  readonly hidden: number[];
  readonly weight: number[];
  readonly bias: number[] | undefined;
  readonly labels: number[];
  readonly ignoreIndex: number | undefined;
  readonly transposeWeight: boolean;
  readonly chunkSize: number | undefined;
  readonly labelSmoothing: number;
  readonly zLoss: number;
  readonly reduction: Reduction;
}

/**
 * A random problem: N rows (0 included) of D features, V classes, the
 * inputs (hidden in [−2, 2], W in [−1.5, 1.5], b in [−2, 2]), labels (−1
 * among them, ignored or, if not, read as class 0) and options.
 */
const problems = fc
  .record({ rows: fc.integer({ min: 0, max: 7 }), features: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 6 }) })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      hidden: flatOf(shape.rows * shape.features, -2, 2),
      weight: flatOf(shape.features * shape.classes, -1.5, 1.5),
      bias: fc.option(flatOf(shape.classes, -2, 2), { nil: undefined }),
      labels: fc.array(fc.integer({ min: -1, max: shape.classes - 1 }), { minLength: shape.rows, maxLength: shape.rows }),
      ignoreIndex: fc.constantFrom(undefined, -1, 0),
      transposeWeight: fc.boolean(),
      // 1, 2 and 3 leave a partial last chunk for most N; 7 takes every N in one chunk.
      chunkSize: fc.constantFrom(undefined, 1, 2, 3, 7),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
      zLoss: fc.constantFrom(0, 0.01, 0.3),
      reduction: reductions,
    }),
  )
  .map((p): Problem => ({ ...p, labels: p.labels.map((y) => (y === -1 && p.ignoreIndex !== -1 ? 0 : y)) }));

const weightShape = ({ shape, transposeWeight }: Problem) => (transposeWeight ? [shape.classes, shape.features] : [shape.features, shape.classes]);

/** The options of a problem, for our function and for the float64 reference. */
const optionsOf = (p: Problem) => ({
  transposeWeight: p.transposeWeight,
  labelSmoothing: p.labelSmoothing,
  zLoss: p.zLoss,
  reduction: p.reduction,
  ...(p.ignoreIndex !== undefined && { ignoreIndex: p.ignoreIndex }),
});

/**
 * The float32 scale of a problem's results: a row's loss is of size
 * (1 + 2·max|z| + log V)·(1 + 2w·(max|z| + log V)), each gradient entry
 * that times max|h|, max|W| or 1, summed over N rows for `'sum'`.
 */
function scaleOf(p: Problem): number {
  const { rows, features, classes } = p.shape;
  const maxZ = 2 * 1.5 * features + 2;
  const perRow = (1 + 2 * maxZ + Math.log(classes)) * (1 + 2 * p.zLoss * (maxZ + Math.log(classes)));
  return perRow * 2 * (p.reduction === 'sum' ? Math.max(rows, 1) : 1);
}
const termsOf = ({ shape }: Problem) => shape.rows + shape.features + shape.classes;

/** Runs linearCrossEntropy on a problem's labels with the inputs given (hidden, weight, bias if the problem has one). */
const oursOn = (p: Problem, labels: tf.Tensor, extra: LinearCrossEntropyOptions = {}) => (h: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) =>
  linearCrossEntropy(h, w, labels, { ...optionsOf(p), ...(p.chunkSize !== undefined && { chunkSize: p.chunkSize }), ...(b !== undefined && { bias: b }), ...extra });

describe('float64 reference: F.cross_entropy(hidden @ W + b, labels, ignore_index, label_smoothing) + T5X z-loss', () => {
  it.prop([problems])('values and gradients with respect to hidden, weight and bias', (p) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const inputs = [
      { values: p.hidden, shape: [p.shape.rows, p.shape.features] },
      { values: p.weight, shape: weightShape(p) },
      ...(p.bias ? [{ values: p.bias, shape: [p.shape.classes] }] : []),
    ];
    compareWithReference(
      (h, w, b) => oursOn(p, labels)(h!, w!, b),
      (h, w, b) => linearCrossEntropy64(h!, w!, b, p.labels, p.shape, optionsOf(p)),
      inputs,
      scaleOf(p),
      termsOf(p),
    );
    labels.dispose();
  });

  test('a hand-computed value: logits [[2, 0, −1], [0, 1, 1], [2, 1, 0]], labels [0, 1, 0]', () => {
    // Rows: log(e² + 1 + e⁻¹) − 2, log(1 + 2e) − 1, log(e² + e + 1) − 2.
    const rows = [Math.log(Math.exp(2) + 1 + Math.exp(-1)) - 2, Math.log(1 + 2 * Math.E) - 1, Math.log(Math.exp(2) + Math.E + 1) - 2];
    const value = take(linearCrossEntropy([[1, 0], [0, 1], [1, 1]], [[2, 0, -1], [0, 1, 1]], [0, 1, 0]));
    expectWithinFloat32(value, [(rows[0]! + rows[1]! + rows[2]!) / 3], { scale: 8, terms: 6 });
    expect(value[0]).toBeCloseTo(0.4798, 4);
  });
});

/** sparseSoftmaxCrossEntropy of the materialised logits h·W + b, with the z-loss w·lse² of each row not ignored added, reduced as linearCrossEntropy. */
function materialised(p: Problem, labels: tf.Tensor) {
  return (h: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => {
    const product = tf.matMul(h, w, false, p.transposeWeight);
    const logits = b === undefined ? product : tf.add(product, b);
    const options = { labelSmoothing: p.labelSmoothing, ...(p.ignoreIndex !== undefined && { ignoreIndex: p.ignoreIndex }) };
    const kept = p.labels.map((y) => (y === p.ignoreIndex ? 0 : 1));
    const zTerm = tf.mul(tf.mul(p.zLoss, tf.tensor1d(kept)), tf.square(tf.logSumExp(logits, 1)));
    const perRow = tf.add(sparseSoftmaxCrossEntropy(labels, logits, { ...options, reduction: 'none' }), zTerm);
    if (p.reduction === 'none') return perRow;
    const keptCount = kept.filter((k) => k === 1).length;
    return p.reduction === 'sum' || keptCount === 0 ? safeSum(perRow) : tf.div(safeSum(perRow), keptCount);
  };
}

/** The value and the gradients of `f` at the problem's inputs, projected on a fixed dy, as numbers. */
function valueAndGradientsOf(p: Problem, f: (h: tf.Tensor, w: tf.Tensor, b?: tf.Tensor) => tf.Tensor): number[][] {
  return tf.tidy(() => {
    const inputs = [tf.tensor2d(p.hidden, [p.shape.rows, p.shape.features]), tf.tensor(p.weight, weightShape(p)), ...(p.bias ? [tf.tensor1d(p.bias)] : [])];
    const value = f(inputs[0]!, inputs[1]!, inputs[2]);
    const dy = tf.tensor(Array.from({ length: value.size }, (_, i) => 1 - 0.3 * (i % 3)), value.shape);
    const gradients = tf.grads((...xs: tf.Tensor[]) => f(xs[0]!, xs[1]!, xs[2]))(inputs, dy);
    return [value, ...gradients].map((t) => Array.from(t.dataSync()));
  });
}

describe('sparseSoftmaxCrossEntropy of the materialised logits', () => {
  it.prop([problems])('the same values and gradients of hidden, weight and bias, whatever the chunk size', (p) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const ours = valueAndGradientsOf(p, oursOn(p, labels));
    const theirs = valueAndGradientsOf(p, materialised(p, labels));
    labels.dispose();
    ['value', 'hidden', 'weight', 'bias'].slice(0, ours.length).forEach((what, i) => expectWithinFloat32(ours[i]!, theirs[i]!, { scale: scaleOf(p), terms: termsOf(p), label: what }));
  });

  test.each(['mean', 'sum', 'none'] as const)('every row ignored (%s): the loss is 0 and every gradient 0, NaN hidden rows included', (reduction) => {
    const [value, ...gradients] = tf.tidy(() => {
      const [h, w, b] = [tf.tensor2d([[NaN, 1], [2, Infinity], [0.5, -1]]), tf.tensor2d([[1, 2, 3], [4, 5, 6]]), tf.tensor1d([0.1, 0.2, 0.3])];
      const f = (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => linearCrossEntropy(hh, ww, [-100, -100, -100], { bias: bb, ignoreIndex: -100, labelSmoothing: 0.2, zLoss: 0.1, chunkSize: 2, reduction });
      const { value, grads } = tf.valueAndGrads(f)([h, w, b]);
      return [value, ...grads].map((t) => Array.from(t.dataSync()));
    });
    expect(value!.every((v) => v === 0)).toBe(true);
    for (const g of gradients) expect(g.every((v) => v === 0)).toBe(true);
  });

  test('an ignored row is not read: NaN there changes no other row, nor any gradient', () => {
    const run = (first: number) =>
      tf.tidy(() => {
        const f = (h: tf.Tensor, w: tf.Tensor) => linearCrossEntropy(h, w, [1, -1, 0], { ignoreIndex: -1, chunkSize: 2, reduction: 'none' });
        const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d([[0.5, -1], [first, 2], [1, 1]]), tf.tensor2d([[1, -1, 0.5], [0.25, 2, -1]])]);
        return [value, ...grads].map((t) => Array.from(t.dataSync()));
      });
    expect(run(NaN)).toEqual(run(3));
  });
});

describe('gradients: finite differences', () => {
  const h = [
    [0.5, -1.2, 0.3],
    [1.1, 0.4, -0.7],
    [-0.2, 0.9, 1.4],
    [0.6, 0.6, -1.0],
    [-1.3, 0.2, 0.8],
  ];
  const w = [
    [0.4, -0.3, 1.2, 0.1],
    [-0.8, 0.5, 0.2, 0.9],
    [0.3, 1.1, -0.6, -0.4],
  ];
  const b = [0.2, -0.5, 0.1, 0.3];
  const labels = [2, 0, -1, 3, 1];
  const options: LinearCrossEntropyOptions = { ignoreIndex: -1, labelSmoothing: 0.2, zLoss: 0.3, chunkSize: 2, reduction: 'none' };
  const loss = (o: LinearCrossEntropyOptions) => (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => linearCrossEntropy(hh, ww, labels, { bias: bb, ...o });

  test.each([
    ['per row, chunks of 2 (one partial), every option on', options],
    ['a tied embedding (transposeWeight), mean over the rows kept', { ...options, transposeWeight: true, reduction: 'mean' as const }],
  ])('checkGradients passes for hidden, weight and bias: %s', (_name, o) => {
    const weight = o.transposeWeight ? w[0]!.map((_, c) => w.map((row) => row[c]!)) : w;
    const result = checkGradients(loss(o), [h, weight, b]);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  /**
   * The loss with `options`, with a gradient written out on the materialised
   * logits: G = dy·(softmax(z)·(1 + 2w·lse) − t) in the rows kept, with the
   * z-loss, the smoothing or the ignoring each switched off by `wrong`.
   */
  const withGradient = (wrong: { zLoss?: boolean; smoothing?: boolean; ignoring?: boolean }) =>
    tf.customGrad((hh, ww, bb, save) => {
      (save as tf.GradSaveFunc)([hh as tf.Tensor, ww as tf.Tensor, bb as tf.Tensor]);
      return {
        value: loss(options)(hh as tf.Tensor, ww as tf.Tensor, bb as tf.Tensor),
        gradFunc: (dy: tf.Tensor, [x, weight, bias]: tf.Tensor[]) => {
          const logits = tf.add(tf.matMul(x!, weight!), bias!);
          const zLoss = wrong.zLoss ? 0 : options.zLoss!;
          const smoothing = wrong.smoothing ? 0 : options.labelSmoothing!;
          const kept = labels.map((y) => (wrong.ignoring || y !== -1 ? 1 : 0));
          const hot = tf.oneHot(labels.map((y) => Math.max(y, 0)), 4).toFloat();
          const targets = tf.add(tf.mul(hot, 1 - smoothing), smoothing / 4);
          const slope = tf.mul(tf.softmax(logits), tf.add(1, tf.mul(2 * zLoss, tf.logSumExp(logits, 1, true))));
          const g = tf.mul(tf.expandDims(tf.mul(dy, kept), 1), tf.sub(slope, targets));
          return [tf.matMul(g, weight!, false, true), tf.matMul(x!, g, true, false), tf.sum(g, 0)];
        },
      };
    });
  const checkWith = (wrong: Parameters<typeof withGradient>[0]) => {
    const f = withGradient(wrong);
    return checkGradients((hh, ww, bb) => f(hh!, ww!, bb!) as tf.Tensor, [h, w, b]).ok;
  };

  test('the gradient written out on the materialised logits passes the check', () => {
    expect(checkWith({})).toBe(true);
  });

  test.each([
    ['the z-loss term left out (2w·lse·softmax)', { zLoss: true }],
    ['label smoothing left out of the targets', { smoothing: true }],
    ['the ignored row given a gradient (as if its label were class 0)', { ignoring: true }],
  ])('the same check fails a plausible wrong gradient: %s', (_name, wrong) => {
    expect(checkWith(wrong)).toBe(false);
  });
});

describe('gradients of gradients: Hessian-vector products', () => {
  /** A problem with N ≥ 1 and its direction v, one entry per entry of hidden, weight and bias. */
  const hvpProblems = problems
    .filter((p) => p.shape.rows > 0)
    .chain((p) => fc.tuple(fc.constant(p), flatOf(p.shape.rows * p.shape.features + p.shape.features * p.shape.classes + p.shape.classes, -1, 1)));

  /** dy per row of the reduced loss: 1 for 'sum' and 'none' (summed), 1/(rows kept) for 'mean'. */
  const rowWeights = (p: Problem) => {
    const kept = p.labels.filter((y) => y !== p.ignoreIndex).length;
    return p.labels.map(() => (p.reduction === 'mean' ? (kept === 0 ? 0 : 1 / kept) : 1));
  };

  test('the float64 gradient the products are taken from matches finite differences of the float64 loss', () => {
    const shape: LinearShape = { rows: 3, features: 2, classes: 4 };
    const [h, w, b, labels] = [[0.5, -1, 2, 0.3, -0.7, 1.1], [0.2, -0.4, 1, 0.6, -1.2, 0.3, 0.8, -0.1], [0.1, 0.2, -0.3, 0.4], [3, -1, 0]];
    for (const transposeWeight of [false, true]) {
      const o: LinearOptions64 = { transposeWeight, ignoreIndex: -1, labelSmoothing: 0.2, zLoss: 0.3, reduction: 'sum' };
      const analytic = linearCrossEntropyGradient64(h, w, b, labels, shape, o, [1, 1, 1]);
      const numeric = [
        numericGradient64((x) => linearCrossEntropy64(x, w, b, labels, shape, o), h),
        numericGradient64((x) => linearCrossEntropy64(h, x, b, labels, shape, o), w),
        numericGradient64((x) => linearCrossEntropy64(h, w, x, labels, shape, o), b),
      ];
      analytic.forEach((g, i) => g.forEach((gi, j) => expect(Math.abs(gi - numeric[i]![j]!)).toBeLessThan(1e-7)));
    }
  });

  it.prop([hvpProblems], { numRuns: 30 })('tf.grad of ⟨∇loss, v⟩ is the float64 H·v, for hidden, weight and bias together', ([p, v]) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const bias = p.bias ?? Array.from({ length: p.shape.classes }, () => 0);
    const sizes = [p.hidden.length, p.weight.length, bias.length];
    const [vh, vw, vb] = [v.slice(0, sizes[0]), v.slice(sizes[0], sizes[0]! + sizes[1]!), v.slice(sizes[0]! + sizes[1]!, sizes[0]! + sizes[1]! + sizes[2]!)];
    const before = tf.memory().numTensors;
    const ours = tf.tidy(() => {
      const inputs = [tf.tensor2d(p.hidden, [p.shape.rows, p.shape.features]), tf.tensor(p.weight, weightShape(p)), tf.tensor1d(bias)];
      const directions = [tf.tensor(vh, inputs[0]!.shape), tf.tensor(vw, inputs[1]!.shape), tf.tensor(vb, inputs[2]!.shape)];
      const loss = (h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(oursOn(p, labels)(h, w, b));
      const directional = (...xs: tf.Tensor[]) => tf.addN(tf.grads(loss)(xs).map((g, i) => tf.sum(tf.mul(g, directions[i]!))));
      return tf.grads(directional)(inputs).map((g) => Array.from(g.dataSync()));
    });
    expect(tf.memory().numTensors - before).toBe(0);
    // Central differences of the float64 gradient along v: exact to ~1e-10 at this step.
    const step = 1e-5;
    const gradientAt = (sign: number) =>
      linearCrossEntropyGradient64(
        p.hidden.map((x, i) => x + sign * step * vh[i]!),
        p.weight.map((x, i) => x + sign * step * vw[i]!),
        bias.map((x, i) => x + sign * step * vb[i]!),
        p.labels,
        p.shape,
        optionsOf(p),
        rowWeights(p),
      );
    const [plus, minus] = [gradientAt(1), gradientAt(-1)];
    const expected = plus.map((g, i) => g.map((gi, j) => (gi - minus[i]![j]!) / (2 * step)));
    // Each entry of H·v sums N·V·(D + 1) products of inputs, softmax entries and v (|v| ≤ 1).
    ours.forEach((g, i) => expectWithinFloat32(g, expected[i]!, { scale: scaleOf(p) * 4 * (1 + p.shape.features), terms: termsOf(p), label: ['hidden', 'weight', 'bias'][i]! }));
    labels.dispose();
  });
});

describe('properties', () => {
  it.prop([problems])('a tied embedding (transposeWeight with Wᵀ) gives the dense layer\'s values and transposed weight gradient', (p) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const dense = { ...p, transposeWeight: false };
    const transposedWeight = Array.from({ length: p.weight.length }, (_, i) => p.weight[(i % p.shape.features) * p.shape.classes + Math.floor(i / p.shape.features)]!);
    const tied = { ...p, transposeWeight: true, weight: transposedWeight };
    const [denseResults, tiedResults] = [valueAndGradientsOf(dense, oursOn(dense, labels)), valueAndGradientsOf(tied, oursOn(tied, labels))];
    labels.dispose();
    const untransposed = (g: number[]) => Array.from({ length: g.length }, (_, i) => g[(i % p.shape.classes) * p.shape.features + Math.floor(i / p.shape.classes)]!);
    tiedResults[2] = untransposed(tiedResults[2]!);
    denseResults.forEach((r, i) => expectWithinFloat32(tiedResults[i]!, r, { scale: scaleOf(p), terms: termsOf(p) }));
  });

  it.prop([problems, fc.constantFrom(1, 2, 5)])('the chunk size changes nothing but rounding', (p, chunkSize) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const [a, b] = [valueAndGradientsOf(p, oursOn(p, labels)), valueAndGradientsOf(p, oursOn(p, labels, { chunkSize }))];
    labels.dispose();
    a.forEach((r, i) => expectWithinFloat32(b[i]!, r, { scale: scaleOf(p), terms: termsOf(p) }));
  });

  it.prop([problems.filter((p) => p.shape.rows > 0), flatOf(1, -30, 30)])(
    'without z-loss, a constant added to the bias changes nothing, and the bias gradient sums to 0',
    (p, [shift]) => {
      const q = { ...p, zLoss: 0, bias: p.bias ?? Array.from({ length: p.shape.classes }, () => 0), reduction: 'sum' as const };
      const labels = tf.tensor1d(q.labels, 'int32');
      const [plain, shifted] = [q, { ...q, bias: q.bias.map((x) => Math.fround(x + shift!)) }].map((r) => valueAndGradientsOf(r, oursOn(r, labels))) as [number[][], number[][]];
      labels.dispose();
      const scale = scaleOf(q) + 2 * Math.abs(shift!) * q.shape.rows;
      expectWithinFloat32(shifted[0]!, plain[0]!, { scale, terms: termsOf(q) });
      expectWithinFloat32([plain[3]!.reduce((s, x) => s + x, 0)], [0], { scale, terms: termsOf(q) });
    },
  );

  it.prop([problems])("'mean' is 'sum' over the number of rows not ignored", (p) => {
    const labels = tf.tensor1d(p.labels, 'int32');
    const kept = p.labels.filter((y) => y !== p.ignoreIndex).length;
    const [mean, total] = (['mean', 'sum'] as const).map((reduction) => valueAndGradientsOf({ ...p, reduction }, oursOn({ ...p, reduction }, labels))[0]![0]!);
    labels.dispose();
    expectWithinFloat32([mean!], [kept === 0 ? 0 : total! / kept], { scale: scaleOf(p), terms: termsOf(p) });
  });

  test('the [N, V] logits are never allocated, forward or backward (the materialised path does allocate them)', async () => {
    const [rows, features, classes] = [64, 4, 512];
    const inputs = [tf.randomNormal([rows, features], 0, 1, 'float32', 1), tf.randomNormal([features, classes], 0, 1, 'float32', 2)];
    const labels = tf.tensor1d(Array.from({ length: rows }, (_, i) => i % classes), 'int32');
    const largest = async (f: (h: tf.Tensor, w: tf.Tensor) => tf.Tensor) => {
      const profile = await tf.profile(() => tf.tidy(() => tf.grads(f)(inputs)));
      tf.dispose(profile.result as tf.Tensor[]);
      return Math.max(...profile.kernels.flatMap((k) => k.outputShapes.map((shape) => shape.reduce((a, b) => a * b, 1))));
    };
    const ours = await largest((h, w) => linearCrossEntropy(h, w, labels, { chunkSize: 8, zLoss: 1e-3, labelSmoothing: 0.1 }));
    const theirs = await largest((h, w) => sparseSoftmaxCrossEntropy(labels, tf.matMul(h, w)));
    tf.dispose([...inputs, labels]);
    expect(theirs).toBe(rows * classes);
    // The largest: W's gradient [D, V], or a chunk of 8 rows' logits [8, V].
    expect(ours).toBe(Math.max(features, 8) * classes);
  });
});

describe('bad input and leaks', () => {
  const h23 = [
    [1, 2, 3],
    [4, 5, 6],
  ];
  const w35 = [
    [1, 0, 0, 0, 1],
    [0, 1, 0, 0, 1],
    [0, 0, 1, 0, 1],
  ];
  // Tensors made once, outside the calls, so that a leak count sees only the library.
  const fixtures: Record<'floatLabels' | 'intBias' | 'noFeatures' | 'noClasses', tf.Tensor> = {} as never;
  beforeAll(() => {
    Object.assign(fixtures, { floatLabels: tf.tensor1d([0, 1]), intBias: tf.tensor1d([1, 2, 3, 4, 5], 'int32'), noFeatures: tf.zeros([0, 5]), noClasses: tf.zeros([3, 0]) });
  });
  afterAll(() => tf.dispose(Object.values(fixtures)));
  testThrowsCleanly([
    [() => linearCrossEntropy([[[1]]], w35, [0]), 'linearCrossEntropy: hidden must have rank 2 ([N, D]), got shape [1,1,1]'],
    [() => linearCrossEntropy(h23, [1, 2, 3], [0, 1]), 'linearCrossEntropy: weight must have rank 2 ([D, V]), got shape [3]'],
    [() => linearCrossEntropy(h23, [[1, 2], [3, 4]], [0, 1]), 'linearCrossEntropy: hidden [2,3] and weight [2,2] do not match: weight must be [D, V] with D = 3'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { transposeWeight: true }), 'linearCrossEntropy: hidden [2,3] and weight [3,5] do not match: weight must be [V, D] (transposeWeight) with D = 3'],
    [() => linearCrossEntropy(h23, w35, [0, 1, 2]), 'linearCrossEntropy: labels [3] must be [N] = [2], one class index per row of hidden [2,3]'],
    [() => linearCrossEntropy(h23, w35, [0, 5]), 'linearCrossEntropy: label 5 at [1] is outside [0, 5)'],
    [() => linearCrossEntropy(h23, w35, [-100, 1]), 'linearCrossEntropy: label -100 at [0] is outside [0, 5)'],
    [() => linearCrossEntropy(h23, w35, fixtures.floatLabels), 'linearCrossEntropy: labels must be an int32 tensor of class indices, got float32 [2]'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { bias: [1, 2, 3, 4] }), 'linearCrossEntropy: bias [4] must be [V] = [5], one entry per class of weight [3,5]'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { bias: fixtures.intBias }), 'linearCrossEntropy: bias must be a float32 tensor, got int32 [5]'],
    [() => linearCrossEntropy([[], []], fixtures.noFeatures, [0, 1]), 'linearCrossEntropy: hidden [2,0] has no features (D = 0)'],
    [() => linearCrossEntropy(h23, fixtures.noClasses, [0, 1]), 'linearCrossEntropy: weight [3,0] has no classes (V = 0)'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { chunkSize: 0 }), 'linearCrossEntropy: chunkSize must be a positive integer, got 0'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { chunkSize: 2.5 }), 'linearCrossEntropy: chunkSize must be a positive integer, got 2.5'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { chunkSize: '4' as never }), 'linearCrossEntropy: chunkSize must be a positive integer, got "4"'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { zLoss: -1 }), 'linearCrossEntropy: zLoss must be a finite number ≥ 0, got -1'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { labelSmoothing: 1.5 }), 'linearCrossEntropy: labelSmoothing must be a finite number in [0, 1], got 1.5'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { ignoreIndex: 0.5 }), 'linearCrossEntropy: ignoreIndex must be an integer, got 0.5'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { transposeWeight: 'yes' as never }), 'linearCrossEntropy: transposeWeight must be a boolean, got "yes"'],
    [() => linearCrossEntropy(h23, w35, [0, 1], { reduction: 'batchmean' as never }), "linearCrossEntropy: reduction must be one of 'none', 'sum', 'mean', got \"batchmean\""],
    [
      () => linearCrossEntropy(h23, w35, [0, 1], { weights: [1, 2] } as never),
      "linearCrossEntropy: unknown option 'weights' (expected one of: bias, transposeWeight, chunkSize, ignoreIndex, labelSmoothing, zLoss, reduction)",
    ],
  ]);

  const inputs = () => [tf.tensor2d([[0.5, -1, 2], [1, 0.3, -0.2]]), tf.tensor2d([[1, 0, -1, 0.5, 2], [0.3, 1, 0, -0.5, 1], [0, -2, 1, 0.5, 0]]), tf.tensor1d([0.1, 0, -0.1, 0.2, 0])];
  const call = (reduction: Reduction) => (h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => linearCrossEntropy(h, w, [4, -1], { bias: b, ignoreIndex: -1, zLoss: 0.1, labelSmoothing: 0.1, chunkSize: 1, reduction });

  test.each(['mean', 'sum', 'none'] as const)('%s: a call adds its result only, tf.grads its gradients only, a gradient of a gradient nothing', (reduction) => {
    const xs = inputs();
    const f = call(reduction);
    expect(tensorsLeftBy(() => f(xs[0]!, xs[1]!, xs[2]!).dispose())).toBe(0);
    expect(tensorsLeftBy(() => f(xs[0]!, xs[1]!, xs[2]!))).toBe(1);
    expect(tensorsLeftBy(() => tf.dispose(tf.grads(f)(xs)))).toBe(0);
    expect(tensorsLeftBy(() => tf.grads(f)(xs))).toBe(3);
    const secondOrder = () => tf.grads((...ys: tf.Tensor[]) => tf.addN(tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(f(a, b, c)))(ys).map((g) => tf.sum(tf.square(g)))))(xs);
    expect(tensorsLeftBy(() => tf.dispose(secondOrder()))).toBe(0);
    tf.dispose(xs);
  });

  test.each([
    ['a label out of range', (h: tf.Tensor, w: tf.Tensor) => linearCrossEntropy(h, w, [7, 0])],
    ['a bias of the wrong length', (h: tf.Tensor, w: tf.Tensor) => linearCrossEntropy(h, w, [1, 0], { bias: [1, 2] })],
    ['labels of the wrong length', (h: tf.Tensor, w: tf.Tensor) => linearCrossEntropy(h, w, [1, 0, 2], { chunkSize: 1 })],
  ])('a throw under tf.grads leaves nothing behind: %s', (_name, f) => {
    const xs = inputs();
    expect(tensorsLeftByThrowing(() => tf.grads(f)(xs.slice(0, 2)))).toBe(0);
    tf.dispose(xs);
  });
});

describe('extreme values', () => {
  test('logits [1e4, 0, −1e4] with the label last: exactly 20000, gradients exact', () => {
    const [value, dh, dw, db] = tf.tidy(() => {
      const f = (h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => linearCrossEntropy(h, w, [2], { bias: b });
      const { value, grads } = tf.valueAndGrads(f)([tf.tensor2d([[100]]), tf.tensor2d([[100, 0, -100]]), tf.zeros([3])]);
      return [value, ...grads].map((t) => Array.from(t.dataSync()));
    });
    expect(value).toEqual([20000]);
    // ∂/∂z = softmax − onehot = [1, 0, −1]: ∂/∂h = Σ_c W_c·∂/∂z_c, ∂/∂W = h·∂/∂z, ∂/∂b = ∂/∂z.
    expect(dh).toEqual([200]);
    expect(dw).toEqual([100, 0, -100]);
    expect(db).toEqual([1, 0, -1]);
  });

  test('a NaN in a kept row gives NaN in that row only (reduction none)', () => {
    const value = take(linearCrossEntropy([[NaN, 1], [1, 2]], [[1, 2], [3, 4]], [0, 1], { reduction: 'none', chunkSize: 1 }));
    expect(value[0]).toBeNaN();
    expect(Number.isFinite(value[1])).toBe(true);
  });
});
