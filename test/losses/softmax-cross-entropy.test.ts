/**
 * softmaxCrossEntropy and sparseSoftmaxCrossEntropy
 * (losses/softmax-cross-entropy.ts):
 * - against their float64 references (test/support/classification-reference.ts:
 *   F.cross_entropy plus T5X's z_loss), values and gradients of every float
 *   input, on random rank-2 and rank-3 inputs with random option
 *   combinations (zLoss among them; its own tests are in
 *   softmax-cross-entropy-z-loss.test.ts) and the class axis moved;
 * - checkGradients on every float input, with options on, on rank-2 and rank-3 inputs;
 * - invariants (fast-check, fixed seed): where two computations should agree,
 *   they agree to the float32 bound of test/support/float32.ts;
 * - bad input: clear errors with pinned messages, and no tensors left behind
 *   by any call, gradient or throw;
 * - what tfjs 4.22's own `tf.losses.softmaxCrossEntropy` gets wrong, shown on
 *   tfjs itself, next to our loss getting it right; and exact results at
 *   extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../../src/index.js';
import { flatOf, reductions, sizeOf } from '../support/arbitraries.js';
import { layoutCases, logitScale, oneHot, problem, scaleOf, weightsOf } from '../support/classification-arbitraries.js';
import * as check from '../support/classification-checks.js';
import { testGradientsCheck, testThrowsCleanly, type GradientCheck } from '../support/loss-tests.js';
import { classWeights4, logits234, sampleWeights23, softLabels234, valueAndGradient, valueAndLogitGradient, withExtremes, y23, z23 } from '../support/classification-fixtures.js';
import { logSoftmax64, softmaxCrossEntropy64, sparseSoftmaxCrossEntropy64, toRows } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { take } from '../support/tensors.js';

/**
 * The error scale of a z-loss term w·L², L = log Σ exp z: L is computed to a
 * few ulp of (max|z| + log C), and the square doubles its relative error:
 * 2w·(max|z| + log C)², times (1 + the largest sample weight, 2).
 */
const zLossScale = (logits: number[], classes: number, zLoss: number) => 2 * zLoss * (Math.max(...logits.map(Math.abs)) + Math.log(classes)) ** 2 * 3;

/** Moves the class axis of `[..., C]` from last to second last (axis −2; axis 0 at rank 2). */
const classesSecondLast = (x: tf.Tensor) => {
  const order = x.shape.map((_, i) => i);
  [order[x.rank - 1], order[x.rank - 2]] = [order[x.rank - 2]!, order[x.rank - 1]!];
  return tf.transpose(x, order);
};

