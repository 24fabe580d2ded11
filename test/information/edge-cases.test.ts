/** Edge cases the conventions promise: NaN propagation, empty batches, rank 3, the tiniest floats. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { checkGradients, crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { tensorsLeftBy, take } from '../support/tensors.js';

const pairs = { crossEntropy, klDivergence, jsDivergence };

describe('edge cases', () => {
  test.each(Object.entries(pairs))('%s: a NaN or negative q propagates NaN, even where p = 0', (_name, f) => {
    expect(take(f([0, 1], [NaN, 1]))[0]).toBeNaN();
    expect(take(f([0, 1], [-1, 1]))[0]).toBeNaN();
    expect(take(f([NaN, 1], [0.5, 0.5]))[0]).toBeNaN();
  });

  test('entropy: a NaN or negative p propagates NaN', () => {
    expect(take(entropy([NaN, 1]))[0]).toBeNaN();
    expect(take(entropy([-0.5, 1.5]))[0]).toBeNaN();
  });

  test.each(Object.entries({ entropy: (p: tf.Tensor) => entropy(p), ...pairs }))(
    '%s: an empty batch [0, 3] gives an empty result and gradient',
    (_name, f) => {
      const p = tf.zeros([0, 3]);
      const before = tf.memory().numTensors;
      const value = (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(p, p);
      expect(value.shape).toEqual([0]);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(a, b))(
        [p, p].slice(0, f.length),
      );
      expect(grads.map((g) => g.shape)).toEqual(grads.map(() => [0, 3]));
      tf.dispose([value, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
      p.dispose();
    },
  );

  test('rank 3 with the distribution on the middle axis: values per distribution, gradients checked', () => {
    // [2, 3, 2]: two batches of two distributions over 3 outcomes on axis 1.
    const p = tf.tensor3d([0.2, 0.5, 0.3, 0.3, 0.5, 0.2, 0.1, 0.6, 0.6, 0.2, 0.3, 0.2], [2, 3, 2]);
    const q = tf.tensor3d([0.4, 0.3, 0.3, 0.3, 0.3, 0.4, 0.2, 0.2, 0.5, 0.1, 0.3, 0.7], [2, 3, 2]);
    const perDistribution = take(klDivergence(p, q, { axis: 1 }));
    // Distribution [0, :, 0] is (0.2, 0.3, 0.5) against (0.4, 0.3, 0.3).
    expect(perDistribution[0]).toBeCloseTo(0.2 * Math.log(0.5) + 0.5 * Math.log(0.5 / 0.3), 6);
    for (const f of Object.values(pairs)) {
      expect(checkGradients((a, b) => f(a, b, { axis: 1 }), [p, q]).ok).toBe(true);
    }
    tf.dispose([p, q]);
  });

  test('jsDivergence stays finite and tiny for the smallest float32 values', () => {
    const tiny = take(jsDivergence([1e-45, 1], [0, 1]))[0]!;
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(1e-40);
    const [dp] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => jsDivergence(a, b))([tf.tensor1d([1e-45, 1]), tf.tensor1d([0, 1])]).map((g) => Array.from(g.dataSync())));
    // ½ log(p/m) = ½ log 2 at the tiny entry.
    expect(dp![0]).toBeCloseTo(Math.log(2) / 2, 5);
  });

  test.each(Object.entries({ entropy: (p: tf.Tensor) => entropy(p), ...pairs }))(
    '%s: an empty class axis [2, 0] gives 0 per distribution (on wasm too, whose empty sums are garbage)',
    (_name, f) => {
      const p = tf.zeros([2, 0]);
      expect(take((f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(p, p))).toEqual([0, 0]);
      p.dispose();
    },
  );

  test('one class: H = 0 and KL = 0 for [1] against [1]', () => {
    expect(take(entropy([[1], [1]]))).toEqual([0, 0]);
    expect(take(klDivergence([[1]], [[1]]))).toEqual([0]);
    expect(tensorsLeftBy(() => take(crossEntropy([[1]], [[1]])))).toBe(0);
  });
});
