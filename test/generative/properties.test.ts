/**
 * Invariants of the generative regularisers (fast-check, fixed seed), the
 * Monte Carlo estimators' statistics, and stability at extreme inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  bernoulliKL,
  categoricalKL,
  distillationLoss,
  gaussianCrossEntropy,
  gaussianEntropy,
  gaussianKL,
  klDivergence,
  monteCarloKL,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { take } from '../support/tensors.js';

const float = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(Math.fround);
const matrix = (rows: number, columns: number, min: number, max: number) =>
  fc.array(fc.array(float(min, max), { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });
/** Two to four [batch, D] matrices of one shape. */
const gaussians = fc
  .record({ batch: fc.integer({ min: 1, max: 4 }), event: fc.integer({ min: 1, max: 5 }) })
  .chain(({ batch, event }) =>
    fc.record({
      meanP: matrix(batch, event, -3, 3),
      logVarP: matrix(batch, event, -5, 5),
      meanQ: matrix(batch, event, -3, 3),
      logVarQ: matrix(batch, event, -5, 5),
    }),
  );
const logitPairs = fc
  .record({ batch: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 6 }) })
  .chain(({ batch, classes }) => fc.tuple(matrix(batch, classes, -10, 10), matrix(batch, classes, -10, 10)));

// Magnitude of the Gaussian terms: variance ratios up to e^10 times (1 + squared differences up to 36).
const gaussianScale = (event: number) => event * Math.exp(10) * 40;

describe('generative regulariser properties', () => {
  test.prop([gaussians])('gaussianKL = gaussianCrossEntropy − gaussianEntropy', (g) => {
    const kl = take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanQ, priorLogVar: g.logVarQ, reduction: 'none' }));
    const ce = take(gaussianCrossEntropy(g.meanP, g.logVarP, g.meanQ, g.logVarQ));
    const h = take(gaussianEntropy(g.meanP, g.logVarP));
    const event = g.meanP[0]!.length;
    expectWithinFloat32(kl, ce.map((x, i) => x - h[i]!), { scale: gaussianScale(event), terms: event });
  });

  test.prop([gaussians])('every KL ≥ 0, and 0 for equal arguments', (g) => {
    const kl = take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanQ, priorLogVar: g.logVarQ, reduction: 'none' }));
    expect(kl.every((x) => x >= 0)).toBe(true);
    expect(take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanP, priorLogVar: g.logVarP, reduction: 'none' }))).toEqual(
      g.meanP.map(() => 0),
    );
  });

  test.prop([logitPairs])('categorical and Bernoulli KL ≥ 0, and 0 for equal logits', ([p, q]) => {
    const bound = (16 + p[0]!.length) * 2 ** -24 * (1 + 2 * 10) * p[0]!.length;
    expect(take(categoricalKL(p, q, { reduction: 'none' })).every((x) => x >= -bound)).toBe(true);
    expect(take(bernoulliKL(p, q, { reduction: 'none' })).every((x) => x >= -bound)).toBe(true);
    expect(take(categoricalKL(p, p, { reduction: 'none' })).every((x) => x === 0)).toBe(true);
    expect(take(bernoulliKL(p, p, { reduction: 'none' })).every((x) => x === 0)).toBe(true);
  });

  test.prop([logitPairs, fc.constantFrom(0.5, 1, 3, 10)])(
    'categoricalKL at temperature T is klDivergence of the tempered softmaxes',
    ([p, q], temperature) => {
      const ours = take(categoricalKL(p, q, { temperature, reduction: 'none' }));
      const viaProbabilities = tf.tidy(() =>
        Array.from(
          klDivergence(tf.softmax(tf.div(tf.tensor2d(p), temperature)), tf.softmax(tf.div(tf.tensor2d(q), temperature))).dataSync(),
        ),
      );
      // The probability route takes logs of rounded probabilities: its error dominates.
      const classes = p[0]!.length;
      expectWithinFloat32(ours, viaProbabilities, { scale: (1 + (2 * 10) / temperature) * classes * 4, terms: classes });
    },
  );

  test.prop([logitPairs, fc.constantFrom(1, 4)])('distillationLoss with alpha: 1 is the hard-label cross-entropy', ([t, s], temperature) => {
    const labels = s.map((row, i) => i % row.length);
    const distilled = take(distillationLoss(t, s, { labels, alpha: 1, temperature, reduction: 'none' }));
    expect(distilled).toEqual(take(sparseSoftmaxCrossEntropy(labels, s, { reduction: 'none' })));
  });
});