describe('float64 reference: F.cross_entropy, plus T5X cross_entropy_with_logits’s z_loss', () => {
  it.prop([
    layoutCases((n, classes) => ({
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -6, 6),
      zLoss: fc.constantFrom(0, 1e-4, 0.05, 0.6),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
      classWeights: fc.option(flatOf(classes, 0.1, 3), { nil: undefined }),
      weights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
      axisMoved: fc.boolean(),
    })),
  ])('softmaxCrossEntropy: values and gradients w.r.t. labels, logits, classWeights and weights, on any class axis', (c) => {
    const shape = [...c.batchShape, c.classes];
    const inputs = [
      { values: c.labels, shape },
      { values: c.logits, shape },
      ...(c.classWeights ? [{ values: c.classWeights, shape: [c.classes] }] : []),
      ...(c.weights ? [{ values: c.weights, shape: c.batchShape }] : []),
    ];
    const options = (xs: unknown[]) => ({
      zLoss: c.zLoss,
      labelSmoothing: c.labelSmoothing,
      reduction: c.reduction,
      ...(c.classWeights && { classWeights: xs[2] as never }),
      ...(c.weights && { weights: xs[c.classWeights ? 3 : 2] as never }),
    });
    // With axisMoved the classes sit second last (axis −2), moved inside the call so that gradients come back to [..., C].
    const ours = (...xs: tf.Tensor[]) =>
      c.axisMoved
        ? softmaxCrossEntropy(classesSecondLast(xs[0]!), classesSecondLast(xs[1]!), { ...options(xs), axis: -2 })
        : softmaxCrossEntropy(xs[0]!, xs[1]!, options(xs));
    const perSum = c.reduction === 'sum' ? sizeOf(c.batchShape) : 1;
    compareWithReference(
      ours,
      (...xs) => softmaxCrossEntropy64(toRows(xs[0]!, c.classes), toRows(xs[1]!, c.classes), options(xs) as never),
      inputs,
      (logitScale(c.logits, c.classes, 3 * c.classes * 2) + zLossScale(c.logits, c.classes, c.zLoss)) * perSum,
      c.classes + sizeOf(c.batchShape),
    );
  });

  it.prop([
    layoutCases((n, classes) => ({
      labels: fc.array(fc.integer({ min: -1, max: classes - 1 }), { minLength: n, maxLength: n }),
      ignoreIndex: fc.constantFrom(undefined, -1, 0),
      logits: flatOf(n * classes, -6, 6),
      zLoss: fc.constantFrom(0, 1e-4, 0.05, 0.6),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
      classWeights: fc.option(flatOf(classes, 0.1, 3), { nil: undefined }),
      weights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
    })),
  ])('sparseSoftmaxCrossEntropy: values and gradients w.r.t. logits, classWeights and weights, with ignored labels', (c) => {
    // Labels of -1 are valid only when ignored: map them to class 0 otherwise.
    const labels = c.labels.map((y) => (y === -1 && c.ignoreIndex !== -1 ? 0 : y));
    const labelTensor = tf.tensor(labels, c.batchShape, 'int32');
    const inputs = [
      { values: c.logits, shape: [...c.batchShape, c.classes] },
      ...(c.classWeights ? [{ values: c.classWeights, shape: [c.classes] }] : []),
      ...(c.weights ? [{ values: c.weights, shape: c.batchShape }] : []),
    ];
    const options = (xs: unknown[]) => ({
      zLoss: c.zLoss,
      labelSmoothing: c.labelSmoothing,
      reduction: c.reduction,
      ...(c.ignoreIndex !== undefined && { ignoreIndex: c.ignoreIndex }),
      ...(c.classWeights && { classWeights: xs[1] as never }),
      ...(c.weights && { weights: xs[c.classWeights ? 2 : 1] as never }),
    });
    const perSum = c.reduction === 'sum' ? sizeOf(c.batchShape) : 1;
    compareWithReference(
      (...xs) => sparseSoftmaxCrossEntropy(labelTensor, xs[0]!, options(xs)),
      (...xs) => sparseSoftmaxCrossEntropy64(labels, toRows(xs[0]!, c.classes), options(xs) as never),
      inputs,
      (logitScale(c.logits, c.classes, 3 * c.classes * 2) + zLossScale(c.logits, c.classes, c.zLoss)) * perSum,
      c.classes + sizeOf(c.batchShape),
    );
    labelTensor.dispose();
  });
});

describe('gradients', () => {
  const checks: GradientCheck[] = [
    [
      'softmaxCrossEntropy: labels, logits, classWeights, weights (smoothing, rank 3, reduction none)',
      (y, z, c, w) => softmaxCrossEntropy(y!, z!, { labelSmoothing: 0.2, classWeights: c!, weights: w!, reduction: 'none' }),
      () => [softLabels234, logits234, classWeights4, sampleWeights23],
    ],
    [
      'softmaxCrossEntropy on axis 1 with mean reduction',
      (y, z, c, w) => softmaxCrossEntropy(y!, z!, { axis: 1, classWeights: c!, weights: w!, labelSmoothing: 0.1 }),
      () => [
        tf.tidy(() => tf.transpose(tf.tensor3d(softLabels234), [0, 2, 1]).arraySync()),
        tf.tidy(() => tf.transpose(tf.tensor3d(logits234), [0, 2, 1]).arraySync()),
        [0.5, 1.5, 1, 2],
        [
          [1, 0.5, 2],
          [0.25, 1, 1.5],
        ],
      ],
    ],
    [
      'sparseSoftmaxCrossEntropy: logits, classWeights, weights (ignoreIndex, smoothing)',
      (y, z, c, w) =>
        sparseSoftmaxCrossEntropy(y!, z!, { ignoreIndex: 1, labelSmoothing: 0.15, classWeights: c!, weights: w! }),
      () => [
        tf.tensor2d([
          [3, 1, 0],
          [2, 2, 1],
        ], undefined, 'int32'),
        logits234,
        classWeights4,
        sampleWeights23,
      ],
    ],
  ];

  testGradientsCheck(checks);
});

