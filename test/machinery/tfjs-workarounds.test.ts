/**
 * src/machinery/tfjs-workarounds.ts: for each workaround, the tfjs 4.22
 * defect it works around, pinned on tfjs itself (on the backend that has
 * it), and the workaround doing what tfjs should. When an upgrade of tfjs
 * fixes a defect, its "defect:" test fails: the workaround can go.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { checkGradients, layers, sigmoidFocalLoss } from '../../src/index.js';
import {
  broadcastTo,
  gatherRows,
  installSparseTargetShapes,
  keepNaN,
  log1p,
  oneHot,
  safeSum,
  scatterAddRows,
} from '../../src/machinery/tfjs-workarounds.js';
import { focalLabelGradient64 } from '../support/classification-reference.js';
import { UNIT_ROUNDOFF } from '../support/float32.js';
import { take, tensorsLeftBy } from '../support/tensors.js';

const onWasm = process.env['TFJS_BACKEND'] === 'wasm';
const values = (t: tf.Tensor) => take(t);

describe('safeSum', () => {
  test.runIf(onWasm)('defect (wasm): tf.sum over zero elements is uninitialised memory, not 0', () => {
    // Seen as 3.56e-41 on every run here; a fixed backend gives exactly 0.
    expect(tf.tidy(() => tf.sum(tf.zeros([0])).dataSync()[0])).not.toBe(0);
  });

  test('a sum over nothing is exactly 0, over all axes and along one, with a gradient of the input\'s shape', () => {
    expect(tf.tidy(() => values(safeSum(tf.zeros([0]))))).toEqual([0]);
    expect(tf.tidy(() => values(safeSum(tf.zeros([3, 0]), 1)))).toEqual([0, 0, 0]);
    expect(tf.tidy(() => values(safeSum(tf.tensor2d([[1, 2], [3, 4]]), 0)))).toEqual([4, 6]);
    expect(tf.tidy(() => tf.grad((x: tf.Tensor) => safeSum(x))(tf.zeros([2, 0])).shape)).toEqual([2, 0]);
  });
});

/** Σ (x broadcast)·weights for fixed weights w, whose gradient is w summed over the broadcast axes. */
const weightedSum = (shape: number[]) => (x: tf.Tensor) => {
  const w = tf.range(1, shape.reduce((a, b) => a * b, 1) + 1).reshape(shape);
  return tf.sum(tf.mul(broadcastTo(x, shape), w));
};

describe('broadcastTo', () => {
  test('defect: tf.broadcastTo to a shape with a 0 gives the wrong shape, and mul\'s gradient throws there', () => {
    const x = tf.ones([1, 3]);
    expect(tf.tidy(() => tf.broadcastTo(x, [0, 3]).shape)).toEqual([1, 3]);
    expect(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.ones([0, 3]))))(x))).toThrow(/does not match the shape/);
    x.dispose();
  });

  test.each([
    [[3], [2, 3]],
    [[1, 3], [2, 3]],
    [[2, 1], [2, 3]],
    [[], [2, 3]],
    [[1], [4]],
    [[3, 1, 2], [3, 4, 2]],
  ])('%j to %j: the value of tfjs\'s broadcast, a gradient that passes checkGradients and equals tfjs autodiff', (from, to) => {
    const x = tf.tidy(() => tf.randomUniform(from, -1, 1, 'float32', 7));
    const [value, expected] = tf.tidy(() => [values(broadcastTo(x, to)), values(tf.add(x, tf.zeros(to)))]);
    expect(value).toEqual(expected);
    expect(checkGradients(weightedSum(to), [x]).ok).toBe(true);
    const [ours, tfjs] = tf.tidy(() => [
      values(tf.grad(weightedSum(to))(x)),
      values(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.add(t, tf.zeros(to)), tf.range(1, to.reduce((a, b) => a * b, 1) + 1).reshape(to))))(x)),
    ]);
    x.dispose();
    expect(ours).toEqual(tfjs);
  });

  test.each([
    [[1, 3], [0, 3]],
    [[3], [0, 3]],
    [[1], [0]],
    [[2, 1], [2, 0]],
  ])('%j to the empty %j: an empty value and a zero gradient of the input\'s shape', (from, to) => {
    const [shape, gradient] = tf.tidy(() => {
      const x = tf.ones(from);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(broadcastTo(t, to), 2)))(x);
      return [broadcastTo(x, to).shape, g] as const;
    });
    expect(shape).toEqual(to);
    expect(gradient.shape).toEqual(from);
    expect(values(gradient).every((g) => g === 0)).toBe(true);
  });

  test('a tensor of the target shape is returned as it is, and only the gradient is left', () => {
    const [full, row] = [tf.ones([2, 3]), tf.ones([1, 3])];
    expect(broadcastTo(full, [2, 3])).toBe(full);
    expect(tensorsLeftBy(() => tf.grad((t: tf.Tensor) => tf.sum(broadcastTo(t, [0, 3])))(row))).toBe(1);
    expect(tensorsLeftBy(() => tf.grad((t: tf.Tensor) => tf.sum(broadcastTo(t, [2, 3])))(row))).toBe(1);
    tf.dispose([full, row]);
  });
});

