/**
 * src/machinery/numerics.ts on every backend: the 0·log 0 = 0 rule and its
 * NaN rule (values never hide a NaN; a held term's slope is 0), and the
 * primitives against float64 at their edge cases.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import {
  logSoftmax,
  maskedProduct,
  maskedQuotient,
  maskedSlope,
  oneMinusExp,
  relativeEntropy,
  softplus,
  xlogy,
  xlogyPartials,
} from '../../src/machinery/numerics.js';
import { logSoftmax64 } from '../support/classification-reference.js';
import { UNIT_ROUNDOFF } from '../support/float32.js';
import { take } from '../support/tensors.js';

const t = (values: number[]) => tf.tensor1d(values);
const run = (f: () => tf.Tensor) => tf.tidy(() => take(f()));
/** Within a few float32 ulps of the float64 value, relative. */
const expectUlps = (actual: number[], expected: number[], ulps: number) =>
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!), `${a} vs ${expected[i]}`).toBeLessThanOrEqual(ulps * UNIT_ROUNDOFF * Math.abs(expected[i]!)));

describe('the 0·log 0 = 0 rule', () => {
  test('maskedProduct: 0 where the weight is 0, also against ±∞; NaN where either factor is NaN, also at weight 0', () => {
    expect(run(() => maskedProduct(t([0, 0, 0, 2, NaN]), t([-Infinity, Infinity, 3, -Infinity, 0])))).toEqual([0, 0, 0, -Infinity, NaN]);
    expect(run(() => maskedProduct(t([0]), t([NaN])))).toEqual([NaN]);
    // +0, not −0, where held (a weight of −0 or a negative factor included).
    expect(Object.is(run(() => maskedProduct(t([-0]), t([-Infinity])))[0], 0)).toBe(true);
  });

  test('xlogy: 0·log 0 = 0, x·log 0 = −∞·sign(x), NaN for a negative or NaN y even at x = 0', () => {
    expect(run(() => xlogy(t([0, 0.5, -0.5, 0, 0, NaN]), t([0, 0, 0, -1, NaN, 1])))).toEqual([0, -Infinity, Infinity, NaN, NaN, NaN]);
    expectUlps(run(() => xlogy(t([0.5, 2]), t([0.25, 3]))), [0.5 * Math.log(0.25), 2 * Math.log(3)], 4);
  });

  test('relativeEntropy: x·(log x − log y), 0 at x = 0 even where y = 0, +∞ at x > 0 = y, exactly 0 at x = y', () => {
    const [x, y] = [[0, 0, 0.5, 0.3, 0, -0.1], [0, 0.5, 0, 0.3, NaN, 0.5]];
    expect(run(() => relativeEntropy(t(x), tf.log(t(y))))).toEqual([0, 0, Infinity, 0, NaN, NaN]);
    // Nearly equal inputs: the log difference first, a small term with a small absolute error.
    const [p, q] = [Math.fround(0.3), Math.fround(0.3 + 1e-6)];
    const exact = p * (Math.log(p) - Math.log(q));
    expect(Math.abs(run(() => relativeEntropy(t([p]), tf.log(t([q]))))[0]! - exact)).toBeLessThanOrEqual(4 * UNIT_ROUNDOFF * p);
  });

  test('in gradients a held term has slope 0 wherever its weight is 0, whatever it multiplies or divides by', () => {
    expect(run(() => maskedSlope(t([0, 0, 0, 2]), t([Infinity, NaN, 3, 3])))).toEqual([0, 0, 0, 6]);
    expect(run(() => maskedQuotient(t([0, 0, 0, 1]), t([0, NaN, 2, 4])))).toEqual([0, 0, 0, 0.25]);
    // ∂(x·log y)/∂x = log y, 0 only where x = y = 0; ∂/∂y = x/y, 0 wherever x = 0.
    const [dx, dy] = tf.tidy(() => xlogyPartials(t([0, 0, 0.5]), t([0, 0.5, 0.25])).map((g) => Array.from(g.dataSync())));
    expect(dx).toEqual([0, Math.fround(Math.log(0.5)), Math.fround(Math.log(0.25))]);
    expect(dy).toEqual([0, 0, 2]);
  });
});

describe('primitives against float64', () => {
  test('softplus: exact for large |x| (softplus(−30) = 9.36e-14, not 0), x itself for large x, NaN kept', () => {
    const xs = [-88, -30, -20, -1, 0, 1, 20, 30].map(Math.fround);
    expectUlps(run(() => softplus(t(xs))), xs.map((x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))), 8);
    expect(run(() => softplus(t([NaN, -Infinity, Infinity])))).toEqual([NaN, 0, Infinity]);
  });

  test('logSoftmax along any axis: finite at ±1e4, −∞ for a −Infinity logit, the same along axis 0 as along the last', () => {
    const rows = [[1e4, 0, -1e4], [2, -Infinity, 0.5]];
    const expected = rows.flatMap((row) => logSoftmax64(row));
    const [last, first] = tf.tidy(() => [
      Array.from(logSoftmax(tf.tensor2d(rows), 1).dataSync()),
      Array.from(tf.transpose(logSoftmax(tf.transpose(tf.tensor2d(rows)), 0)).dataSync()),
    ]);
    expect(last).toEqual(first);
    expect(last[4]).toBe(-Infinity);
    expectUlps(last.filter((_, i) => i !== 4), expected.filter((_, i) => i !== 4), 8);
  });

  test('oneMinusExp: 1 − p from log p, accurate as p → 1', () => {
    const logs = [-1e-7, -1e-3, -1].map(Math.fround);
    expectUlps(run(() => oneMinusExp(t(logs))), logs.map((l) => -Math.expm1(l)), 4);
  });
});