describe('properties', () => {
  it.prop([problem])('adding a constant to a row of logits changes nothing (softmax losses)', (c) => {
    const y = oneHot(c.labels, c.classes);
    check.expectShiftInvariant(c, [
      (z: tf.Tensor) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.1, reduction: 'none' }),
      (z: tf.Tensor) => sparseSoftmaxCrossEntropy(c.labels, z, { reduction: 'none' }),
    ]);
  });

  it.prop([problem])('logit gradient rows sum to 0 when the labels of a row sum to 1', (c) => {
    const y = oneHot(c.labels, c.classes);
    check.expectLogitGradientRowsSumToZero(c, [(z: tf.Tensor) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.3, reduction: 'sum' })]);
  });

  it.prop([problem, fc.constantFrom(0, 0.1, 0.4), fc.boolean()])(
    'sparse labels give the value and gradient of their one-hot form',
    (c, labelSmoothing, withClassWeights) => {
      const classWeights = withClassWeights ? Array.from({ length: c.classes }, (_, k) => 0.5 + k / 2) : undefined;
      const options = { labelSmoothing, reduction: 'none' as const, ...(classWeights && { classWeights }) };
      const sparse = valueAndLogitGradient((z) => sparseSoftmaxCrossEntropy(c.labels, z, options), c.logits);
      const dense = valueAndLogitGradient((z) => softmaxCrossEntropy(oneHot(c.labels, c.classes), z, options), c.logits);
      const scale = scaleOf(c.logits) * (1 + c.classes);
      expectWithinFloat32(sparse.value, dense.value, { scale, terms: c.classes });
      expectWithinFloat32(sparse.grad, dense.grad, { scale, terms: c.classes });
    },
  );

  it.prop([problem])('labelSmoothing: 0 is exactly no smoothing', (c) => {
    check.expectZeroSmoothingExact(c, oneHot(c.labels, c.classes), softmaxCrossEntropy);
  });

  it.prop([problem, fc.integer({ min: 0, max: 2 })])(
    'moving the class axis (with the matching axis option) changes nothing',
    (c, axis) => {
      check.expectClassAxisMovable(c, oneHot(c.labels, c.classes), axis, softmaxCrossEntropy, { reduction: 'none' as const, labelSmoothing: 0.1 });
    },
  );

  it.prop([problem, fc.constantFrom(-3e4, -1e4, -100, 100, 1e4, 3e4), fc.constantFrom(0.05, 0.5, 2)])(
    'finite logits, however extreme, give finite values and gradients for labels and logits (never NaN)',
    (c, extreme) => {
      // (The third arbitrary, γ, is the focal losses'; it stays so that the seed draws the same inputs.)
      const logits = withExtremes(c.logits, extreme);
      check.expectFiniteValuesAndGradients(oneHot(c.labels, c.classes), logits, [
        (labels: tf.Tensor, z: tf.Tensor) => softmaxCrossEntropy(labels, z, { labelSmoothing: 0.1 }),
      ]);
      const sparse = valueAndLogitGradient((z) => sparseSoftmaxCrossEntropy(c.labels, z), logits);
      expect([...sparse.value, ...sparse.grad].every(Number.isFinite)).toBe(true);
    },
  );
});

