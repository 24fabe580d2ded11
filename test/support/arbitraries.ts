/**
 * fast-check arbitraries for probability vectors, exactly representable in
 * float32 so the float64 reference sees the very numbers tfjs sees.
 */
import fc from 'fast-check';
import type { Reduction } from './classification-reference.js';

/** Rounds to float32 and renormalises nothing: the sum may differ from 1 by a few ulp. */
const toFloat32 = (xs: readonly number[]): number[] => xs.map((x) => Math.fround(x));

/**
 * A probability vector of `classes` entries. Weights are integers in
 * [min, 1000], so with `allowZeros` some entries are exactly 0.
 */
export function distribution(classes: number, { allowZeros = false } = {}): fc.Arbitrary<number[]> {
  return fc
    .array(fc.integer({ min: allowZeros ? 0 : 1, max: 1000 }), { minLength: classes, maxLength: classes })
    .filter((weights) => weights.some((w) => w > 0))
    .map((weights) => {
      const total = weights.reduce((a, b) => a + b, 0);
      return toFloat32(weights.map((w) => w / total));
    });
}

/** A `[batch, classes]` batch of distributions. */
export function distributions(batch: number, classes: number, options = {}): fc.Arbitrary<number[][]> {
  return fc.array(distribution(classes, options), { minLength: batch, maxLength: batch });
}

/**
 * Batch and class counts, then two batches p and q of that shape; with
 * `allowZeros`, either may have entries exactly 0 (so q = 0 < p, giving
 * +Infinity for KL and cross-entropy, is drawn too).
 */
export const distributionPair = (options: { allowZeros?: boolean } = {}) =>
  fc
    .record({ batch: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 8 }) })
    .chain(({ batch, classes }) =>
      fc.tuple(distributions(batch, classes, options), distributions(batch, classes, options)),
    );

/** A float32 number in [min, max] (never NaN or ±Infinity). */
export const float = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(Math.fround);
/** `count` float32 numbers in [min, max], flat. */
export const flatOf = (count: number, min: number, max: number) => fc.array(float(min, max), { minLength: count, maxLength: count });
/** One of the three reductions. */
export const reductions = fc.constantFrom<Reduction>('none', 'sum', 'mean');
/** The number of entries of a shape. */
export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
