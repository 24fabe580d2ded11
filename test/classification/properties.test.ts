/**
 * Invariants of the classification losses (fast-check, fixed seed). Where two
 * computations should agree, they agree to the float32 bound of
 * test/support/float32.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';
import { expectWithinFloat32 } from '../support/float32.js';

const float = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(Math.fround);

/** A [batch, classes] problem: logits, class-index labels and their one-hot form. */
const problem = fc
  .record({ batch: fc.integer({ min: 1, max: 5 }), classes: fc.integer({ min: 1, max: 6 }) })
  .chain(({ batch, classes }) =>
    fc.record({
      classes: fc.constant(classes),
      logits: fc.array(fc.array(float(-20, 20), { minLength: classes, maxLength: classes }), {
        minLength: batch,
        maxLength: batch,
      }),
      labels: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: batch, maxLength: batch }),
      shift: float(-50, 50),
    }),
  );

const oneHot = (labels: number[], classes: number) => labels.map((y) => Array.from({ length: classes }, (_, c) => (c === y ? 1 : 0)));
const scaleOf = (logits: number[][]) => 1 + 2 * Math.max(...logits.flat().map(Math.abs));

/** Value and logit gradient of a loss of (labels, logits), as plain arrays. */
function valueAndLogitGradient(f: (z: tf.Tensor) => tf.Tensor, logits: number[][]) {
  return tf.tidy(() => {
    const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(logits));
    return { value: Array.from(value.dataSync()), grad: Array.from(grad.dataSync()) };
  });
}

describe('classification loss properties', () => {
  test.prop([problem])('adding a constant to a row of logits changes nothing (softmax losses)', (c) => {
    const shifted = c.logits.map((row) => row.map((z) => Math.fround(z + c.shift)));
    const y = oneHot(c.labels, c.classes);
    const losses = [
      (z: tf.Tensor) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.1, reduction: 'none' }),
      (z: tf.Tensor) => sparseSoftmaxCrossEntropy(c.labels, z, { reduction: 'none' }),
      (z: tf.Tensor) => softmaxFocalLoss(y, z, { reduction: 'none' }),
    ];
    for (const loss of losses) {
      const [a, b] = [valueAndLogitGradient(loss, c.logits), valueAndLogitGradient(loss, shifted)];
      // Shifting rounds each logit (|z + s| up to 70): that rounding, not the loss, sets the scale.
      const scale = scaleOf(c.logits) + 2 * Math.abs(c.shift);
      expectWithinFloat32(a.value, b.value, { scale, terms: c.classes });
      expectWithinFloat32(a.grad, b.grad, { scale, terms: c.classes });
    }
  });

  test.prop([problem])('logit gradient rows sum to 0 when the labels of a row sum to 1', (c) => {
    const y = oneHot(c.labels, c.classes);
    for (const loss of [
      (z: tf.Tensor) => softmaxCrossEntropy(y, z, { labelSmoothing: 0.3, reduction: 'sum' }),
      (z: tf.Tensor) => softmaxFocalLoss(y, z, { gamma: 1.5, reduction: 'sum' }),
    ]) {
      const { grad } = valueAndLogitGradient(loss, c.logits);
      for (let row = 0; row < c.logits.length; row++) {
        const rowSum = grad.slice(row * c.classes, (row + 1) * c.classes).reduce((a, b) => a + b, 0);
        // Entries are at most 1 in size: C of them, each with a few ulps of error.
        expect(Math.abs(rowSum)).toBeLessThanOrEqual((16 + c.classes) * 2 ** -24 * c.classes);
      }
    }
  });

  test.prop([problem, fc.constantFrom(0, 0.1, 0.4), fc.boolean()])(
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

  test.prop([problem])('labelSmoothing: 0 is exactly no smoothing', (c) => {
    const y = oneHot(c.labels, c.classes);
    for (const loss of [softmaxCrossEntropy, sigmoidCrossEntropy] as const) {
      const plain = valueAndLogitGradient((z) => loss(y, z, { reduction: 'none' }), c.logits);
      const zero = valueAndLogitGradient((z) => loss(y, z, { labelSmoothing: 0, reduction: 'none' }), c.logits);
      expect(zero).toEqual(plain);
    }
  });

  test.prop([problem])('focal losses with γ = 0 equal the matching cross-entropy', (c) => {
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

  test.prop([problem, fc.integer({ min: 0, max: 2 })])(
    'moving the class axis (with the matching axis option) changes nothing',
    (c, axis) => {
      // Rank 3: [batch, 1, classes] moved so that the classes sit on `axis`.
      const order = [0, 1];
      order.splice(axis, 0, 2);
      const y = oneHot(c.labels, c.classes);
      for (const loss of [softmaxCrossEntropy, softmaxFocalLoss] as const) {
        const [last, moved] = tf.tidy(() => {
          const labels3 = tf.expandDims(tf.tensor2d(y), 1);
          const logits3 = tf.expandDims(tf.tensor2d(c.logits), 1);
          const options = { reduction: 'none' as const, labelSmoothing: 0.1 };
          const base = loss === softmaxFocalLoss ? { reduction: 'none' as const } : options;
          return [
            Array.from(loss(labels3, logits3, base).dataSync()),
            Array.from(loss(tf.transpose(labels3, order), tf.transpose(logits3, order), { ...base, axis }).dataSync()),
          ];
        });
        expectWithinFloat32(moved, last, { scale: scaleOf(c.logits), terms: c.classes });
      }
    },
  );

  test.prop([problem, fc.constantFrom(-3e4, -1e4, -100, 100, 1e4, 3e4), fc.constantFrom(0.05, 0.5, 2)])(
    'finite logits, however extreme, give finite values and gradients for labels and logits (never NaN)',
    (c, extreme, gamma) => {
      const logits = c.logits.map((row, r) => row.map((z, k) => ((r + k) % 2 === 0 ? extreme : z)));
      const y = oneHot(c.labels, c.classes);
      const denseLosses = [
        (labels: tf.Tensor, z: tf.Tensor) => softmaxCrossEntropy(labels, z, { labelSmoothing: 0.1 }),
        (labels: tf.Tensor, z: tf.Tensor) => sigmoidCrossEntropy(labels, z, { posWeight: [2] }),
        (labels: tf.Tensor, z: tf.Tensor) => sigmoidFocalLoss(labels, z, { gamma }),
        (labels: tf.Tensor, z: tf.Tensor) => softmaxFocalLoss(labels, z, { gamma }),
      ];
      for (const loss of denseLosses) {
        const values = tf.tidy(() => {
          const { value, grads } = tf.valueAndGrads(loss)([tf.tensor2d(y), tf.tensor2d(logits)]);
          return [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
        });
        expect(values.every(Number.isFinite), String(loss)).toBe(true);
      }
      const sparse = valueAndLogitGradient((z) => sparseSoftmaxCrossEntropy(c.labels, z), logits);
      expect([...sparse.value, ...sparse.grad].every(Number.isFinite)).toBe(true);
    },
  );
});