describe('bad input and leaks', () => {
  describe('bad input', () => {
    // Tensors made once, outside the calls, so a leak count sees only the library.
    const t: Record<'int32Indices' | 'floatIndices' | 'int32OneHot', tf.Tensor> = {} as never;
    beforeAll(() => {
      t.int32Indices = tf.tensor1d([0, 1], 'int32');
      t.floatIndices = tf.tensor1d([0, 1]);
      t.int32OneHot = tf.tensor2d(y23, undefined, 'int32');
    });
    afterAll(() => tf.dispose(Object.values(t)));

    const cases: Array<[() => unknown, string | RegExp]> = [
      [() => softmaxCrossEntropy([[1, 0]], z23), 'softmaxCrossEntropy: labels [1,2] and logits [2,3] must have the same shape'],
      [
        () => softmaxCrossEntropy(t.int32Indices, z23),
        'softmaxCrossEntropy: labels [2] are int32 with one rank less than logits [2,3]: for class indices use sparseSoftmaxCrossEntropy',
      ],
      [() => softmaxCrossEntropy(y23, z23, { labelSmoothing: -0.1 }), 'softmaxCrossEntropy: labelSmoothing must be a finite number in [0, 1], got -0.1'],
      [() => softmaxCrossEntropy(y23, z23, { labelSmoothing: 1.5 }), 'softmaxCrossEntropy: labelSmoothing must be a finite number in [0, 1], got 1.5'],
      [() => softmaxCrossEntropy(y23, z23, { classWeights: [1, 2] }), 'softmaxCrossEntropy: classWeights [2] must have one entry per class ([3])'],
      [() => softmaxCrossEntropy(y23, z23, { weights: [1, 2, 3] }), 'softmaxCrossEntropy: weights [3] does not broadcast to the unreduced loss [2]'],
      [() => softmaxCrossEntropy(y23, z23, { weights: [[1], [2]] }), 'softmaxCrossEntropy: weights [2,1] does not broadcast to the unreduced loss [2]'],
      [() => softmaxCrossEntropy(y23, z23, { axis: 2 }), 'softmaxCrossEntropy: axis 2 is out of range for logits of rank 2 (shape [2,3]); expected an integer in [-2, 2)'],
      [() => softmaxCrossEntropy(y23, z23, { reduction: 'avg' as never }), `softmaxCrossEntropy: reduction must be one of 'none', 'sum', 'mean', got "avg"`],
      [() => softmaxCrossEntropy(y23, z23, { from_logits: true } as never), "softmaxCrossEntropy: unknown option 'from_logits' (expected one of: axis, labelSmoothing, zLoss, classWeights, weights, reduction)"],
      [() => sparseSoftmaxCrossEntropy(t.floatIndices, z23), 'sparseSoftmaxCrossEntropy: labels must be an int32 tensor of class indices, got float32 [2]'],
      [() => sparseSoftmaxCrossEntropy([0.5, 1], z23), 'sparseSoftmaxCrossEntropy: labels must hold integer class indices, got 0.5'],
      [() => sparseSoftmaxCrossEntropy([0, 1, 2], z23), 'sparseSoftmaxCrossEntropy: labels [3] must have the shape of logits [2,3] without its last axis ([2])'],
      [() => sparseSoftmaxCrossEntropy([0, 3], z23), 'sparseSoftmaxCrossEntropy: label 3 at [1] is outside [0, 3)'],
      [() => sparseSoftmaxCrossEntropy([[0, -1]], [z23]), 'sparseSoftmaxCrossEntropy: label -1 at [0,1] is outside [0, 3)'],
      [() => sparseSoftmaxCrossEntropy([0, -100], z23, { ignoreIndex: -1 }), 'sparseSoftmaxCrossEntropy: label -100 at [1] is outside [0, 3)'],
      [() => sparseSoftmaxCrossEntropy([0, 1], z23, { ignoreIndex: 0.5 }), 'sparseSoftmaxCrossEntropy: ignoreIndex must be an integer, got 0.5'],
      [() => sparseSoftmaxCrossEntropy([0, 1], z23, { classWeights: [[1, 2, 3]] }), 'sparseSoftmaxCrossEntropy: classWeights [1,3] must have one entry per class ([3])'],
      [() => softmaxCrossEntropy([[]], [[]]), 'softmaxCrossEntropy: logits [1,0] have no classes along axis 1'],
      [() => sparseSoftmaxCrossEntropy([0], [[]]), 'sparseSoftmaxCrossEntropy: logits [1,0] have no classes along axis 1'],
    ];

    testThrowsCleanly(cases);

    test('an out-of-range label is a RangeError', () => {
      expect(() => sparseSoftmaxCrossEntropy([0, 3], z23)).toThrowError(RangeError);
    });

    test('int32 one-hot labels (as tf.oneHot returns) are cast and give the float result', () => {
      expect(take(softmaxCrossEntropy(t.int32OneHot, z23))).toEqual(take(softmaxCrossEntropy(y23, z23)));
    });
  });

  describe('sparseSoftmaxCrossEntropy: every label ignored', () => {
    test.each(['mean', 'sum', 'none'] as const)('reduction %s gives 0 and a zero gradient, never NaN', (reduction) => {
      const [value, grad] = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => sparseSoftmaxCrossEntropy([-100, -100], z, { ignoreIndex: -100, labelSmoothing: 0.2, reduction }))(tf.tensor2d(z23));
        return [Array.from(value.dataSync()), Array.from(grad.dataSync())];
      });
      expect(value.every((v) => v === 0)).toBe(true);
      expect(grad.every((g) => g === 0)).toBe(true);
    });
  });

  describe('empty batches', () => {
    const empty: Array<[string, (z: tf.Tensor, reduction: 'mean' | 'sum') => tf.Tensor]> = [
      ['softmaxCrossEntropy', (z, reduction) => softmaxCrossEntropy(tf.zeros([0, 3]), z, { weights: tf.zeros([0]), reduction })],
      ['sparseSoftmaxCrossEntropy', (z, reduction) => sparseSoftmaxCrossEntropy(tf.zeros([0], 'int32'), z, { reduction })],
    ];
    check.testEmptyBatchesAreZero(empty);
  });

  describe('empty batches with class weights and broadcast sample weights', () => {
    // tfjs 4.22's own mul gradient cannot sum a size-1 axis broadcast to size 0 and throws here.
    const weighted: Array<[string, (z: tf.Tensor, classWeights: tf.Tensor) => tf.Tensor]> = [
      ['softmaxCrossEntropy', (z, c) => softmaxCrossEntropy(tf.zeros([0, 3]), z, { classWeights: c, weights: [2] })],
      ['sparseSoftmaxCrossEntropy', (z, c) => sparseSoftmaxCrossEntropy(tf.zeros([0], 'int32'), z, { classWeights: c, weights: [2] })],
    ];
    test.each(weighted)('%s: gradients with respect to the logits and the class weights are empty and zero', (_name, loss) => {
      const [value, logitGradShape, classWeightGrad] = tf.tidy(() => {
        const value = loss(tf.zeros([0, 3]), tf.ones([3]));
        const [dz, dc] = tf.grads(loss)([tf.zeros([0, 3]), tf.ones([3])]);
        return [value.dataSync()[0], dz!.shape, Array.from(dc!.dataSync())] as const;
      });
      expect(value).toBe(0);
      expect(logitGradShape).toEqual([0, 3]);
      expect(classWeightGrad).toEqual([0, 0, 0]);
    });
  });

  describe('no leaked tensors', () => {
    // [name, loss of (labels, logits), whether labels are a differentiated (float) input]
    const losses: check.LeakCase[] = [
      ['softmaxCrossEntropy', (y, z) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.1, classWeights: [1, 2, 3], weights: [1, 0.5] }), true],
      ['sparseSoftmaxCrossEntropy', (_y, z) => sparseSoftmaxCrossEntropy([0, -1], z, { ignoreIndex: -1, classWeights: [1, 2, 3], labelSmoothing: 0.1 }), false],
    ];

    check.testNoLeakedTensors(losses);
  });

  describe('a throw under tf.grad leaves nothing behind, whichever check fails', () => {
    // Checks that could only run after some ops had been recorded would leak the
    // tensors tfjs saves for their gradients; every check runs before the first op.
    const lateFailures: Array<[string, (z: tf.Tensor) => tf.Tensor]> = [
      ['softmaxCrossEntropy weights', (z) => softmaxCrossEntropy(y23, z, { classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] })],
      ['softmaxCrossEntropy classWeights', (z) => softmaxCrossEntropy(y23, z, { labelSmoothing: 0.1, classWeights: [1, 2] })],
      // int32 one-hot labels are cast, the only op, after every check.
      ['softmaxCrossEntropy int32 labels, weights', (z) => softmaxCrossEntropy(tf.tensor2d(y23, [2, 3], 'int32'), z, { weights: [1, 2, 3] })],
      ['sparseSoftmaxCrossEntropy classWeights', (z) => sparseSoftmaxCrossEntropy([0, 1], z, { ignoreIndex: -1, classWeights: [1, 2] })],
      ['sparseSoftmaxCrossEntropy weights', (z) => sparseSoftmaxCrossEntropy([0, 1], z, { classWeights: [1, 2, 3], weights: [1, 2, 3] })],
    ];
    check.testGradThrowLeavesNothing(lateFailures);
  });

  describe('−Infinity logits (masked classes) and zero denominators', () => {
    test('a −Infinity logit on a class without label mass is ignored, not NaN', () => {
      const logits = [[1, -Infinity, 0]];
      // −log softmax(1, −∞, 0)_0 = log(1 + e^−1).
      const expected = Math.log(1 + Math.exp(-1));
      for (const loss of [
        (z: tf.Tensor) => sparseSoftmaxCrossEntropy([0], z),
        (z: tf.Tensor) => softmaxCrossEntropy([[1, 0, 0]], z),
      ]) {
        const [value, grad] = tf.tidy(() => {
          const { value, grad } = tf.valueAndGrad(loss)(tf.tensor2d(logits));
          return [value.dataSync()[0]!, Array.from(grad.dataSync())] as const;
        });
        expect(value).toBeCloseTo(expected, 6);
        expect(grad.every(Number.isFinite)).toBe(true);
      }
    });

    test("a 'mean' whose denominator is 0 but numerator is not is +Infinity, as in PyTorch", () => {
      // Every target's class weight is 0, but smoothing spreads mass to weighted classes.
      const options = { classWeights: [0, 1, 1], labelSmoothing: 0.1 };
      expect(take(sparseSoftmaxCrossEntropy([0, 0], z23, { ...options, reduction: 'sum' }))[0]).toBeGreaterThan(0);
      expect(take(sparseSoftmaxCrossEntropy([0, 0], z23, options))[0]).toBe(Infinity);
    });
  });
});

