/**
 * The mission's worked example: R = (0.42, 0.31, 0.27), S = (0.25, 0.5, 0.25).
 * The expected numbers were computed independently (by hand, to 6 decimals)
 * and are checked against both the float64 reference and the tfjs ops.
 */
import { describe, expect, test } from 'vitest';
import { crossEntropy, entropy, klDivergence } from '../../src/index.js';
import { crossEntropy64, entropy64, klDivergence64 } from '../support/reference.js';
import { take } from '../support/tensors.js';

const R = [0.42, 0.31, 0.27];
const S = [0.25, 0.5, 0.25];
/** 6 decimals as published: half a unit in the last place. */
const PUBLISHED = 5e-7;
/** float32 ops on inputs rounded to float32: a few float32 ulps of ~1 on top. */
const FLOAT32 = PUBLISHED + 1e-6;

// [description, tfjs op, float64 reference, expected to 6 decimals]
const cases: Array<[string, () => number, () => number, number]> = [
  ['H(R, S) in nats', () => take(crossEntropy(R, S))[0]!, () => crossEntropy64(R, S).value, 1.171419],
  ['H(R, S) in bits', () => take(crossEntropy(R, S, { base: 2 }))[0]!, () => crossEntropy64(R, S, 2).value, 1.69],
  ['D_KL(R ‖ S)', () => take(klDivergence(R, S))[0]!, () => klDivergence64(R, S).value, 0.090482],
  ['D_KL(S ‖ R)', () => take(klDivergence(S, R))[0]!, () => klDivergence64(S, R).value, 0.090079],
  ['H(R)', () => take(entropy(R))[0]!, () => entropy64(R).value, 1.080937],
  ['H(S, R)', () => take(crossEntropy(S, R))[0]!, () => crossEntropy64(S, R).value, 1.1298],
];

describe('the worked example', () => {
  test.each(cases)('%s', (_name, op, reference, expected) => {
    expect(Math.abs(reference() - expected)).toBeLessThanOrEqual(PUBLISHED);
    expect(Math.abs(op() - expected)).toBeLessThanOrEqual(FLOAT32);
  });

  test('H(R, R) = H(R), not 0: the write-up’s 0 fails the bound the true value meets', () => {
    const selfCrossEntropy = take(crossEntropy(R, R))[0]!;
    expect(Math.abs(selfCrossEntropy - 1.080937)).toBeLessThanOrEqual(FLOAT32);
    expect(Math.abs(selfCrossEntropy - take(entropy(R))[0]!)).toBeLessThanOrEqual(FLOAT32);
    expect(Math.abs(selfCrossEntropy - 0)).toBeGreaterThan(FLOAT32);
  });

  test('H(R, S) = H(R) + D_KL(R ‖ S); the write-up’s KL of 0.07 fails the bound 0.090482 meets', () => {
    const kl = take(klDivergence(R, S))[0]!;
    expect(Math.abs(take(crossEntropy(R, S))[0]! - (take(entropy(R))[0]! + kl))).toBeLessThanOrEqual(FLOAT32);
    expect(Math.abs(kl - 0.090482)).toBeLessThanOrEqual(FLOAT32);
    expect(Math.abs(kl - 0.07)).toBeGreaterThan(FLOAT32);
  });
});
