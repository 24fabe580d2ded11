/**
 * bernoulliKL (losses/bernoulli-kl.ts): against its float64 reference
 * (test/support/generative-reference.ts), values and both gradients, random
 * rank-2 and rank-3 inputs; checkGradients; invariants (fast-check, fixed
 * seed); bad input (pinned messages) and no tensors left behind; stability at
 * extreme logits.
 */
import * as tf from '@tensorflow/tfjs';
import { it } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { bernoulliKL } from '../../src/index.js';
import { expectWithinFloat32 } from '../support/float32.js';
import {
  a3,
  b3,
  compareLogitPairWithReference,
  expectNonNegativeAndZeroForEqual,
  logitCases,
  logitPairs,
  m23,
  testNoLeakedTensors,
} from '../support/generative-fixtures.js';
import { testGradientsCheck, testThrowsCleanly } from '../support/loss-tests.js';
import { bernoulliKL64 } from '../support/generative-reference.js';
import { take } from '../support/tensors.js';

describe('float64 reference', () => {
  it.prop([logitCases])('bernoulliKL: values and both gradients', (c) => {
    compareLogitPairWithReference(c, (p, q) => bernoulliKL(p, q, { reduction: c.reduction }), bernoulliKL64, (1 + 2 * 8) * c.classes);
  });
});

describe('gradients', () => {
  testGradientsCheck([['bernoulliKL', (p, q) => bernoulliKL(p!, q!, { reduction: 'none' }), () => [a3, b3]]]);
});

describe('properties', () => {
  it.prop([logitPairs])('bernoulliKL ≥ 0, and 0 for equal logits', (pq) =>
    expectNonNegativeAndZeroForEqual((p, q) => bernoulliKL(p, q, { reduction: 'none' }), pq),
  );
});

describe('bad input and leaks', () => {
  testThrowsCleanly([[() => bernoulliKL(m23, [[1, 2, 3]]), 'bernoulliKL: pLogits [2,3] and qLogits [1,3] must have the same shape']]);

  testNoLeakedTensors([['bernoulliKL', (a, b) => bernoulliKL(a, b)]]);
});

describe('stability / extreme values', () => {
  test('an empty event axis [2, 0] gives 0 per sample, on wasm too: bernoulliKL', () => {
    const empty = tf.zeros([2, 0]);
    expect(take(bernoulliKL(empty, empty, { reduction: 'none' }))).toEqual([0, 0]);
    empty.dispose();
  });

  test('bernoulliKL of nearby logits from −40 to 40 is within float32 rounding of the terms, not of the logits (no cancellation)', () => {
    const a = Array.from({ length: 81 }, (_, i) => Math.fround(-40 + i));
    const b = a.map((x) => Math.fround(x + 1e-3));
    const perEntry = take(bernoulliKL(a.map((x) => [x]), b.map((x) => [x]), { reduction: 'none' }));
    // Evaluated on the side a ≥ 0, the terms are of the size of softplus(−|a|) ≈ e^−|a|: a few roundings of that
    // (not of softplus(|a|) ≈ |a|, which the other side would cancel), so the error shrinks with the KL.
    perEntry.forEach((value, i) => {
      const scale = Math.log1p(Math.exp(-Math.abs(a[i]!)));
      expectWithinFloat32([value], [bernoulliKL64([a[i]!], [b[i]!])], { scale, terms: 3, label: `a = ${a[i]}` });
    });
    expect(perEntry.every((v) => v >= 0)).toBe(true);
  });

  test('bernoulliKL of ±1e3 and ±1e4 is exactly 1000 and 1e4', () => {
    expect(take(bernoulliKL([[1e3]], [[-1e3]]))).toEqual([1000]);
    expect(take(bernoulliKL([[-1e4]], [[1e4]]))).toEqual([1e4]);
  });
});
