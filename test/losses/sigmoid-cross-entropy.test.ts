/**
 * sigmoidCrossEntropy (losses/sigmoid-cross-entropy.ts):
 * - against its float64 reference (test/support/classification-reference.ts),
 *   values and gradients of every float input, on random rank-2 and rank-3
 *   inputs with random option combinations;
 * - checkGradients on every float input, with options on, on rank-3 inputs;
 * - invariants (fast-check, fixed seed);
 * - bad input: clear errors with pinned messages, and no tensors left behind
 *   by any call, gradient or throw;
 * - exact results at extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sigmoidCrossEntropy } from '../../src/index.js';
import { flatOf, reductions } from '../support/arbitraries.js';
import { layoutCases, oneHot, problem, weightsOf } from '../support/classification-arbitraries.js';
import * as check from '../support/classification-checks.js';
import { testGradientsCheck, testThrowsCleanly, type GradientCheck } from '../support/loss-tests.js';
import { logits234, softLabels234, valueAndGradient, withExtremes, y23, z23 } from '../support/classification-fixtures.js';
import { sigmoidCrossEntropy64, toRows } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { take } from '../support/tensors.js';

describe('float64 reference', () => {
  describe('sigmoidCrossEntropy against F.binary_cross_entropy_with_logits', () => {
    const cases = layoutCases((n, classes) => ({
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -8, 8),
      posWeight: fc.option(flatOf(classes, 0.2, 4), { nil: undefined }),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.5),
      weights: fc.option(weightsOf(n * classes), { nil: undefined }),
      reduction: reductions,
    }));

    it.prop([cases])('values and gradients w.r.t. labels, logits, posWeight and weights', (c) => {
      const shape = [...c.batchShape, c.classes];
      const inputs = [
        { values: c.labels, shape },
        { values: c.logits, shape },
        ...(c.posWeight ? [{ values: c.posWeight, shape: [c.classes] }] : []),
        ...(c.weights ? [{ values: c.weights, shape }] : []),
      ];
      const at = (xs: unknown[], option: 'posWeight' | 'weights') =>
        option === 'posWeight' ? xs[2] : xs[c.posWeight ? 3 : 2];
      compareWithReference(
        (...xs) =>
          sigmoidCrossEntropy(xs[0]!, xs[1]!, {
            labelSmoothing: c.labelSmoothing,
            reduction: c.reduction,
            ...(c.posWeight && { posWeight: at(xs, 'posWeight') as tf.Tensor }),
            ...(c.weights && { weights: at(xs, 'weights') as tf.Tensor }),
          }),
        (...xs) =>
          sigmoidCrossEntropy64(toRows(xs[0]!, c.classes), toRows(xs[1]!, c.classes), {
            labelSmoothing: c.labelSmoothing,
            reduction: c.reduction,
            ...(c.posWeight && { posWeight: at(xs, 'posWeight') as number[] }),
            ...(c.weights && { weights: toRows(at(xs, 'weights') as number[], c.classes) }),
          }),
        inputs,
        // (1 + 2·max|z|)·max posWeight·max weight, times the element count for 'sum'.
        (1 + 2 * 8) * 4 * 2 * (c.reduction === 'sum' ? c.labels.length : 1),
        c.labels.length,
      );
    });
  });
});

describe('gradients', () => {
  const checks: GradientCheck[] = [
    [
      'sigmoidCrossEntropy: labels, logits, posWeight, weights',
      (y, z, pw, w) => sigmoidCrossEntropy(y!, z!, { posWeight: pw!, labelSmoothing: 0.1, weights: w!, reduction: 'none' }),
      () => [softLabels234, logits234, [1, 3, 0.5, 2], [[[1]], [[0.5]]]],
    ],
  ];

  testGradientsCheck(checks);
});

describe('properties', () => {
  it.prop([problem])('labelSmoothing: 0 is exactly no smoothing', (c) => {
    check.expectZeroSmoothingExact(c, oneHot(c.labels, c.classes), sigmoidCrossEntropy);
  });

  it.prop([problem, fc.constantFrom(-3e4, -1e4, -100, 100, 1e4, 3e4), fc.constantFrom(0.05, 0.5, 2)])(
    'finite logits, however extreme, give finite values and gradients for labels and logits (never NaN)',
    (c, extreme) => {
      // (The third arbitrary, γ, is the focal losses'; it stays so that the seed draws the same inputs.)
      check.expectFiniteValuesAndGradients(oneHot(c.labels, c.classes), withExtremes(c.logits, extreme), [
        (labels: tf.Tensor, z: tf.Tensor) => sigmoidCrossEntropy(labels, z, { posWeight: [2] }),
      ]);
    },
  );
});

describe('bad input and leaks', () => {
  describe('bad input', () => {
    // Tensors made once, outside the calls, so a leak count sees only the library.
    const t: Record<'int32OneHot', tf.Tensor> = {} as never;
    beforeAll(() => {
      t.int32OneHot = tf.tensor2d(y23, undefined, 'int32');
    });
    afterAll(() => tf.dispose(Object.values(t)));

    const cases: Array<[() => unknown, string | RegExp]> = [
      [() => sigmoidCrossEntropy(y23, [[1, 2, 3]]), 'sigmoidCrossEntropy: labels [2,3] and logits [1,3] must have the same shape'],
      [() => sigmoidCrossEntropy(y23, z23, { posWeight: [1, 2] }), 'sigmoidCrossEntropy: posWeight [2] does not broadcast to logits [2,3]'],
      [() => sigmoidCrossEntropy(y23, z23, { labelSmoothing: 2 }), 'sigmoidCrossEntropy: labelSmoothing must be a finite number in [0, 1], got 2'],
    ];

    testThrowsCleanly(cases);

    test('int32 one-hot labels (as tf.oneHot returns) are cast and give the float result', () => {
      expect(take(sigmoidCrossEntropy(t.int32OneHot, z23))).toEqual(take(sigmoidCrossEntropy(y23, z23)));
    });
  });

  describe('empty batches', () => {
    const empty: Array<[string, (z: tf.Tensor, reduction: 'mean' | 'sum') => tf.Tensor]> = [
      ['sigmoidCrossEntropy', (z, reduction) => sigmoidCrossEntropy(tf.zeros([0, 3]), z, { reduction })],
    ];
    check.testEmptyBatchesAreZero(empty);
  });

  describe('no leaked tensors', () => {
    // [name, loss of (labels, logits), whether labels are a differentiated (float) input]
    const losses: check.LeakCase[] = [
      ['sigmoidCrossEntropy', (y, z) => sigmoidCrossEntropy(y, z, { posWeight: [1, 2, 3], weights: [[1], [2]] }), true],
    ];

    check.testNoLeakedTensors(losses);
  });

  describe('a throw under tf.grad leaves nothing behind, whichever check fails', () => {
    // Checks that could only run after some ops had been recorded would leak the
    // tensors tfjs saves for their gradients; every check runs before the first op.
    const lateFailures: Array<[string, (z: tf.Tensor) => tf.Tensor]> = [
      ['sigmoidCrossEntropy weights', (z) => sigmoidCrossEntropy(y23, z, { posWeight: [1, 2, 3], labelSmoothing: 0.2, weights: [1, 2] })],
      ['sigmoidCrossEntropy posWeight', (z) => sigmoidCrossEntropy(y23, z, { labelSmoothing: 0.2, posWeight: [1, 2] })],
      // int32 labels are cast, the only op, after every check.
      ['sigmoidCrossEntropy int32 labels, weights', (z) => sigmoidCrossEntropy(tf.tensor2d(y23, [2, 3], 'int32'), z, { weights: [1, 2] })],
    ];
    check.testGradThrowLeavesNothing(lateFailures);
  });
});

describe('extreme values', () => {
  test('sigmoid cross-entropy: z = −1e4 with y = 1 is 1e4, z = 1e4 with y = 1 is 0', () => {
    const [value, grad] = valueAndGradient((z) => sigmoidCrossEntropy([[1, 1]], z, { reduction: 'sum' }), [[-1e4, 1e4]]);
    expect(value).toBe(1e4);
    expect(grad.map((g) => g + 0)).toEqual([-1, 0]);
  });
});
