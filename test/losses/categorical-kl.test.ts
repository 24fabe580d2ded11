/**
 * KL between categorical distributions given by logits (losses/categorical-kl.ts):
 * categoricalKL and distillationLoss. Against their float64 references
 * (test/support/generative-reference.ts): values and gradients of every float
 * input, random rank-2 and rank-3 inputs; checkGradients on every float input;
 * invariants (fast-check, fixed seed); bad input (pinned messages) and no
 * tensors left behind; stability at extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { categoricalKL, distillationLoss, klDivergence, sparseSoftmaxCrossEntropy } from '../../src/index.js';
import { softmaxCrossEntropy64 } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { sizeOf } from '../support/arbitraries.js';
import {
  a3,
  b3,
  compareLogitPairWithReference,
  expectNonNegativeAndZeroForEqual,
  logitCases,
  logitPairs,
  m23,
  perSample,
  reduce,
  testGradThrowLeavesNothing,
  testNoLeakedTensors,
  v23,
} from '../support/generative-fixtures.js';
import { testGradientsCheck, testThrowsCleanly } from '../support/loss-tests.js';
import { categoricalKL64 } from '../support/generative-reference.js';
import { take } from '../support/tensors.js';

describe('float64 reference', () => {
  it.prop([logitCases])('categoricalKL at temperature T: values and both gradients', (c) => {
    compareLogitPairWithReference(
      c,
      (p, q) => categoricalKL(p, q, { temperature: c.temperature, reduction: c.reduction }),
      (p, q) => categoricalKL64(p, q, c.temperature),
      (1 + (2 * 8) / c.temperature) * c.classes,
    );
  });

  it.prop([logitCases])('distillationLoss with one-hot labels: α·CE + (1 − α)·T²·KL, every gradient', (c) => {
    const shape = [...c.batchShape, c.classes];
    const oneHot = c.labels.flatMap((y) => Array.from({ length: c.classes }, (_, k) => (k === y ? 1 : 0)));
    const t2 = c.temperature ** 2;
    compareWithReference(
      (t, s, y) => distillationLoss(t!, s!, { temperature: c.temperature, labels: y!, alpha: c.alpha, reduction: c.reduction }),
      (t, s, y) =>
        reduce(
          perSample(c.classes, [t!, s!, y!], (tr, sr, yr) => {
            const ce = softmaxCrossEntropy64([yr!], [sr!], { reduction: 'sum' }) as number;
            return c.alpha * ce + (1 - c.alpha) * t2 * categoricalKL64(tr!, sr!, c.temperature);
          }),
          c.reduction,
        ),
      [
        { values: c.p, shape },
        { values: c.q, shape },
        { values: oneHot, shape },
      ],
      (1 + 2 * 8) * c.classes * (1 + t2) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });
});

describe('gradients', () => {
  testGradientsCheck([
    ['categoricalKL at T = 2 on axis 1', (p, q) => categoricalKL(p!, q!, { axis: 1, temperature: 2, reduction: 'none' }), () => [a3, b3]],
    ['distillationLoss without labels, T = 3', (t, s) => distillationLoss(t!, s!, { temperature: 3, reduction: 'none' }), () => [a3, b3]],
    [
      'distillationLoss with soft labels (labels, teacher and student)',
      (t, s, y) => distillationLoss(t!, s!, { temperature: 2, labels: y!, alpha: 0.3, reduction: 'none' }),
      () => [a3, b3, [[[0.3, 0.7], [1, 0], [0.5, 0.5]], [[0, 1], [0.2, 0.8], [0.9, 0.1]]]],
    ],
    [
      'distillationLoss with class indices',
      (t, s, y) => distillationLoss(t!, s!, { temperature: 2, labels: y!, alpha: 0.6 }),
      () => [a3, b3, tf.tensor2d([[0, 1, 1], [1, 0, 1]], undefined, 'int32')],
    ],
  ]);
});

describe('properties', () => {
  it.prop([logitPairs])('categoricalKL ≥ 0, and 0 for equal logits', (pq) =>
    expectNonNegativeAndZeroForEqual((p, q) => categoricalKL(p, q, { reduction: 'none' }), pq),
  );

  it.prop([logitPairs, fc.constantFrom(0.5, 1, 3, 10)])(
    'categoricalKL at temperature T is klDivergence of the tempered softmaxes',
    ([p, q], temperature) => {
      const ours = take(categoricalKL(p, q, { temperature, reduction: 'none' }));
      const viaProbabilities = tf.tidy(() =>
        Array.from(
          klDivergence(tf.softmax(tf.div(tf.tensor2d(p), temperature)), tf.softmax(tf.div(tf.tensor2d(q), temperature))).dataSync(),
        ),
      );
      // The probability route takes logs of rounded probabilities: its error dominates.
      const classes = p[0]!.length;
      expectWithinFloat32(ours, viaProbabilities, { scale: (1 + (2 * 10) / temperature) * classes * 4, terms: classes });
    },
  );

  it.prop([logitPairs, fc.constantFrom(1, 4)])('distillationLoss with alpha: 1 is the hard-label cross-entropy', ([t, s], temperature) => {
    const labels = s.map((row, i) => i % row.length);
    const distilled = take(distillationLoss(t, s, { labels, alpha: 1, temperature, reduction: 'none' }));
    expect(distilled).toEqual(take(sparseSoftmaxCrossEntropy(labels, s, { reduction: 'none' })));
  });
});

describe('bad input and leaks', () => {
  // A tensor made once, outside the calls, so a leak count sees only the library.
  const fixtures: { stringLabels?: tf.Tensor } = {};
  beforeAll(() => {
    fixtures.stringLabels = tf.tensor2d([['a', 'b', 'c'], ['d', 'e', 'f']]);
  });
  afterAll(() => fixtures.stringLabels?.dispose());

  testThrowsCleanly([
    [() => categoricalKL(m23, v23, { temperature: 0 }), 'categoricalKL: temperature must be a finite number > 0, got 0'],
    [() => categoricalKL(m23, v23, { temperature: -1 }), 'categoricalKL: temperature must be a finite number > 0, got -1'],
    [() => categoricalKL(m23, [[1, 2]]), 'categoricalKL: pLogits [2,3] and qLogits [1,2] must have the same shape'],
    [() => categoricalKL(m23, v23, { axis: 3 }), 'categoricalKL: axis 3 is out of range for pLogits of rank 2 (shape [2,3]); expected an integer in [-2, 2)'],
    [() => distillationLoss(m23, v23, { temperature: NaN }), 'distillationLoss: temperature must be a finite number > 0, got NaN'],
    [() => distillationLoss(m23, v23, { alpha: 1.5 }), 'distillationLoss: alpha must be a finite number in [0, 1], got 1.5'],
    [() => distillationLoss(m23, v23, { labels: [0, 1, 2] }), 'distillationLoss: labels [3] must be one-hot [2,3] or class indices [2]'],
    [() => distillationLoss(m23, v23, { labels: [0, 3] }), 'distillationLoss: label 3 at [1] is outside [0, 3)'],
    [() => distillationLoss(m23, v23, { labels: fixtures.stringLabels as never }), 'distillationLoss: labels must be a float32 tensor, got string [2,3]'],
  ]);

  testGradThrowLeavesNothing([
    ['distillationLoss labels', (m) => distillationLoss(m, v23, { temperature: 2, labels: [[1, 0]] })],
    ['distillationLoss label range', (m) => distillationLoss(m, v23, { temperature: 2, labels: [0, 5] })],
    ['distillationLoss string labels', (m) => distillationLoss(m, v23, { labels: tf.tensor2d([['a', 'b', 'c'], ['d', 'e', 'f']]) as never })],
  ]);

  testNoLeakedTensors([
    ['categoricalKL', (a, b) => categoricalKL(a, b, { temperature: 2 })],
    ['distillationLoss', (a, b) => distillationLoss(a, b, { temperature: 2, labels: [0, 2] })],
  ]);
});

describe('stability / extreme values', () => {
  test('categoricalKL of logits ±1e3 is exactly 1000', () => {
    expect(take(categoricalKL([[1e3, 0, -1e3]], [[0, 1e3, 0]]))).toEqual([1000]);
    const grads = tf.tidy(() =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => categoricalKL(p, q))([tf.tensor2d([[1e3, 0, -1e3]]), tf.tensor2d([[0, 1e3, 0]])]).flatMap((g) => Array.from(g.dataSync())),
    );
    expect(grads.every(Number.isFinite)).toBe(true);
  });
});
