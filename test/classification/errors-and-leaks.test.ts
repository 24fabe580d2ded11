/**
 * Bad input to the classification losses: clear errors with pinned messages,
 * and no tensors left behind by any call, gradient or throw.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  layers,
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';
import { tensorsLeftBy, tensorsLeftByThrowing, take } from '../support/tensors.js';

const z23 = [
  [2, 1, 0.1],
  [0.5, 2.5, 0.3],
];
const y23 = [
  [1, 0, 0],
  [0, 1, 0],
];

describe('classification losses: bad input', () => {
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
    [() => softmaxCrossEntropy(y23, z23, { from_logits: true } as never), "softmaxCrossEntropy: unknown option 'from_logits' (expected one of: axis, labelSmoothing, classWeights, weights, reduction)"],
    [() => sparseSoftmaxCrossEntropy(t.floatIndices, z23), 'sparseSoftmaxCrossEntropy: labels must be an int32 tensor of class indices, got float32 [2]'],
    [() => sparseSoftmaxCrossEntropy([0.5, 1], z23), 'sparseSoftmaxCrossEntropy: labels must hold integer class indices, got 0.5'],
    [() => sparseSoftmaxCrossEntropy([0, 1, 2], z23), 'sparseSoftmaxCrossEntropy: labels [3] must have the shape of logits [2,3] without its last axis ([2])'],
    [() => sparseSoftmaxCrossEntropy([0, 3], z23), 'sparseSoftmaxCrossEntropy: label 3 at [1] is outside [0, 3)'],
    [() => sparseSoftmaxCrossEntropy([[0, -1]], [z23]), 'sparseSoftmaxCrossEntropy: label -1 at [0,1] is outside [0, 3)'],
    [() => sparseSoftmaxCrossEntropy([0, -100], z23, { ignoreIndex: -1 }), 'sparseSoftmaxCrossEntropy: label -100 at [1] is outside [0, 3)'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { ignoreIndex: 0.5 }), 'sparseSoftmaxCrossEntropy: ignoreIndex must be an integer, got 0.5'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { classWeights: [[1, 2, 3]] }), 'sparseSoftmaxCrossEntropy: classWeights [1,3] must have one entry per class ([3])'],
    [() => sigmoidCrossEntropy(y23, [[1, 2, 3]]), 'sigmoidCrossEntropy: labels [2,3] and logits [1,3] must have the same shape'],
    [() => sigmoidCrossEntropy(y23, z23, { posWeight: [1, 2] }), 'sigmoidCrossEntropy: posWeight [2] does not broadcast to logits [2,3]'],
    [() => sigmoidCrossEntropy(y23, z23, { labelSmoothing: 2 }), 'sigmoidCrossEntropy: labelSmoothing must be a finite number in [0, 1], got 2'],
    [() => sigmoidFocalLoss(y23, z23, { gamma: -1 }), 'sigmoidFocalLoss: gamma must be a finite number ≥ 0, got -1'],
    [() => sigmoidFocalLoss(y23, z23, { alpha: 1.5 }), 'sigmoidFocalLoss: alpha must be a finite number ≤ 1, got 1.5'],
    [() => softmaxFocalLoss(y23, z23, { alpha: -0.5 }), 'softmaxFocalLoss: alpha must be a finite number ≥ 0, got -0.5'],
    [() => softmaxFocalLoss(y23, z23, { gamma: NaN }), 'softmaxFocalLoss: gamma must be a finite number ≥ 0, got NaN'],
    [() => softmaxCrossEntropy([[]], [[]]), 'softmaxCrossEntropy: logits [1,0] have no classes along axis 1'],
    [() => sparseSoftmaxCrossEntropy([0], [[]]), 'sparseSoftmaxCrossEntropy: logits [1,0] have no classes along axis 1'],
    [() => softmaxFocalLoss([[]], [[]]), 'softmaxFocalLoss: logits [1,0] have no classes along axis 1'],
    [() => softmaxFocalLoss(y23, 5), 'softmaxFocalLoss: logits must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
  ];

  test.each(cases.map(([call, message]) => ({ call, message })))('throws $message', ({ call, message }) => {
    expect(call).toThrowError(message);
    expect(tensorsLeftByThrowing(call)).toBe(0);
  });

  test('an out-of-range label is a RangeError', () => {
    expect(() => sparseSoftmaxCrossEntropy([0, 3], z23)).toThrowError(RangeError);
  });

  test('int32 one-hot labels (as tf.oneHot returns) are cast and give the float result', () => {
    expect(take(softmaxCrossEntropy(t.int32OneHot, z23))).toEqual(take(softmaxCrossEntropy(y23, z23)));
    expect(take(sigmoidCrossEntropy(t.int32OneHot, z23))).toEqual(take(sigmoidCrossEntropy(y23, z23)));
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
  const empty: Array<[string, (z: tf.Tensor) => tf.Tensor]> = [
    ['softmaxCrossEntropy', (z) => softmaxCrossEntropy(tf.zeros([0, 3]), z, { weights: tf.zeros([0]) })],
    ['sparseSoftmaxCrossEntropy', (z) => sparseSoftmaxCrossEntropy(tf.zeros([0], 'int32'), z)],
    ['sigmoidCrossEntropy', (z) => sigmoidCrossEntropy(tf.zeros([0, 3]), z)],
    ['sigmoidFocalLoss', (z) => sigmoidFocalLoss(tf.zeros([0, 3]), z)],
    ['softmaxFocalLoss', (z) => softmaxFocalLoss(tf.zeros([0, 3]), z)],
  ];
  test.each(empty)('%s: mean and sum of an empty batch are 0, with an empty gradient', (_name, loss) => {
    const [value, gradShape] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad(loss)(tf.zeros([0, 3]));
      return [value.dataSync()[0], grad.shape];
    });
    expect(value).toBe(0);
    expect(gradShape).toEqual([0, 3]);
  });
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

describe('classification losses: no leaked tensors', () => {
  // [name, loss of (labels, logits), whether labels are a differentiated (float) input]
  const losses: Array<[string, (y: tf.Tensor, z: tf.Tensor) => tf.Tensor, boolean]> = [
    ['softmaxCrossEntropy', (y, z) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.1, classWeights: [1, 2, 3], weights: [1, 0.5] }), true],
    ['sparseSoftmaxCrossEntropy', (_y, z) => sparseSoftmaxCrossEntropy([0, -1], z, { ignoreIndex: -1, classWeights: [1, 2, 3], labelSmoothing: 0.1 }), false],
    ['sigmoidCrossEntropy', (y, z) => sigmoidCrossEntropy(y, z, { posWeight: [1, 2, 3], weights: [[1], [2]] }), true],
    ['sigmoidFocalLoss', (y, z) => sigmoidFocalLoss(y, z, { gamma: 1.5 }), true],
    ['softmaxFocalLoss', (y, z) => softmaxFocalLoss(y, z, { weights: [1, 2] }), true],
  ];

  test.each(losses)('%s: a call adds its result only; tf.grads its gradients only; a throw nothing', (_name, loss, labelsDifferentiated) => {
    const y = tf.tensor2d(y23);
    const z = tf.tensor2d(z23);
    const gradients = labelsDifferentiated
      ? () => tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a, b))([y, z])
      : () => [tf.grad((b: tf.Tensor) => loss(y, b))(z)];
    expect(tensorsLeftBy(() => loss(y, z).dispose())).toBe(0);
    expect(tensorsLeftBy(() => loss(y, z))).toBe(1);
    expect(tensorsLeftBy(() => tf.dispose(gradients()))).toBe(0);
    expect(tensorsLeftBy(gradients)).toBe(labelsDifferentiated ? 2 : 1);
    const mismatched = tf.zeros([3, 3]);
    expect(tensorsLeftByThrowing(() => tf.grad((b: tf.Tensor) => loss(y, b))(mismatched))).toBe(0);
    tf.dispose([y, z, mismatched]);
  });
});

describe('a throw under tf.grad leaves nothing behind, whichever check fails', () => {
  // Checks that could only run after some ops had been recorded would leak the
  // tensors tfjs saves for their gradients; every check runs before the first op.
  const lateFailures: Array<[string, (z: tf.Tensor) => tf.Tensor]> = [
    ['softmaxCrossEntropy weights', (z) => softmaxCrossEntropy(y23, z, { classWeights: [1, 2, 3], labelSmoothing: 0.1, weights: [1, 2, 3] })],
    ['softmaxCrossEntropy classWeights', (z) => softmaxCrossEntropy(y23, z, { labelSmoothing: 0.1, classWeights: [1, 2] })],
    ['sparseSoftmaxCrossEntropy classWeights', (z) => sparseSoftmaxCrossEntropy([0, 1], z, { ignoreIndex: -1, classWeights: [1, 2] })],
    ['sparseSoftmaxCrossEntropy weights', (z) => sparseSoftmaxCrossEntropy([0, 1], z, { classWeights: [1, 2, 3], weights: [1, 2, 3] })],
    ['sigmoidCrossEntropy weights', (z) => sigmoidCrossEntropy(y23, z, { posWeight: [1, 2, 3], labelSmoothing: 0.2, weights: [1, 2] })],
    ['sigmoidCrossEntropy posWeight', (z) => sigmoidCrossEntropy(y23, z, { labelSmoothing: 0.2, posWeight: [1, 2] })],
    ['sigmoidFocalLoss weights', (z) => sigmoidFocalLoss(y23, z, { weights: [[1, 2]] })],
    ['softmaxFocalLoss weights', (z) => softmaxFocalLoss(y23, z, { weights: [1, 2, 3] })],
  ];
  test.each(lateFailures)('%s', (_name, loss) => {
    const z = tf.tensor2d(z23);
    expect(tensorsLeftByThrowing(() => tf.grad(loss)(z))).toBe(0);
    z.dispose();
  });
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
    const focal = tf.tidy(() => softmaxFocalLoss([[1, 0, 0]], logits, { gamma: 2, alpha: 1 }).dataSync()[0]!);
    expect(focal).toBeCloseTo((1 - Math.exp(-expected)) ** 2 * expected, 6);
  });

  test("a 'mean' whose denominator is 0 but numerator is not is +Infinity, as in PyTorch", () => {
    // Every target's class weight is 0, but smoothing spreads mass to weighted classes.
    const options = { classWeights: [0, 1, 1], labelSmoothing: 0.1 };
    expect(take(sparseSoftmaxCrossEntropy([0, 0], z23, { ...options, reduction: 'sum' }))[0]).toBeGreaterThan(0);
    expect(take(sparseSoftmaxCrossEntropy([0, 0], z23, options))[0]).toBe(Infinity);
  });
});
