/**
 * fast-check arbitraries and error scales shared by the classification-loss
 * tests (test/losses/): the random inputs of the float64 reference tests and
 * the [batch, classes] problems of the property tests. Floats are rounded to
 * float32, so the float64 reference sees the very numbers tfjs sees.
 */
import fc from 'fast-check';
import { float, sizeOf } from './arbitraries.js';


/** Batch shape ([N] or [B, T]) and class count. */
const layout = fc.record({
  batchShape: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
  classes: fc.integer({ min: 2, max: 5 }),
});

/**
 * Sample weights: 0 or in [1e-3, 2]. (A subnormal weight sum, below 1.2e-38,
 * makes the float32 gradient of the weighted mean overflow: out of scope.)
 */
export const weightsOf = (count: number) =>
  fc.array(fc.oneof(fc.constant(0), float(1e-3, 2)), { minLength: count, maxLength: count });

/**
 * A random layout (batch shape and class count), then the fields `fields`
 * makes for its `n` samples of `classes` classes, after `batchShape` and
 * `classes` (in this order, so a seed draws the same inputs).
 */
export function layoutCases<M extends Record<string, fc.Arbitrary<unknown>>>(
  fields: (n: number, classes: number) => M,
): fc.Arbitrary<{ batchShape: [number] | [number, number]; classes: number } & { [K in keyof M]: ValueOf<M[K]> }> {
  return layout.chain(({ batchShape, classes }) => {
    const n = sizeOf(batchShape);
    return fc.record({ batchShape: fc.constant(batchShape), classes: fc.constant(classes), ...fields(n, classes) });
  }) as never;
}
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

/**
 * Magnitude scale of logits-based losses: (1 + 2·max|z| + log C), the size of
 * a log-softmax entry, times (1 + the largest product of class and sample
 * weights and target mass that multiplies it).
 */
export const logitScale = (logits: number[], classes: number, weightProduct: number) =>
  (1 + 2 * Math.max(...logits.map(Math.abs)) + Math.log(classes)) * (1 + weightProduct);

/** A [batch, classes] problem: logits, class-index labels and their one-hot form. */
export const problem = fc
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
export type Problem = typeof problem extends fc.Arbitrary<infer T> ? T : never;

export const oneHot = (labels: number[], classes: number) => labels.map((y) => Array.from({ length: classes }, (_, c) => (c === y ? 1 : 0)));
export const scaleOf = (logits: number[][]) => 1 + 2 * Math.max(...logits.flat().map(Math.abs));
