/**
 * Checks shared by the classification-loss test files (test/losses/): each
 * makes the same assertions for whichever losses a file passes it. The
 * `expect…` functions are bodies of property tests; the `test…` functions
 * register one test per row they are given.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { scaleOf, type Problem } from './classification-arbitraries.js';
import { valueAndLogitGradient, y23, z23 } from './classification-fixtures.js';
import { expectWithinFloat32 } from './float32.js';
import { tensorsLeftBy, tensorsLeftByThrowing } from './tensors.js';

// ---- Properties

/** Adding `c.shift` to every logit leaves each loss's value and logit gradient the same. */
export function expectShiftInvariant(c: Problem, losses: Array<(z: tf.Tensor) => tf.Tensor>): void {
  const shifted = c.logits.map((row) => row.map((z) => Math.fround(z + c.shift)));
  for (const loss of losses) {
    const [a, b] = [valueAndLogitGradient(loss, c.logits), valueAndLogitGradient(loss, shifted)];
    // Shifting rounds each logit (|z + s| up to 70): that rounding, not the loss, sets the scale.
    const scale = scaleOf(c.logits) + 2 * Math.abs(c.shift);
    expectWithinFloat32(a.value, b.value, { scale, terms: c.classes });
    expectWithinFloat32(a.grad, b.grad, { scale, terms: c.classes });
  }
}

/** Each row of each loss's logit gradient sums to 0. */
export function expectLogitGradientRowsSumToZero(c: Problem, losses: Array<(z: tf.Tensor) => tf.Tensor>): void {
  for (const loss of losses) {
    const { grad } = valueAndLogitGradient(loss, c.logits);
    for (let row = 0; row < c.logits.length; row++) {
      const rowSum = grad.slice(row * c.classes, (row + 1) * c.classes).reduce((a, b) => a + b, 0);
      // Entries are at most 1 in size: C of them, each with a few ulps of error.
      expect(Math.abs(rowSum)).toBeLessThanOrEqual((16 + c.classes) * 2 ** -24 * c.classes);
    }
  }
}

type SmoothedLoss = (labels: number[][], logits: tf.Tensor, options: { labelSmoothing?: number; reduction: 'none' }) => tf.Tensor;

/** On labels `y` and logits `c.logits`, `labelSmoothing: 0` gives exactly the value and logit gradient of no `labelSmoothing`. */
export function expectZeroSmoothingExact(c: Problem, y: number[][], loss: SmoothedLoss): void {
  const plain = valueAndLogitGradient((z) => loss(y, z, { reduction: 'none' }), c.logits);
  const zero = valueAndLogitGradient((z) => loss(y, z, { labelSmoothing: 0, reduction: 'none' }), c.logits);
  expect(zero).toEqual(plain);
}

/**
 * The loss (with options `base`) of [batch, 1, classes] labels `y` and logits
 * `c.logits` equals that of both moved so that the classes sit on `axis`,
 * given that axis option.
 */
export function expectClassAxisMovable<O extends object>(
  c: Problem,
  y: number[][],
  axis: number,
  loss: (labels: tf.Tensor, logits: tf.Tensor, options: O & { axis?: number }) => tf.Tensor,
  base: O,
): void {
  // Rank 3: [batch, 1, classes] moved so that the classes sit on `axis`.
  const order = [0, 1];
  order.splice(axis, 0, 2);
  const [last, moved] = tf.tidy(() => {
    const labels3 = tf.expandDims(tf.tensor2d(y), 1);
    const logits3 = tf.expandDims(tf.tensor2d(c.logits), 1);
    return [
      Array.from(loss(labels3, logits3, base).dataSync()),
      Array.from(loss(tf.transpose(labels3, order), tf.transpose(logits3, order), { ...base, axis }).dataSync()),
    ];
  });
  expectWithinFloat32(moved, last, { scale: scaleOf(c.logits), terms: c.classes });
}

/** Each loss of (labels `y`, logits) has a finite value and finite gradients for labels and logits. */
export function expectFiniteValuesAndGradients(
  y: number[][],
  logits: number[][],
  denseLosses: Array<(labels: tf.Tensor, z: tf.Tensor) => tf.Tensor>,
): void {
  for (const loss of denseLosses) {
    const values = tf.tidy(() => {
      const { value, grads } = tf.valueAndGrads(loss)([tf.tensor2d(y), tf.tensor2d(logits)]);
      return [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
    });
    expect(values.every(Number.isFinite), String(loss)).toBe(true);
  }
}



// ---- Bad input and leaks

/** One test per loss of [0, 3] logits and a reduction: its mean and sum of an empty batch are 0, with an empty gradient. */
export function testEmptyBatchesAreZero(empty: Array<[string, (z: tf.Tensor, reduction: 'mean' | 'sum') => tf.Tensor]>): void {
  test.each(empty)('%s: mean and sum of an empty batch are 0, with an empty gradient', (_name, loss) => {
    for (const reduction of ['mean', 'sum'] as const) {
      const [value, gradShape] = tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((z: tf.Tensor) => loss(z, reduction))(tf.zeros([0, 3]));
        return [value.dataSync()[0], grad.shape];
      });
      expect(value, reduction).toBe(0);
      expect(gradShape).toEqual([0, 3]);
    }
  });
}

/** [name, loss of (labels, logits), whether labels are a differentiated (float) input] */
export type LeakCase = [string, (y: tf.Tensor, z: tf.Tensor) => tf.Tensor, boolean];

/** One test per loss, on labels `y23` and logits `z23`. */
export function testNoLeakedTensors(losses: LeakCase[]): void {
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
}

/** One test per loss that throws at the logits `z23`, named by it: tf.grad of it leaves nothing behind. */
export function testGradThrowLeavesNothing(lateFailures: Array<[string, (z: tf.Tensor) => tf.Tensor]>): void {
  test.each(lateFailures)('%s', (_name, loss) => {
    const z = tf.tensor2d(z23);
    expect(tensorsLeftByThrowing(() => tf.grad(loss)(z))).toBe(0);
    z.dispose();
  });
}
