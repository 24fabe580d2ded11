/** Rows of the README's bad-input catalogue not pinned elsewhere. */
import { expect, test } from 'vitest';
import { crossEntropy, klDivergence, layers } from '../src/index.js';
import * as tf from '@tensorflow/tfjs';
import { take } from './support/tensors.js';

test('probabilities that do not sum to 1 are used as given, not renormalised', () => {
  // Σ p log(p/q) with q = p/2: log 2 per unit of p mass, here 1.
  expect(take(klDivergence([0.5, 0.5], [0.25, 0.25]))[0]).toBeCloseTo(Math.log(2), 6);
  // −Σ p log q with p summing to 2: twice the value for the normalised p.
  expect(take(crossEntropy([1, 1], [0.5, 0.5]))[0]).toBeCloseTo(2 * Math.log(2), 6);
  const loss = layers.categoricalCrossentropy();
  const value = tf.tidy(() => loss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.25, 0.25]])).dataSync()[0]);
  expect(value).toBeCloseTo(Math.log(4), 6);
});

test('an option set to null is an error, not its default: leave it out (or pass undefined)', () => {
  expect(() => klDivergence([0.5, 0.5], [0.5, 0.5], { base: null as never })).toThrow(
    "klDivergence: option 'base' is null; leave it out (or pass undefined) for its default",
  );
  expect(() => layers.categoricalCrossentropy({ labelSmoothing: null as never })).toThrow(
    "layers.categoricalCrossentropy: option 'labelSmoothing' is null",
  );
  expect(take(klDivergence([0.5, 0.5], [0.25, 0.75], { base: undefined } as never))[0]).toBeCloseTo(take(klDivergence([0.5, 0.5], [0.25, 0.75]))[0]!, 7);
});