describe('freeBits', () => {
  test('a dimension whose batch-mean KL is below λ is floored and gets no gradient', () => {
    // Dimension 0 is far from the prior (KL 2 per sample), dimension 1 close (KL 0.005).
    const mean = tf.tensor2d([
      [2, 0.1],
      [-2, -0.1],
    ]);
    const logVar = tf.zeros([2, 2]);
    const [value, grad] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((m: tf.Tensor) => gaussianKL(m, logVar, { freeBits: 0.5 }))(mean);
      return [value.dataSync()[0]!, grad.arraySync() as number[][]];
    });
    expect(value).toBeCloseTo(2 + 0.5, 5);
    // Batch mean over 2 rows: ∂/∂mean = mean / 2 for the free dimension; 0 for the floored one.
    expect(grad.map((row) => row[0])).toEqual([1, -1]);
    expect(grad.map((row) => row[1]! + 0)).toEqual([0, 0]);
    tf.dispose([mean, logVar]);
  });

  test('a dimension exactly at λ gets no gradient either', () => {
    // KL of mean ±1 with unit variance is 0.5 per sample: exactly λ = 0.5.
    const grad = tf.tidy(() =>
      Array.from(tf.grad((m: tf.Tensor) => gaussianKL(m, tf.zeros([2, 1]), { freeBits: 0.5 }))(tf.tensor2d([[1], [-1]])).dataSync()),
    );
    expect(grad.map((g) => g + 0)).toEqual([0, 0]);
  });

  test('an empty batch gives D·λ; one latent dimension and a batch of one work', () => {
    expect(take(gaussianKL(tf.zeros([0, 3]), tf.zeros([0, 3]), { freeBits: 0.2 }))[0]).toBeCloseTo(0.6, 6);
    expect(take(gaussianKL([[1]], [[0]], { freeBits: 0.1 }))).toEqual([0.5]);
    expect(take(gaussianKL(tf.zeros([0, 3]), tf.zeros([0, 3])))).toEqual([0]);
  });
});

describe('stability at extreme inputs', () => {
  test('logVar in ±30 gives finite values and gradients', () => {
    const values = tf.tidy(() => {
      const mean = tf.tensor2d([[0, 3, -3]]);
      const logVar = tf.tensor2d([[30, -30, 0]]);
      const priorLogVar = tf.tensor2d([[-30, 30, 30]]);
      const { value, grads } = tf.valueAndGrads((m: tf.Tensor, v: tf.Tensor, pv: tf.Tensor) =>
        tf.add(gaussianKL(m, v, { priorLogVar: pv }), gaussianCrossEntropy(m, v, m, pv).sum()),
      )([mean, logVar, priorLogVar]);
      return [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
    });
    expect(values.every(Number.isFinite)).toBe(true);
  });

  test('an empty event axis [2, 0] gives 0 per sample, on wasm too', () => {
    const empty = tf.zeros([2, 0]);
    expect(take(gaussianKL(empty, empty, { reduction: 'none' }))).toEqual([0, 0]);
    expect(take(gaussianEntropy(empty, empty))).toEqual([0, 0]);
    expect(take(bernoulliKL(empty, empty, { reduction: 'none' }))).toEqual([0, 0]);
    empty.dispose();
  });

  test('bernoulliKL is never negative for nearby negative logits (no cancellation)', () => {
    const a = Array.from({ length: 81 }, (_, i) => Math.fround(-40 + i));
    const b = a.map((x) => Math.fround(x + 1e-3));
    expect(take(bernoulliKL([a], [b], { reduction: 'none' }))[0]).toBeGreaterThanOrEqual(0);
    const perEntry = take(bernoulliKL(a.map((x) => [x]), b.map((x) => [x]), { reduction: 'none' }));
    expect(perEntry.every((v) => v >= 0)).toBe(true);
  });

  test('categoricalKL of logits ±1e3 is exactly 1000; bernoulliKL of ±1e3 and ±1e4 too', () => {
    expect(take(categoricalKL([[1e3, 0, -1e3]], [[0, 1e3, 0]]))).toEqual([1000]);
    expect(take(bernoulliKL([[1e3]], [[-1e3]]))).toEqual([1000]);
    expect(take(bernoulliKL([[-1e4]], [[1e4]]))).toEqual([1e4]);
    const grads = tf.tidy(() =>
      tf.grads((p: tf.Tensor, q: tf.Tensor) => categoricalKL(p, q))([tf.tensor2d([[1e3, 0, -1e3]]), tf.tensor2d([[0, 1e3, 0]])]).flatMap((g) => Array.from(g.dataSync())),
    );
    expect(grads.every(Number.isFinite)).toBe(true);
  });
});

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
