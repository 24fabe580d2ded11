/**
 * monteCarloKL (losses/monte-carlo-kl.ts): k1, k2, k3 against their float64
 * references (test/support/generative-reference.ts), values and both
 * gradients; checkGradients; the estimators' statistics (fixed seed); bad
 * input (pinned messages) and no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { gaussianKL, monteCarloKL } from '../../src/index.js';
import { compareWithReference } from '../support/compare.js';
import { flatOf, reductions } from '../support/arbitraries.js';
import {
  a3,
  b3,
  reduce,
  testNoLeakedTensors,
} from '../support/generative-fixtures.js';
import { testGradientsCheck, testThrowsCleanly } from '../support/loss-tests.js';
import { monteCarloTerm64 } from '../support/generative-reference.js';

describe('float64 reference', () => {
  const cases = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      logP: flatOf(n, -6, 0),
      logQ: flatOf(n, -6, 0),
      estimator: fc.constantFrom('k1' as const, 'k2' as const, 'k3' as const),
      reduction: reductions,
    }),
  );

  it.prop([cases])('k1, k2, k3: values and both gradients', (c) => {
    const n = c.logP.length;
    compareWithReference(
      (p, q) => monteCarloKL(p!, q!, { estimator: c.estimator, reduction: c.reduction }),
      (p, q) => reduce(p!.map((lp, i) => monteCarloTerm64(c.estimator, lp, q![i]!)), c.reduction),
      [
        { values: c.logP, shape: [n] },
        { values: c.logQ, shape: [n] },
      ],
      // e^6 for k3's exp of a log-ratio up to 6.
      Math.exp(6) * (c.reduction === 'sum' ? n : 1),
      n,
    );
  });
});

describe('gradients', () => {
  testGradientsCheck([
    ['monteCarloKL k1', (p, q) => monteCarloKL(p!, q!, { estimator: 'k1', reduction: 'none' }), () => [a3, b3]],
    ['monteCarloKL k2', (p, q) => monteCarloKL(p!, q!, { estimator: 'k2', reduction: 'none' }), () => [a3, b3]],
    ['monteCarloKL k3', (p, q) => monteCarloKL(p!, q!, { estimator: 'k3', reduction: 'sum' }), () => [a3, b3]],
  ]);
});

describe('properties', () => {
  describe('monteCarloKL statistics (fixed seed, 10⁵ samples)', () => {
    // P = N(μp, σp²), Q = N(μq, σq²) per dimension; samples x ~ P. Every σq² < 2σp²,
    // so that k3 = r − 1 − log r (r = q/p) has finite variance and a standard
    // error means something (with σq² > 2σp² it has none).
    const cases = [
      { name: '1-D', meanP: [0], sdP: [1], meanQ: [0.5], sdQ: [0.9] },
      { name: '3-D', meanP: [0, 1, -1], sdP: [1, 0.5, 2], meanQ: [0.5, 1, 0], sdQ: [1.2, 0.6, 2.5] },
    ];
    const logDensity = (x: tf.Tensor, mean: number[], sd: number[]) =>
      tf.sum(
        tf.sub(tf.mul(-0.5, tf.square(tf.div(tf.sub(x, mean), sd))), tf.add(tf.log(tf.tensor1d(sd)), 0.5 * Math.log(2 * Math.PI))),
        -1,
      );

    test.each(cases)('$name: the k1 and k3 estimates are within 3 standard errors of gaussianKL; k3 is never negative', (c) => {
      const n = 100_000;
      const results = tf.tidy(() => {
        const x = tf.add(tf.mul(tf.randomNormal([n, c.meanP.length], 0, 1, 'float32', 11), c.sdP), c.meanP);
        const logP = logDensity(x, c.meanP, c.sdP);
        const logQ = logDensity(x, c.meanQ, c.sdQ);
        const run = (estimator: 'k1' | 'k3') => ({
          estimate: monteCarloKL(logP, logQ, { estimator }).dataSync()[0]!,
          samples: Array.from(monteCarloKL(logP, logQ, { estimator, reduction: 'none' }).dataSync()),
        });
        const exact = gaussianKL([c.meanP], [c.sdP.map((s) => 2 * Math.log(s))], {
          priorMean: c.meanQ,
          priorLogVar: c.sdQ.map((s) => 2 * Math.log(s)),
        }).dataSync()[0]!;
        return { k1: run('k1'), k3: run('k3'), exact };
      });
      for (const { estimate, samples } of [results.k1, results.k3]) {
        const mean = samples.reduce((a, b) => a + b, 0) / n;
        const variance = samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
        expect(Math.abs(estimate - results.exact)).toBeLessThanOrEqual(3 * Math.sqrt(variance / n));
      }
      expect(results.k3.samples.every((v) => v >= 0)).toBe(true);
    });
  });
});

describe('bad input and leaks', () => {
  testThrowsCleanly([
    [() => monteCarloKL([1, 2], [1, 2], { estimator: 'k4' as never }), `monteCarloKL: estimator must be one of 'k1', 'k2', 'k3', got "k4"`],
    [() => monteCarloKL([1, 2], [1, 2, 3]), 'monteCarloKL: logP [2] and logQ [3] must have the same shape'],
  ]);

  testNoLeakedTensors([['monteCarloKL', (a, b) => monteCarloKL(a, b, { estimator: 'k3' })]]);
});