describe('tfjs defects we do not repeat', () => {
  // What tfjs 4.22's own tf.losses.softmaxCrossEntropy gets wrong, on these [2, 3] labels and logits.
  const labels = [
    [0.1, 0.7, 0.2],
    [0.3, 0.3, 0.4],
  ];
  const logits = [
    [1, 2, 0.5],
    [-1, 0, 3],
  ];

  test('the gradient w.r.t. labels is −log softmax(logits), not labels − softmax(logits)', () => {
    const expected = logits.flatMap((z) => logSoftmax64(z).map((lp) => -lp));
    const tfjsGradient = tf.tidy(() =>
      Array.from(
        tf.grad((y: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, tf.tensor2d(logits), undefined, 0, tf.Reduction.SUM))(
          tf.tensor2d(labels),
        ).dataSync(),
      ),
    );
    const oursGradient = tf.tidy(() =>
      Array.from(
        tf.grad((y: tf.Tensor) => softmaxCrossEntropy(y, logits, { reduction: 'sum' }))(tf.tensor2d(labels)).dataSync(),
      ),
    );
    const labelsMinusSoftmax = labels.flatMap((y, n) => y.map((yc, c) => yc - Math.exp(logSoftmax64(logits[n]!)[c]!)));
    expectWithinFloat32(tfjsGradient, labelsMinusSoftmax, { scale: 4, terms: 3 }); // tfjs: the defect
    expectWithinFloat32(oursGradient, expected, { scale: 4, terms: 3 }); // ours: the truth
    expect(Math.max(...tfjsGradient.map((g, i) => Math.abs(g - expected[i]!)))).toBeGreaterThan(0.5);
  });

  test('label smoothing on rank 3 divides by the class count, not by shape[1]', () => {
    // [batch 2, time 4, classes 3]: tfjs smooths with 1/4 instead of 1/3.
    const y = Array.from({ length: 2 }, (_, b) => Array.from({ length: 4 }, (_, t) => [0, 1, 2].map((c) => (c === (b + t) % 3 ? 1 : 0))));
    const z = Array.from({ length: 2 }, (_, b) => Array.from({ length: 4 }, (_, t) => [0, 1, 2].map((c) => Math.fround(Math.sin(b + 2 * t + 3 * c)))));
    const expected = softmaxCrossEntropy64(y.flat(), z.flat(), { labelSmoothing: 0.3, reduction: 'none' }) as number[];
    const [ours, tfjs] = tf.tidy(() => [
      Array.from(softmaxCrossEntropy(y, z, { labelSmoothing: 0.3, reduction: 'none' }).dataSync()),
      Array.from(tf.losses.softmaxCrossEntropy(tf.tensor3d(y), tf.tensor3d(z), undefined, 0.3, tf.Reduction.NONE).dataSync()),
    ]);
    expectWithinFloat32(ours, expected, { scale: 6, terms: 3 });
    expect(Math.max(...tfjs.map((v, i) => Math.abs(v - expected[i]!)))).toBeGreaterThan(1e-3);
  });

  test('class indices are a first-class input (tf.losses has no sparse softmax cross-entropy)', () => {
    expect('sparseSoftmaxCrossEntropy' in tf.losses).toBe(false);
    const value = tf.tidy(() => sparseSoftmaxCrossEntropy(tf.tensor1d([1, 2], 'int32'), logits).dataSync()[0]!);
    const oneHotValue = softmaxCrossEntropy64([[0, 1, 0], [0, 0, 1]], logits) as number;
    expect(Math.abs(value - oneHotValue)).toBeLessThan(1e-6);
  });
});

describe('extreme values', () => {
  test('softmax cross-entropy: [1e4, 0, −1e4] with the label last is 20000, gradient [1, 0, −1]', () => {
    for (const f of [
      (z: tf.Tensor) => softmaxCrossEntropy([[0, 0, 1]], z),
      (z: tf.Tensor) => sparseSoftmaxCrossEntropy([2], z),
    ]) {
      const [value, grad] = valueAndGradient(f, [[1e4, 0, -1e4]]);
      expect(value).toBe(20000);
      expect(grad.map((g) => g + 0)).toEqual([1, 0, -1]);
    }
  });

  test('softmax cross-entropy: ±3e4 with the label on the low logit gives 60000 per row, 120000 summed', () => {
    const [value, grad] = valueAndGradient((z) => softmaxCrossEntropy([[0, 1], [1, 0]], z, { reduction: 'sum' }), [
      [3e4, -3e4],
      [-3e4, 3e4],
    ]);
    expect(value).toBe(120000);
    expect(grad).toEqual([1, -1, -1, 1]);
  });
});
