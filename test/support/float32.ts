/** Float32 error bounds for comparing tfjs results with a float64 reference. */
import { expect } from 'vitest';

/** Unit roundoff of float32, 2⁻²⁴. */
export const UNIT_ROUNDOFF = 2 ** -24;

/**
 * Asserts |actual − expected| ≤ (16 + terms)·u·(scale + |expected|) entrywise.
 *
 * The standard error model: each float32 operation is off by at most u
 * relative to the magnitudes it works on; `scale` is the largest magnitude an
 * entry is computed from (for losses from logits, about (1 + 2·max|z| + log C)
 * times the size of the result), 16 covers the few operations per term (a
 * log-sum-exp, a product, a difference) at a few ulp each, and `terms` the
 * float32 accumulation of that many summands (wasm sums in float32). The
 * |expected| term is the relative part: a result amplified by a small
 * denominator (a weighted mean with small weights) is as accurate relative
 * to itself as its inputs.
 */
export function expectWithinFloat32(
  actual: readonly number[],
  expected: readonly number[],
  { scale, terms, label = '' }: { scale: number; terms: number; label?: string },
): void {
  expect(actual.length, `${label} length`).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const bound = (16 + terms) * UNIT_ROUNDOFF * (scale + Math.abs(e));
    expect(Math.abs(a - e), `${label}[${i}]: ${a} vs ${e}`).toBeLessThanOrEqual(bound);
  });
}

/** Within `bound` of a finite expectation; exactly equal to an infinite one (such as KL with q = 0 < p). */
export function expectNear(actual: number, expected: number, bound: number, label = ''): void {
  if (Number.isFinite(expected)) expect(Math.abs(actual - expected), label).toBeLessThanOrEqual(bound);
  else expect(actual, label).toBe(expected);
}
