/**
 * Fuzzing every public function (fast-check, fixed seed, bounded runs): random
 * valid batch sizes (0 included) and class counts (1 included) and random
 * values give no NaN in any value or gradient, and leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { describe, expect } from 'vitest';
import { publicCases } from './support/public-functions.js';

describe('fuzzing every public function', () => {
  test.each(publicCases.map((c) => [c.name, c] as const))('%s: no NaN and no leaked tensor', (_name, c) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer(), (batch, classes, seed) => {
        const raw = c.inputs(batch, classes, seedrandom(String(seed)));
        const before = tf.memory().numTensors;
        const values = tf.tidy(() => {
          // An empty batch is an empty array: give it its shape from the input's rank.
          const inputs = raw.map((x, i) => (x.length === 0 ? tf.zeros(c.ranks[i] === 2 ? [0, classes] : [0]) : tf.tensor(x as number[])));
          const value = c.call(...inputs);
          const grads = tf.grads((...xs: tf.Tensor[]) =>
            c.call(...inputs.map((x, i) => (c.differentiable.includes(i) ? xs[c.differentiable.indexOf(i)]! : x))),
          )(c.differentiable.map((i) => inputs[i]!));
          return [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(values.some(Number.isNaN)).toBe(false);
      }),
      { numRuns: 25 },
    );
  });
});
