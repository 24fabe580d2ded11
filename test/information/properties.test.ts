/**
 * Invariants of the information measures, as fast-check properties with the
 * fixed seed of test/support/fast-check.ts. Equalities hold to the float32
 * error bound of test/support/reference.ts, not to a tuned tolerance.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { distribution, distributionPair } from '../support/arbitraries.js';
import { FLOAT32_UNIT_ROUNDOFF, float32ValueBound } from '../support/reference.js';
import { expectNear } from '../support/float32.js';
import { take } from '../support/tensors.js';

const rowBound = (p: number[], q: number[]) => float32ValueBound(p, q);

describe('information measure properties', () => {
  test.prop([distributionPair({ allowZeros: true })])('KL(p ‖ q) ≥ 0', ([p, q]) => {
    const kl = take(klDivergence(p, q));
    kl.forEach((value, row) => expect(value).toBeGreaterThanOrEqual(-rowBound(p[row]!, q[row]!)));
  });

  test.prop([distributionPair({ allowZeros: true })])('KL(p ‖ p) = 0 exactly, JS(p, p) = 0 exactly', ([p]) => {
    expect(take(klDivergence(p, p)).every((v) => v === 0)).toBe(true);
    expect(take(jsDivergence(p, p)).every((v) => v === 0)).toBe(true);
  });

  test.prop([distributionPair({ allowZeros: true })])('H(p, q) = H(p) + KL(p ‖ q)', ([p, q]) => {
    const ce = take(crossEntropy(p, q));
    const h = take(entropy(p));
    const kl = take(klDivergence(p, q));
    ce.forEach((value, row) => {
      const pr = p[row]!;
      const bound = rowBound(pr, q[row]!) * 2 + rowBound(pr, pr);
      expectNear(value, h[row]! + kl[row]!, bound, `row ${row}`);
    });
  });

  test.prop([fc.integer({ min: 1, max: 12 }).chain((c) => distribution(c, { allowZeros: true }))])(
    '0 ≤ H(p) ≤ log C',
    (p) => {
      const [h] = take(entropy(p));
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(Math.log(p.length) + rowBound(p, p));
    },
  );

  test.prop([distributionPair({ allowZeros: true })])('JS is symmetric and within [0, log 2]', ([p, q]) => {
    const pq = take(jsDivergence(p, q));
    const qp = take(jsDivergence(q, p));
    pq.forEach((value, row) => {
      const m = p[row]!.map((x, i) => (x + q[row]![i]!) / 2);
      const bound = rowBound(p[row]!, m) + rowBound(q[row]!, m);
      expect(Math.abs(value - qp[row]!)).toBeLessThanOrEqual(bound);
      expect(value).toBeGreaterThanOrEqual(-bound);
      expect(value).toBeLessThanOrEqual(Math.log(2) + bound);
    });
  });

  test.prop([distributionPair({ allowZeros: true }), fc.constantFrom(2, 10)])(
    'a result in base b is the result in nats divided by ln b',
    ([p, q], base) => {
      const ops = [
        (o: { base?: number }) => entropy(p, o),
        (o: { base?: number }) => crossEntropy(p, q, o),
        (o: { base?: number }) => klDivergence(p, q, o),
        (o: { base?: number }) => jsDivergence(p, q, o),
      ];
      for (const op of ops) {
        const nats = take(op({}));
        take(op({ base })).forEach((value, row) => {
          // Two float32 divisions: a couple of ulps of the result.
          const bound = 4 * FLOAT32_UNIT_ROUNDOFF * Math.abs(value);
          expectNear(value, nats[row]! / Math.log(base), bound, `row ${row}`);
        });
      }
    },
  );

  // A [2, 3, 4] batch of distributions over 4 classes, moved to each axis in turn.
  const rank3 = fc.array(distribution(4, { allowZeros: true }), { minLength: 6, maxLength: 6 });
  test.prop([rank3, rank3, fc.integer({ min: 0, max: 2 })])(
    'the result does not depend on which axis holds the distribution',
    (pFlat, qFlat, axis) => {
      const ops = [
        (a: tf.Tensor, _b: tf.Tensor, o: { axis?: number }) => entropy(a, o),
        crossEntropy,
        klDivergence,
        jsDivergence,
      ];
      for (const op of ops) {
        const [lastAxis, movedAxis] = tf.tidy(() => {
          const p = tf.tensor3d(pFlat.flat(), [2, 3, 4]);
          const q = tf.tensor3d(qFlat.flat(), [2, 3, 4]);
          // Move the class axis (2) to `axis`, keeping the others in order.
          const order = [0, 1];
          order.splice(axis, 0, 2);
          const moved = op(tf.transpose(p, order), tf.transpose(q, order), { axis });
          return [Array.from(op(p, q, {}).dataSync()), Array.from(moved.dataSync())];
        });
        lastAxis.forEach((value, i) => {
          // q may be 0 where p > 0: then both are +Infinity.
          if (value === Infinity) return expect(movedAxis[i]).toBe(Infinity);
          const bound = rowBound(pFlat[i]!, qFlat[i]!) + rowBound(qFlat[i]!, qFlat[i]!);
          expect(Math.abs(value - movedAxis[i]!)).toBeLessThanOrEqual(bound);
        });
      }
    },
  );
});
