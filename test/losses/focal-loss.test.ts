/**
 * sigmoidFocalLoss and softmaxFocalLoss (losses/focal-loss.ts):
 * - against their float64 references (test/support/classification-reference.ts,
 *   after torchvision and Keras), values and gradients of every float input,
 *   on random rank-2 and rank-3 inputs with random option combinations;
 * - checkGradients on every float input, with options on, on rank-3 inputs;
 * - invariants (fast-check, fixed seed): where two computations should agree,
 *   they agree to the float32 bound of test/support/float32.ts;
 * - bad input: clear errors with pinned messages, and no tensors left behind
 *   by any call, gradient or throw; α or γ that are 0 in float32 (also through
 *   layers.categoricalFocalCrossentropy, which runs this module's softmax focal
 *   loss on probabilities);
 * - finite results at extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { layers, sigmoidCrossEntropy, sigmoidFocalLoss, softmaxCrossEntropy, softmaxFocalLoss } from '../../src/index.js';
import { flatOf, reductions, sizeOf } from '../support/arbitraries.js';
import { layoutCases, logitScale, oneHot, problem, scaleOf, weightsOf } from '../support/classification-arbitraries.js';
import * as check from '../support/classification-checks.js';
import { testGradientsCheck, testThrowsCleanly, type GradientCheck } from '../support/loss-tests.js';
import { logits234, sampleWeights23, softLabels234, valueAndGradient, valueAndLogitGradient, withExtremes, y23, z23 } from '../support/classification-fixtures.js';
import { sigmoidFocalLoss64, softmaxFocalLoss64, toRows } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';

describe('float64 reference', () => {
  describe('focal losses against torchvision and Keras', () => {
    const cases = layoutCases((n, classes) => ({
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -6, 6),
      gamma: fc.constantFrom(0, 0.5, 1, 2, 3.5),
      alpha: fc.constantFrom(-1, 0, 0.25, 0.8),
      elementWeights: fc.option(weightsOf(n * classes), { nil: undefined }),
      sampleWeights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
    }));

    it.prop([cases])('sigmoidFocalLoss: values and gradients w.r.t. labels, logits and weights', (c) => {
      const shape = [...c.batchShape, c.classes];
      const options = { gamma: c.gamma, alpha: c.alpha, reduction: c.reduction };
      const weights = c.elementWeights ? [{ values: c.elementWeights, shape }] : [];
      compareWithReference(
        (y, z, w) => sigmoidFocalLoss(y!, z!, { ...options, ...(w && { weights: w }) }),
        (y, z, w) => sigmoidFocalLoss64(toRows(y!, c.classes), toRows(z!, c.classes), { ...options, ...(w && { weights: w }) }),
        [{ values: c.labels, shape }, { values: c.logits, shape }, ...weights],
        // (1 + 2·max|z|) for BCE and its logits, times 2 for the weights, times the element count for 'sum'.
        (1 + 2 * 6) * 2 * (c.reduction === 'sum' ? c.labels.length : 1),
        c.labels.length,
      );
    });

    it.prop([cases])('softmaxFocalLoss: values and gradients w.r.t. labels, logits and weights', (c) => {
      const shape = [...c.batchShape, c.classes];
      const options = { gamma: c.gamma, alpha: Math.abs(c.alpha), reduction: c.reduction };
      const weights = c.sampleWeights ? [{ values: c.sampleWeights, shape: c.batchShape }] : [];
      compareWithReference(
        (y, z, w) => softmaxFocalLoss(y!, z!, { ...options, ...(w && { weights: w }) }),
        (y, z, w) => softmaxFocalLoss64(toRows(y!, c.classes), toRows(z!, c.classes), { ...options, ...(w && { weights: w }) }),
        [{ values: c.labels, shape }, { values: c.logits, shape }, ...weights],
        logitScale(c.logits, c.classes, 2 * c.classes) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
        c.classes + sizeOf(c.batchShape),
      );
    });
  });
});

describe('gradients', () => {
  const checks: GradientCheck[] = [
    [
      'sigmoidFocalLoss: labels, logits (γ = 1.5, α = 0.3)',
      (y, z) => sigmoidFocalLoss(y!, z!, { gamma: 1.5, alpha: 0.3, reduction: 'none' }),
      () => [softLabels234, logits234],
    ],
    [
      'sigmoidFocalLoss with α off and γ = 0.5',
      (y, z) => sigmoidFocalLoss(y!, z!, { gamma: 0.5, alpha: -1, reduction: 'sum' }),
      () => [softLabels234, logits234],
    ],
    [
      'softmaxFocalLoss: labels, logits (γ = 2, α = 0.25), weights',
      (y, z, w) => softmaxFocalLoss(y!, z!, { weights: w!, reduction: 'none' }),
      () => [softLabels234, logits234, sampleWeights23],
    ],
    [
      'softmaxFocalLoss on axis 0 with γ = 0.7',
      (y, z) => softmaxFocalLoss(y!, z!, { axis: 0, gamma: 0.7, alpha: 1, reduction: 'none' }),
      () => [softLabels234, logits234],
    ],
  ];

  testGradientsCheck(checks);
});

describe('properties', () => {
  it.prop([problem])('adding a constant to a row of logits changes nothing (softmax focal loss)', (c) => {
    const y = oneHot(c.labels, c.classes);
    check.expectShiftInvariant(c, [(z: tf.Tensor) => softmaxFocalLoss(y, z, { reduction: 'none' })]);
  });

  it.prop([problem])('logit gradient rows sum to 0 when the labels of a row sum to 1', (c) => {
    const y = oneHot(c.labels, c.classes);
    check.expectLogitGradientRowsSumToZero(c, [(z: tf.Tensor) => softmaxFocalLoss(y, z, { gamma: 1.5, reduction: 'sum' })]);
  });

  it.prop([problem])('focal losses with γ = 0 equal the matching cross-entropy', (c) => {
    const y = oneHot(c.labels, c.classes);
    const scale = scaleOf(c.logits);
    const softmaxFocal = valueAndLogitGradient((z) => softmaxFocalLoss(y, z, { gamma: 0, alpha: 1, reduction: 'none' }), c.logits);
    const softmaxCE = valueAndLogitGradient((z) => softmaxCrossEntropy(y, z, { reduction: 'none' }), c.logits);
    expectWithinFloat32(softmaxFocal.value, softmaxCE.value, { scale, terms: c.classes });
    expectWithinFloat32(softmaxFocal.grad, softmaxCE.grad, { scale, terms: c.classes });
    const sigmoidFocal = valueAndLogitGradient((z) => sigmoidFocalLoss(y, z, { gamma: 0, alpha: -1, reduction: 'none' }), c.logits);
    const sigmoidCE = valueAndLogitGradient((z) => sigmoidCrossEntropy(y, z, { reduction: 'none' }), c.logits);
    expectWithinFloat32(sigmoidFocal.value, sigmoidCE.value, { scale, terms: 1 });
    expectWithinFloat32(sigmoidFocal.grad, sigmoidCE.grad, { scale, terms: 1 });
  });

  it.prop([problem, fc.integer({ min: 0, max: 2 })])(
    'moving the class axis (with the matching axis option) changes nothing',
    (c, axis) => {
      check.expectClassAxisMovable(c, oneHot(c.labels, c.classes), axis, softmaxFocalLoss, { reduction: 'none' as const });
    },
  );

  it.prop([problem, fc.constantFrom(-3e4, -1e4, -100, 100, 1e4, 3e4), fc.constantFrom(0.05, 0.5, 2)])(
    'finite logits, however extreme, give finite values and gradients for labels and logits (never NaN)',
    (c, extreme, gamma) => {
      check.expectFiniteValuesAndGradients(oneHot(c.labels, c.classes), withExtremes(c.logits, extreme), [
        (labels: tf.Tensor, z: tf.Tensor) => sigmoidFocalLoss(labels, z, { gamma }),
        (labels: tf.Tensor, z: tf.Tensor) => softmaxFocalLoss(labels, z, { gamma }),
      ]);
    },
  );
});

describe('bad input and leaks', () => {
  describe('bad input', () => {
    const cases: Array<[() => unknown, string | RegExp]> = [
      [() => sigmoidFocalLoss(y23, z23, { gamma: -1 }), 'sigmoidFocalLoss: gamma must be a finite number ≥ 0, got -1'],
      [() => sigmoidFocalLoss(y23, z23, { alpha: 1.5 }), 'sigmoidFocalLoss: alpha must be a finite number ≤ 1, got 1.5'],
      [() => softmaxFocalLoss(y23, z23, { alpha: -0.5 }), 'softmaxFocalLoss: alpha must be a finite number ≥ 0, got -0.5'],
      [() => softmaxFocalLoss(y23, z23, { gamma: NaN }), 'softmaxFocalLoss: gamma must be a finite number ≥ 0, got NaN'],
      [() => softmaxFocalLoss([[]], [[]]), 'softmaxFocalLoss: logits [1,0] have no classes along axis 1'],
      [() => softmaxFocalLoss(y23, 5), 'softmaxFocalLoss: logits must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
    ];

    testThrowsCleanly(cases);
  });

  describe('empty batches', () => {
    const empty: Array<[string, (z: tf.Tensor, reduction: 'mean' | 'sum') => tf.Tensor]> = [
      ['sigmoidFocalLoss', (z, reduction) => sigmoidFocalLoss(tf.zeros([0, 3]), z, { reduction })],
      ['softmaxFocalLoss', (z, reduction) => softmaxFocalLoss(tf.zeros([0, 3]), z, { reduction })],
    ];
    check.testEmptyBatchesAreZero(empty);
  });

  describe('focal losses at α or γ that are 0 in float32', () => {
    test('γ below float32\'s smallest subnormal gives exactly the γ = 0 values and gradients', () => {
      // Probabilities exactly 0 and 1 with mass on the 0: log p = −∞, where γ·(−∞) with γ rounded to 0 was NaN.
      const run = (gamma: number) =>
        tf.tidy(() => {
          const loss = layers.categoricalFocalCrossentropy({ gamma });
          const [y, p] = [tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d([[0, 1], [0, 1]])];
          const [dy, dp] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a, b))([y, p]);
          return [...loss(y, p).dataSync(), ...dy!.dataSync(), ...dp!.dataSync()];
        });
      const tiny = run(5e-324);
      expect(tiny.some(Number.isNaN)).toBe(false);
      expect(tiny).toEqual(run(0));
    });

    test('α = 0 gives a loss of 0 and zero gradients, even where a term is infinite', () => {
      // A −Infinity logit on the labelled class: −log p = ∞ there.
      const logits = tf.tensor2d([[-Infinity, 0, 1]]);
      const labels = tf.tensor2d([[1, 0, 0]]);
      const [value, dy, dz] = tf.tidy(() => {
        const loss = (a: tf.Tensor, b: tf.Tensor) => softmaxFocalLoss(a, b, { alpha: 0 });
        const [dy, dz] = tf.grads(loss)([labels, logits]);
        return [loss(labels, logits).dataSync()[0], Array.from(dy!.dataSync()), Array.from(dz!.dataSync())] as const;
      });
      tf.dispose([logits, labels]);
      expect(value).toBe(0);
      expect(dy.map(Math.abs)).toEqual([0, 0, 0]);
      expect(dz.map(Math.abs)).toEqual([0, 0, 0]);
    });
  });

  describe('no leaked tensors', () => {
    // [name, loss of (labels, logits), whether labels are a differentiated (float) input]
    const losses: check.LeakCase[] = [
      ['sigmoidFocalLoss', (y, z) => sigmoidFocalLoss(y, z, { gamma: 1.5 }), true],
      ['softmaxFocalLoss', (y, z) => softmaxFocalLoss(y, z, { weights: [1, 2] }), true],
    ];

    check.testNoLeakedTensors(losses);
  });

  describe('a throw under tf.grad leaves nothing behind, whichever check fails', () => {
    // Checks that could only run after some ops had been recorded would leak the
    // tensors tfjs saves for their gradients; every check runs before the first op.
    const lateFailures: Array<[string, (z: tf.Tensor) => tf.Tensor]> = [
      ['sigmoidFocalLoss weights', (z) => sigmoidFocalLoss(y23, z, { weights: [[1, 2]] })],
      ['softmaxFocalLoss weights', (z) => softmaxFocalLoss(y23, z, { weights: [1, 2, 3] })],
    ];
    check.testGradThrowLeavesNothing(lateFailures);
  });

  describe('−Infinity logits (masked classes)', () => {
    test('a −Infinity logit on a class without label mass is ignored, not NaN', () => {
      const logits = [[1, -Infinity, 0]];
      // −log softmax(1, −∞, 0)_0 = log(1 + e^−1).
      const expected = Math.log(1 + Math.exp(-1));
      const focal = tf.tidy(() => softmaxFocalLoss([[1, 0, 0]], logits, { gamma: 2, alpha: 1 }).dataSync()[0]!);
      expect(focal).toBeCloseTo((1 - Math.exp(-expected)) ** 2 * expected, 6);
    });
  });
});

describe('extreme values', () => {
  test('focal losses stay finite: softmax focal at [1e4, 0, −1e4], label last, is α·20000', () => {
    const [value, grad] = valueAndGradient((z) => softmaxFocalLoss([[0, 0, 1]], z), [[1e4, 0, -1e4]]);
    expect(value).toBe(5000);
    expect(grad.map((g) => g + 0)).toEqual([0.25, 0, -0.25]);
    const [sigmoidValue, sigmoidGrad] = valueAndGradient((z) => sigmoidFocalLoss([[1, 0]], z, { reduction: 'sum' }), [[-3e4, 3e4]]);
    // Σ α_t·(1 − p_t)^γ·BCE, both entries fully wrong (1 − p_t = 1) with BCE = 3e4.
    expect(sigmoidValue).toBe(0.25 * 3e4 + 0.75 * 3e4);
    expect(sigmoidGrad.every(Number.isFinite)).toBe(true);
  });
});