describe('relu and maximum keep NaN', () => {
  test.runIf(onWasm)('defect (wasm): relu of a negated NaN, and maximum(a, NaN), are numbers', () => {
    expect(tf.tidy(() => values(tf.relu(tf.neg(tf.scalar(NaN)))))).toEqual([0]);
    expect(tf.tidy(() => values(tf.maximum(tf.scalar(0.5), tf.scalar(NaN))))).toEqual([0.5]);
  });

  test('keepNaN(x, relu(x)) is max(x, 0), NaN for either sign of NaN', () => {
    const relu = (x: tf.Tensor) => keepNaN(x, tf.relu(x));
    expect(tf.tidy(() => values(relu(tf.tensor1d([-2, 0, 3]))))).toEqual([0, 0, 3]);
    expect(tf.tidy(() => values(relu(tf.tensor1d([NaN]))))).toEqual([NaN]);
    expect(tf.tidy(() => values(relu(tf.neg(tf.tensor1d([NaN])))))).toEqual([NaN]);
  });

  test('keepNaN(b, maximum(a, b)) for a scalar a, NaN where b is', () => {
    const b = () => tf.tensor1d([0, 1, NaN]);
    expect(tf.tidy(() => values(keepNaN(b(), tf.maximum(tf.scalar(0.5), b()))))).toEqual([0.5, 1, NaN]);
  });
});

describe('log1p', () => {
  test.runIf(onWasm)('defect (wasm): log1p is log(1 + x) in float32: 0 for 2e-9, 4.6 % off at 1e-6', () => {
    const [tiny, small] = tf.tidy(() => values(tf.log1p(tf.tensor1d([2e-9, 1e-6]))));
    expect(tiny).toBe(0);
    expect(Math.abs(small! / Math.log1p(Math.fround(1e-6)) - 1)).toBeGreaterThan(0.04);
  });

  test('within 4 float32 ulps of Math.log1p from 1e-30 to 1e30, negative arguments included; −1, ∞ and NaN exact', () => {
    const xs = [1e-30, 2e-9, -2e-9, 1e-6, -1e-6, 1e-3, -0.5, 0.5, 1, 30, 1e6, 1e30, -0.999].map(Math.fround);
    const ours = tf.tidy(() => values(log1p(tf.tensor1d(xs))));
    ours.forEach((v, i) => {
      const exact = Math.log1p(xs[i]!);
      expect(Math.abs(v - exact), `log1p(${xs[i]}): ${v} vs ${exact}`).toBeLessThanOrEqual(4 * UNIT_ROUNDOFF * Math.abs(exact));
    });
    expect(tf.tidy(() => values(log1p(tf.tensor1d([-1, Infinity, NaN, -2]))))).toEqual([-Infinity, Infinity, NaN, NaN]);
  });

  test('at saturated logits the sigmoid focal loss\'s gradient with respect to the labels is exact (it was 2.4 % off on wasm)', () => {
    // A right hard label at ±20 and ±30: BCE = log1p(e^−|z|), 2e-9 and 9e-14, which an inexact log1p zeroes.
    const [labels, logits] = [[1, 0, 1, 0], [20, -20, 30, -30]];
    const ours = tf.tidy(() => values(tf.grad((y: tf.Tensor) => sigmoidFocalLoss(y, [logits], { gamma: 0.5, reduction: 'sum' }))(tf.tensor2d([labels]))));
    ours.forEach((g, i) => {
      const exact = focalLabelGradient64(labels[i]!, logits[i]!, 0.5, 0.25);
      // A product of a few float32 factors, each off by a few ulps: the bound of test/support/float32.ts, relative.
      expect(Math.abs(g - exact), `label ${labels[i]} at logit ${logits[i]}: ${g} vs ${exact}`).toBeLessThanOrEqual(18 * UNIT_ROUNDOFF * Math.abs(exact));
    });
  });
});

