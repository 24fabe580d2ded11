/**
 * Fuzzing every public function with valid inputs (fast-check, fixed seed,
 * bounded runs): random batch sizes (0 included), class counts (1 included),
 * ranks 1 to 4 (those a function takes), values pushed to their extremes and random valid options give
 * no NaN in any value or gradient, the documented output shape, and no
 * leaked tensor. test/fuzz-invalid.test.ts feeds them invalid inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { fc } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { describe, expect, test } from 'vitest';
import { extreme, inputShape, outputShape, publicCases, toInputs, valueAndGradients, type Options, type PublicCase } from './support/public-functions.js';

/**
 * Runs the case on the leading shape and class count, returning its value's
 * shape, every number it gave, and the tensors it left once its value and
 * gradients are disposed (counted outside any tidy scope, which would hide a leak).
 */
function run(c: PublicCase, leading: number[], classes: number, raw: ReadonlyArray<number[][] | number[]>, options: Options) {
  const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [...leading, classes], options)));
  const before = tf.memory().numTensors;
  const { value, gradients } = valueAndGradients(c, inputs, options);
  const numbers = [...value.dataSync(), ...gradients.flatMap((g) => Array.from(g.dataSync()))];
  const shape = value.shape;
  tf.dispose([value, ...gradients]);
  const leaked = tf.memory().numTensors - before;
  tf.dispose(inputs);
  return { shape, expectedShape: outputShape(c, options, [...leading, classes]), numbers, leaked };
}

describe('fuzzing every public function with valid inputs and options', () => {
  test.each(publicCases.map((c) => [c.title, c] as const))('%s: batches of 0 to 4, 1 to 6 classes: no NaN, documented shape, no leaked tensor', (_name, c) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer(), c.validOptions(2), (batch, classes, seed, options) => {
        // An empty class axis (axis 0 of an empty batch) is an error for the softmax losses: see the bad-input tests.
        fc.pre(!(batch === 0 && (options['axis'] === 0 || options['axis'] === -2)));
        const { shape, expectedShape, numbers, leaked } = run(c, [batch], classes, c.inputs(batch, classes, seedrandom(String(seed))), options);
        expect(leaked).toBe(0);
        expect(shape).toEqual(expectedShape);
        expect(numbers.some(Number.isNaN), `${JSON.stringify(options)}: ${numbers.slice(0, 8)}`).toBe(false);
      }),
      { numRuns: 25 },
    );
  });

  test.each(publicCases.map((c) => [c.title, c] as const))('%s: at its extremes and at ranks 1 to 4 (those it takes): no NaN, documented shape, no leaked tensor', (_name, c) => {
    const cases = fc.constantFrom(...(c.ranks ?? [1, 2, 3, 4])).chain((rank) => fc.tuple(fc.constant(rank), c.validOptions(rank)));
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer(), cases, fc.boolean(), (batch, classes, seed, [rank, options], pushed) => {
        const rows = rank === 1 ? 1 : batch;
        const raw = c.inputs(rows, classes, seedrandom(String(seed))).map((x, i) => (pushed ? extreme(c.kinds[i]!, x) : x));
        // [rows, C] becomes [C] (rank 1), [1, rows, C] (3) or [1, 1, rows, C] (4); [rows] follows the leading axes.
        const leading = rank === 1 ? [] : rank === 2 ? [rows] : rank === 3 ? [1, rows] : [1, 1, rows];
        const { shape, expectedShape, numbers, leaked } = run(c, leading, classes, raw, options);
        expect(leaked).toBe(0);
        expect(shape).toEqual(expectedShape);
        expect(numbers.some(Number.isNaN), `${JSON.stringify(options)}: ${numbers.slice(0, 8)}`).toBe(false);
      }),
      { numRuns: 30 },
    );
  });
});
