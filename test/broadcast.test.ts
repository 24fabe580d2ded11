/**
 * src/broadcast.ts: broadcasting whose gradient sums back to the input's
 * shape for every shape, including shapes with a 0 dimension, where tfjs
 * 4.22's own mul/add gradient throws.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { broadcastTo } from '../src/machinery/tfjs-workarounds.js';
import { checkGradients } from '../src/index.js';
import { tensorsLeftBy } from './support/tensors.js';

/** Σ (x broadcast)·weights for fixed weights w, whose gradient is w summed over the broadcast axes. */
const weightedSum = (shape: number[]) => (x: tf.Tensor) => {
  const w = tf.range(1, shape.reduce((a, b) => a * b, 1) + 1).reshape(shape);
  return tf.sum(tf.mul(broadcastTo(x, shape), w));
};

describe('broadcastTo', () => {
  test.each([
    [[3], [2, 3]],
    [[1, 3], [2, 3]],
    [[2, 1], [2, 3]],
    [[], [2, 3]],
    [[1], [4]],
    [[3, 1, 2], [3, 4, 2]],
  ])('%j to %j: the value of tfjs\'s broadcast, a gradient that passes checkGradients and equals tfjs autodiff', (from, to) => {
    const x = tf.tidy(() => tf.randomUniform(from, -1, 1, 'float32', 7));
    const [value, expected] = tf.tidy(() => [Array.from(broadcastTo(x, to).dataSync()), Array.from(tf.add(x, tf.zeros(to)).dataSync())]);
    expect(value).toEqual(expected);
    expect(checkGradients(weightedSum(to), [x]).ok).toBe(true);
    const [ours, tfjs] = tf.tidy(() => [
      Array.from(tf.grad(weightedSum(to))(x).dataSync()),
      Array.from(tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.add(t, tf.zeros(to)), tf.range(1, to.reduce((a, b) => a * b, 1) + 1).reshape(to))))(x).dataSync()),
    ]);
    x.dispose();
    expect(ours).toEqual(tfjs);
  });

  test.each([
    [[1, 3], [0, 3]],
    [[3], [0, 3]],
    [[1], [0]],
    [[2, 1], [2, 0]],
  ])('%j to the empty %j: an empty value and a zero gradient of the input\'s shape (tfjs\'s own throws for a 1 against a 0)', (from, to) => {
    const [shape, gradient] = tf.tidy(() => {
      const x = tf.ones(from);
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(broadcastTo(t, to), 2)))(x);
      return [broadcastTo(x, to).shape, g] as const;
    });
    expect(shape).toEqual(to);
    expect(gradient.shape).toEqual(from);
    expect(Array.from(gradient.dataSync()).every((g) => g === 0)).toBe(true);
    gradient.dispose();
  });

  test('tfjs 4.22\'s own gradient throws where this one is needed', () => {
    const x = tf.ones([1, 3]);
    expect(() => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(t, tf.ones([0, 3]))))(x))).toThrow(/does not match the shape/);
    x.dispose();
  });

  test('a tensor of the target shape is returned as it is, and only the gradient is left', () => {
    const [full, row] = [tf.ones([2, 3]), tf.ones([1, 3])];
    expect(broadcastTo(full, [2, 3])).toBe(full);
    expect(tensorsLeftBy(() => tf.grad((t: tf.Tensor) => tf.sum(broadcastTo(t, [0, 3])))(row))).toBe(1);
    expect(tensorsLeftBy(() => tf.grad((t: tf.Tensor) => tf.sum(broadcastTo(t, [2, 3])))(row))).toBe(1);
    tf.dispose([full, row]);
  });
});