describe('oneHot', () => {
  test('defect: tf.oneHot rejects a depth of 1', () => {
    expect(() => tf.tidy(() => tf.oneHot(tf.tensor1d([0], 'int32'), 1))).toThrow(/depth must be >=2/);
  });

  test('rows of any depth, 1 included; an index outside [0, depth) gives a row of zeros', () => {
    expect(tf.tidy(() => values(oneHot(tf.tensor1d([0, 0], 'int32'), 1)))).toEqual([1, 1]);
    expect(tf.tidy(() => values(oneHot(tf.tensor1d([2, -100, 0], 'int32'), 3)))).toEqual([0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });
});

describe('gatherRows and scatterAddRows', () => {
  // m [V = 3, D = 2]; labels 2, 0, 2 (one repeated, one class never picked).
  const m = [[1, 2], [3, 4], [5, 6]];
  const index = () => tf.tensor1d([2, 0, 2], 'int32');
  const transposed = (rows: number[][]) => rows[0]!.map((_, j) => rows.map((row) => row[j]!));

  test.runIf(onWasm)('defect (wasm): tf.gather has no gradient, for want of an UnsortedSegmentSum kernel', () => {
    const x = tf.tensor2d(m);
    expect(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, index())))(x))).toThrow(/'UnsortedSegmentSum' not registered/);
    expect(() => tf.tidy(() => tf.unsortedSegmentSum(x, index(), 3))).toThrow(/'UnsortedSegmentSum' not registered/);
    x.dispose();
  });

  test('rows, or columns as rows, picked; rows added into their index (repeated ones summed), in either layout', () => {
    expect(tf.tidy(() => values(gatherRows(tf.tensor2d(m), index(), { axis: 0, size: 3 })))).toEqual([5, 6, 1, 2, 5, 6]);
    expect(tf.tidy(() => values(gatherRows(tf.tensor2d(transposed(m)), index(), { axis: 1, size: 3 })))).toEqual([5, 6, 1, 2, 5, 6]);
    const rows = [[1, 10], [2, 20], [3, 30]];
    expect(tf.tidy(() => values(scatterAddRows(tf.tensor2d(rows), index(), { axis: 0, size: 3 })))).toEqual([2, 20, 0, 0, 4, 40]);
    expect(tf.tidy(() => values(scatterAddRows(tf.tensor2d(rows), index(), { axis: 1, size: 3 })))).toEqual([2, 0, 4, 20, 0, 40]);
    expect(tf.tidy(() => values(scatterAddRows(tf.zeros([0, 2]), tf.zeros([0], 'int32'), { axis: 0, size: 3 })))).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test.each([0, 1] as const)('axis %i: each is the other\'s gradient, and a gradient of a gradient works, leaving no tensor', (axis) => {
    const layout = (rows: number[][]) => (axis === 0 ? rows : transposed(rows));
    const weights = [[1, 2], [3, 4], [5, 6]];
    const before = tf.memory().numTensors;
    const [gathered, scattered, gatherHvp, scatterHvp] = tf.tidy(() => {
      const attrs = { axis, size: 3 };
      const gather = (x: tf.Tensor) => gatherRows(x, index(), attrs);
      const scatter = (x: tf.Tensor) => scatterAddRows(x, index(), attrs);
      // Σ w·f(x) with w of f's output shape: gather's [N, D]; scatter's [V, D] or [D, V].
      const weighted = (f: (x: tf.Tensor) => tf.Tensor, w: number[][]) => (x: tf.Tensor) => tf.sum(tf.mul(f(x), tf.tensor2d(w)));
      // Σ f(x)²: its Hessian-vector product along ones is 2·f*(f(ones)), f* the other function.
      const hvp = (f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) => tf.grad((y: tf.Tensor) => tf.sum(tf.grad((z: tf.Tensor) => tf.sum(tf.square(f(z))))(y)))(x);
      return [
        tf.grad(weighted(gather, weights))(tf.tensor2d(layout(m))),
        tf.grad(weighted(scatter, layout(weights)))(tf.tensor2d([[1, 10], [2, 20], [3, 30]])),
        hvp(gather, tf.tensor2d(layout(m))),
        hvp(scatter, tf.ones([3, 2])),
      ].map(values);
    });
    expect(tf.memory().numTensors).toBe(before);
    // The weights' rows added into rows 2, 0, 2; the weights' rows 2, 0, 2 picked.
    expect(gathered).toEqual(layout([[3, 4], [0, 0], [6, 8]]).flat());
    expect(scattered).toEqual([5, 6, 1, 2, 5, 6]);
    expect(gatherHvp).toEqual(layout([[2, 2], [0, 0], [4, 4]]).flat());
    expect(scatterHvp).toEqual([4, 4, 2, 2, 4, 4]);
  });
});

describe('class-index targets in fit (the tfjs-layers patch)', () => {
  const model = () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3 })] });

  test('defect: fit checks the targets of a function loss against the output\'s shape, so class indices fail', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.mean(tf.sub(yPred, yTrue), -1) });
    const [x, y] = [tf.ones([4, 2]), tf.tensor1d([0, 1, 2, 1])];
    await expect(m.fit(x, y, { epochs: 1, verbose: 0 })).rejects.toThrow(/target expected a batch of elements where each example has shape \[3\]/);
    tf.dispose([x, y]);
    m.dispose();
  });

  test('our sparse loss takes them', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: layers.sparseCategoricalCrossentropy({ fromLogits: true }) });
    const [x, y] = [tf.ones([4, 2]), tf.tensor1d([0, 1, 2, 1])];
    const history = await m.fit(x, y, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(history.history['loss']![0])).toBe(true);
    tf.dispose([x, y]);
    m.dispose();
  });

  test('a tfjs-layers without the patched private method fails with a message naming its version', () => {
    expect(() => installSparseTargetShapes('layers.sparseCategoricalCrossentropy', {})).toThrow(
      `layers.sparseCategoricalCrossentropy: tfjs-layers ${tf.version['tfjs-layers']} has no LayersModel.prototype.standardizeUserDataXY`,
    );
  });
});
