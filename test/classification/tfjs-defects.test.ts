/**
 * What tfjs 4.22's own `tf.losses.softmaxCrossEntropy` gets wrong, shown on
 * tfjs itself, next to our loss getting it right; and exact results at
 * extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';
import { logSoftmax64, softmaxCrossEntropy64 } from '../support/classification-reference.js';
import { expectWithinFloat32 } from '../support/float32.js';

const labels = [
  [0.1, 0.7, 0.2],
  [0.3, 0.3, 0.4],
];
const logits = [
  [1, 2, 0.5],
  [-1, 0, 3],
];

describe('tfjs 4.22 defects we do not repeat', () => {
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
    const oneHot = softmaxCrossEntropy64([[0, 1, 0], [0, 0, 1]], logits) as number;
    expect(Math.abs(value - oneHot)).toBeLessThan(1e-6);
  });
});

describe('extreme logits give exact finite values and gradients', () => {
  const valueAndGradient = (f: (z: tf.Tensor) => tf.Tensor, z: number[][]) =>
    tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad(f)(tf.tensor2d(z));
      return [value.dataSync()[0], Array.from(grad.dataSync())] as const;
    });

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

  test('sigmoid cross-entropy: z = −1e4 with y = 1 is 1e4, z = 1e4 with y = 1 is 0', () => {
    const [value, grad] = valueAndGradient((z) => sigmoidCrossEntropy([[1, 1]], z, { reduction: 'sum' }), [[-1e4, 1e4]]);
    expect(value).toBe(1e4);
    expect(grad.map((g) => g + 0)).toEqual([-1, 0]);
  });

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
