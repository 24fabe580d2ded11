/** Bad input to the generative regularisers: pinned messages, and no tensors left behind. */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bernoulliKL,
  categoricalKL,
  distillationLoss,
  gaussianCrossEntropy,
  gaussianEntropy,
  gaussianKL,
  monteCarloKL,
} from '../../src/index.js';
import { tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';

const m23 = [
  [0.1, 0.2, 0.3],
  [0.4, 0.5, 0.6],
];
const v23 = [
  [0, -1, 1],
  [0.5, 0.2, -0.3],
];

describe('generative regularisers: bad input', () => {
  // A tensor made once, outside the calls, so a leak count sees only the library.
  const fixtures: { stringLabels?: tf.Tensor } = {};
  beforeAll(() => {
    fixtures.stringLabels = tf.tensor2d([['a', 'b', 'c'], ['d', 'e', 'f']]);
  });
  afterAll(() => fixtures.stringLabels?.dispose());

  const cases: Array<[() => unknown, string]> = [
    [() => gaussianKL(m23, [[0, 0, 0]]), 'gaussianKL: mean [2,3] and logVar [1,3] must have the same shape'],
    [() => gaussianKL(m23, v23, { priorMean: [1, 2] }), 'gaussianKL: priorMean [2] does not broadcast to mean [2,3]'],
    [() => gaussianKL(m23, v23, { priorMean: 0, priorLogVar: [[1], [2], [3]] }), 'gaussianKL: priorLogVar [3,1] does not broadcast to mean [2,3]'],
    [() => gaussianKL(m23, v23, { freeBits: -0.1 }), 'gaussianKL: freeBits must be a finite number ≥ 0, got -0.1'],
    [() => gaussianKL(m23, v23, { freeBits: 0.5, reduction: 'sum' }), "gaussianKL: freeBits needs reduction 'mean' (the batch mean it floors), got 'sum'"],
    [() => gaussianKL(m23, v23, { prior: 0 } as never), "gaussianKL: unknown option 'prior' (expected one of: priorMean, priorLogVar, freeBits, reduction)"],
    [() => gaussianKL(0.5, 0.5), 'gaussianKL: mean must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
    [() => gaussianEntropy(m23, v23, { base: 0 }), 'gaussianEntropy: base must be a finite number > 0 and ≠ 1, got 0'],
    [() => gaussianCrossEntropy(m23, v23, [[0]], [[0]]), 'gaussianCrossEntropy: meanP [2,3] and meanQ [1,1] must have the same shape'],
    [() => monteCarloKL([1, 2], [1, 2], { estimator: 'k4' as never }), `monteCarloKL: estimator must be one of 'k1', 'k2', 'k3', got "k4"`],
    [() => monteCarloKL([1, 2], [1, 2, 3]), 'monteCarloKL: logP [2] and logQ [3] must have the same shape'],
    [() => categoricalKL(m23, v23, { temperature: 0 }), 'categoricalKL: temperature must be a finite number > 0, got 0'],
    [() => categoricalKL(m23, v23, { temperature: -1 }), 'categoricalKL: temperature must be a finite number > 0, got -1'],
    [() => categoricalKL(m23, [[1, 2]]), 'categoricalKL: pLogits [2,3] and qLogits [1,2] must have the same shape'],
    [() => categoricalKL(m23, v23, { axis: 3 }), 'categoricalKL: axis 3 is out of range for pLogits of rank 2 (shape [2,3]); expected an integer in [-2, 2)'],
    [() => bernoulliKL(m23, [[1, 2, 3]]), 'bernoulliKL: pLogits [2,3] and qLogits [1,3] must have the same shape'],
    [() => distillationLoss(m23, v23, { temperature: NaN }), 'distillationLoss: temperature must be a finite number > 0, got NaN'],
    [() => distillationLoss(m23, v23, { alpha: 1.5 }), 'distillationLoss: alpha must be a finite number in [0, 1], got 1.5'],
    [() => distillationLoss(m23, v23, { labels: [0, 1, 2] }), 'distillationLoss: labels [3] must be one-hot [2,3] or class indices [2]'],
    [() => distillationLoss(m23, v23, { labels: [0, 3] }), 'distillationLoss: label 3 at [1] is outside [0, 3)'],
    [() => distillationLoss(m23, v23, { labels: fixtures.stringLabels as never }), 'distillationLoss: labels must be a float32 tensor, got string [2,3]'],
  ];

  test.each(cases.map(([call, message]) => ({ call, message })))('throws $message', ({ call, message }) => {
    expect(call).toThrowError(message);
    expect(tensorsLeftByThrowing(call)).toBe(0);
  });

  test.each([
    ['gaussianKL priorLogVar', (m: tf.Tensor) => gaussianKL(m, v23, { priorMean: [0, 0, 0], priorLogVar: [1, 2] })],
    ['distillationLoss labels', (m: tf.Tensor) => distillationLoss(m, v23, { temperature: 2, labels: [[1, 0]] })],
    ['distillationLoss label range', (m: tf.Tensor) => distillationLoss(m, v23, { temperature: 2, labels: [0, 5] })],
    ['distillationLoss string labels', (m: tf.Tensor) => distillationLoss(m, v23, { labels: tf.tensor2d([['a', 'b', 'c'], ['d', 'e', 'f']]) as never })],
  ])('a throw under tf.grad leaves nothing behind: %s', (_name, loss) => {
    const m = tf.tensor2d(m23);
    expect(tensorsLeftByThrowing(() => tf.grad(loss)(m))).toBe(0);
    m.dispose();
  });
});

describe('generative regularisers: no leaked tensors', () => {
  const losses: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
    ['gaussianEntropy', (a, b) => gaussianEntropy(a, b)],
    ['gaussianCrossEntropy', (a, b) => gaussianCrossEntropy(a, b, b, a)],
    ['gaussianKL', (a, b) => gaussianKL(a, b, { priorMean: [1, 0, 0], priorLogVar: 0.5 })],
    ['gaussianKL free bits', (a, b) => gaussianKL(a, b, { freeBits: 0.1 })],
    ['monteCarloKL', (a, b) => monteCarloKL(a, b, { estimator: 'k3' })],
    ['categoricalKL', (a, b) => categoricalKL(a, b, { temperature: 2 })],
    ['bernoulliKL', (a, b) => bernoulliKL(a, b)],
    ['distillationLoss', (a, b) => distillationLoss(a, b, { temperature: 2, labels: [0, 2] })],
  ];
  test.each(losses)('%s: a call adds its result only; tf.grads its gradients only', (_name, loss) => {
    const a = tf.tensor2d(m23);
    const b = tf.tensor2d(v23);
    expect(tensorsLeftBy(() => loss(a, b).dispose())).toBe(0);
    expect(tensorsLeftBy(() => loss(a, b))).toBe(1);
    expect(tensorsLeftBy(() => tf.dispose(tf.grads(loss)([a, b])))).toBe(0);
    expect(tensorsLeftBy(() => tf.grads(loss)([a, b]))).toBe(2);
    tf.dispose([a, b]);
  });
});
