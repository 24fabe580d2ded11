/**
 * Fuzzing every public function (fast-check, fixed seed, bounded runs): random
 * valid batch sizes (0 included) and class counts (1 included) and random
 * values give no NaN in any value or gradient, and leave no tensor behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { describe, expect } from 'vitest';
import { publicCases, type InputKind } from './support/public-functions.js';

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

/** Pushes an input to its kind's extremes: logits ±3e4, log-variances ±30, probabilities exactly 0 or 1. */
function extreme(kind: InputKind, values: number[] | number[][]): number[] | number[][] {
  const map = (f: (x: number) => number) => (values as number[][]).map((row) => (Array.isArray(row) ? row.map(f) : f(row as unknown as number))) as number[][];
  if (kind === 'logit') return map((x) => x * 1e4);
  if (kind === 'logVar') return map((x) => x * 10);
  if (kind === 'probability') return map((x) => (x < 0.2 ? 0 : x > 0.8 ? 1 : x));
  return values;
}

describe('fuzzing every public function at its extremes and at ranks 1 to 4', () => {
  test.each(publicCases.map((c) => [c.name, c] as const))('%s: no NaN, documented output shape, no leaked tensor', (_name, c) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer(), fc.constantFrom(1, 2, 3, 4), fc.boolean(), (batch, classes, seed, rank, pushed) => {
        const rows = rank === 1 ? 1 : batch;
        const raw = c.inputs(rows, classes, seedrandom(String(seed))).map((x, i) => (pushed ? extreme(c.kinds[i]!, x) : x));
        // [rows, C] becomes [C] (rank 1), [1, rows, C] (3) or [1, 1, rows, C] (4); [rows] follows the leading axes.
        const leading = rank === 1 ? [] : rank === 2 ? [rows] : rank === 3 ? [1, rows] : [1, 1, rows];
        const shapeOf = (i: number) => (c.kinds[i] === 'prior' && c.ranks[i] === 1 ? [classes] : c.ranks[i] === 2 ? [...leading, classes] : leading);
        const before = tf.memory().numTensors;
        let values: number[] = [];
        let outputShape: number[] = [];
        tf.tidy(() => {
          const inputs = raw.map((x, i) => tf.reshape(tf.tensor((x as number[]).flat() as number[]), shapeOf(i)));
          const value = c.call(...inputs);
          const grads = tf.grads((...xs: tf.Tensor[]) =>
            c.call(...inputs.map((x, i) => (c.differentiable.includes(i) ? xs[c.differentiable.indexOf(i)]! : x))),
          )(c.differentiable.map((i) => inputs[i]!));
          values = [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
          outputShape = value.shape;
        });
        expect(tf.memory().numTensors).toBe(before);
        expect(outputShape).toEqual(c.output === 'scalar' ? [] : leading);
        expect(values.some(Number.isNaN), `values ${values.slice(0, 8)}`).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
