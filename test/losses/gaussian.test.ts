/**
 * The Gaussian measures and regulariser (losses/gaussian.ts): gaussianEntropy,
 * gaussianCrossEntropy and gaussianKL. Against their float64 references
 * (test/support/generative-reference.ts): values and gradients of every float
 * input, random rank-2 and rank-3 inputs; checkGradients on every float input;
 * invariants (fast-check, fixed seed) and free bits; bad input (pinned
 * messages) and no tensors left behind; stability at extreme inputs.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { describe, expect, test } from 'vitest';
import { gaussianCrossEntropy, gaussianEntropy, gaussianKL } from '../../src/index.js';
import { toRows } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { flatOf, float, reductions, sizeOf } from '../support/arbitraries.js';
import {
  a3,
  b3,
  c3,
  d3,
  layout,
  m23,
  matrix,
  perSample,
  reduce,
  sum,
  testGradThrowLeavesNothing,
  testNoLeakedTensors,
  v23,
} from '../support/generative-fixtures.js';
import { testGradientsCheck, testThrowsCleanly } from '../support/loss-tests.js';
import { gaussianCrossEntropy64, gaussianEntropy64, gaussianKLPerDimension64 } from '../support/generative-reference.js';
import { take } from '../support/tensors.js';

describe('float64 reference', () => {
  const cases = layout.chain(({ batchShape, event }) => {
    const n = sizeOf(batchShape) * event;
    return fc.record({
      batchShape: fc.constant(batchShape),
      event: fc.constant(event),
      meanP: flatOf(n, -3, 3),
      logVarP: flatOf(n, -4, 4),
      meanQ: flatOf(n, -3, 3),
      logVarQ: flatOf(n, -4, 4),
      priorShape: fc.constantFrom('full', 'event', 'scalar'),
      reduction: reductions,
    });
  });
  /**
   * The magnitude every value and gradient entry of one sample is computed
   * from: Σ_d (σ_P²/σ_Q² + |log σ_P² − log σ_Q²| + Δ²/σ_Q² + |log σ_Q²| + 3), the
   * largest over the samples: the float32 scale of the terms, from these inputs.
   */
  const scaleOf = (c: { event: number }, mp: number[], lvp: number[], mq: number[], lvq: number[]) => {
    const rows = toRows(mp, c.event).map((_, n) =>
      toRows(mp, c.event)[n]!.reduce((s, m, d) => {
        const i = n * c.event + d;
        const r = lvp[i]! - lvq[i]!;
        return s + Math.exp(r) + Math.abs(r) + (m - mq[i]!) ** 2 * Math.exp(-lvq[i]!) + Math.abs(lvq[i]!) + 3;
      }, 0),
    );
    return Math.max(...rows);
  };

  it.prop([cases])('gaussianEntropy and gaussianCrossEntropy: values and every gradient', (c) => {
    const shape = [...c.batchShape, c.event];
    const inputs = [c.meanP, c.logVarP, c.meanQ, c.logVarQ].map((values) => ({ values, shape }));
    compareWithReference(
      (m, v) => gaussianEntropy(m!, v!),
      (m, v) => perSample(c.event, [m!, v!], gaussianEntropy64),
      inputs.slice(0, 2),
      c.event * 8,
      c.event,
    );
    compareWithReference(
      (...xs) => gaussianCrossEntropy(xs[0]!, xs[1]!, xs[2]!, xs[3]!),
      (...xs) => perSample(c.event, xs, gaussianCrossEntropy64),
      inputs,
      scaleOf(c, c.meanP, c.logVarP, c.meanQ, c.logVarQ),
      c.event,
    );
  });

  it.prop([cases])('gaussianKL with tensor priors of any broadcast shape: values and every gradient', (c) => {
    const shape = [...c.batchShape, c.event];
    // The prior as a full tensor, one [D] row, or one scalar; the reference sees it broadcast.
    const priorShape = c.priorShape === 'full' ? shape : c.priorShape === 'event' ? [c.event] : [];
    const priorSize = sizeOf(priorShape);
    const broadcast = (values: number[]) => Array.from({ length: sizeOf(shape) }, (_, i) => values[i % priorSize]!);
    const inputs = [
      { values: c.meanP, shape },
      { values: c.logVarP, shape },
      { values: c.meanQ.slice(0, priorSize), shape: priorShape },
      { values: c.logVarQ.slice(0, priorSize), shape: priorShape },
    ];
    compareWithReference(
      (m, v, pm, plv) => gaussianKL(m!, v!, { priorMean: pm!, priorLogVar: plv!, reduction: c.reduction }),
      (m, v, pm, plv) =>
        reduce(
          perSample(c.event, [m!, v!, broadcast(pm!), broadcast(plv!)], (...rows) =>
            sum(gaussianKLPerDimension64(rows[0]!, rows[1]!, rows[2]!, rows[3]!)),
          ),
          c.reduction,
        ),
      inputs,
      scaleOf(c, c.meanP, c.logVarP, broadcast(inputs[2]!.values), broadcast(inputs[3]!.values)) *
        (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.event + sizeOf(c.batchShape),
    );
  });

  it.prop([cases, float(0, 3)])('gaussianKL with freeBits: Σ_d max(λ, batch mean of KL_d), floored dimensions without gradient', (c, lambda) => {
    const shape = [...c.batchShape, c.event];
    const rows = sizeOf(c.batchShape);
    compareWithReference(
      (m, v) => gaussianKL(m!, v!, { freeBits: lambda }),
      (m, v) => {
        const kl = toRows(m!, c.event).map((mr, n) => gaussianKLPerDimension64(mr, toRows(v!, c.event)[n]!, mr.map(() => 0), mr.map(() => 0)));
        const batchMean = Array.from({ length: c.event }, (_, d) => sum(kl.map((row) => row[d]!)) / rows);
        return sum(batchMean.map((x) => Math.max(lambda, x)));
      },
      [
        { values: c.meanP, shape },
        { values: c.logVarP, shape },
      ],
      scaleOf(c, c.meanP, c.logVarP, c.meanP.map(() => 0), c.meanP.map(() => 0)),
      c.event + rows,
    );
  });
});

describe('gradients', () => {
  testGradientsCheck([
    ['gaussianEntropy: mean, logVar', (m, v) => gaussianEntropy(m!, v!, { base: 2 }), () => [a3, b3]],
    ['gaussianCrossEntropy: all four', (...xs) => gaussianCrossEntropy(xs[0]!, xs[1]!, xs[2]!, xs[3]!), () => [a3, b3, c3, d3]],
    [
      'gaussianKL: mean, logVar, full-shape tensor priors',
      (...xs) => gaussianKL(xs[0]!, xs[1]!, { priorMean: xs[2]!, priorLogVar: xs[3]!, reduction: 'none' }),
      () => [a3, b3, c3, d3],
    ],
    [
      'gaussianKL: [D] priors broadcast, mean reduction',
      (...xs) => gaussianKL(xs[0]!, xs[1]!, { priorMean: xs[2]!, priorLogVar: xs[3]! }),
      () => [a3, b3, [0.5, -0.5], [0.3, -0.2]],
    ],
    ['gaussianKL with free bits', (m, v) => gaussianKL(m!, v!, { freeBits: 0.3 }), () => [a3, b3]],
  ]);
});

describe('properties', () => {
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

  // Magnitude of the Gaussian terms: variance ratios up to e^10 times (1 + squared differences up to 36).
  const gaussianScale = (event: number) => event * Math.exp(10) * 40;

  it.prop([gaussians])('gaussianKL = gaussianCrossEntropy − gaussianEntropy', (g) => {
    const kl = take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanQ, priorLogVar: g.logVarQ, reduction: 'none' }));
    const ce = take(gaussianCrossEntropy(g.meanP, g.logVarP, g.meanQ, g.logVarQ));
    const h = take(gaussianEntropy(g.meanP, g.logVarP));
    const event = g.meanP[0]!.length;
    expectWithinFloat32(kl, ce.map((x, i) => x - h[i]!), { scale: gaussianScale(event), terms: event });
  });

  it.prop([gaussians])('every KL ≥ 0, and 0 for equal arguments', (g) => {
    const kl = take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanQ, priorLogVar: g.logVarQ, reduction: 'none' }));
    expect(kl.every((x) => x >= 0)).toBe(true);
    expect(take(gaussianKL(g.meanP, g.logVarP, { priorMean: g.meanP, priorLogVar: g.logVarP, reduction: 'none' }))).toEqual(
      g.meanP.map(() => 0),
    );
  });

  test("gaussianKL's 'mean' on [2, 3, D] divides the summed KL by 6 (batch × time), not by 2 (PyTorch's batchmean)", () => {
    // mean 1, logVar 0 against N(0, 1): ½(e⁰ − 1 − 0 + 1²/e⁰) = 0.5 per latent dimension,
    // so 4 · 0.5 = 2 per sample, 6 · 2 = 12 summed, 12 / 6 = 2 averaged (batchmean: 12 / 2 = 6).
    const mean = tf.ones([2, 3, 4]);
    const logVar = tf.zeros([2, 3, 4]);
    const summed = take(gaussianKL(mean, logVar, { reduction: 'sum' }))[0]!;
    const averaged = take(gaussianKL(mean, logVar, { reduction: 'mean' }))[0]!;
    tf.dispose([mean, logVar]);
    expect(summed).toBeCloseTo(12, 5);
    expect(averaged).toBeCloseTo(summed / 6, 6);
    expect(averaged).toBeCloseTo(2, 5);
    expect(averaged).not.toBeCloseTo(summed / 2, 1);
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
});

describe('bad input and leaks', () => {
  testThrowsCleanly([
    [() => gaussianKL(m23, [[0, 0, 0]]), 'gaussianKL: mean [2,3] and logVar [1,3] must have the same shape'],
    [() => gaussianKL(m23, v23, { priorMean: [1, 2] }), 'gaussianKL: priorMean [2] does not broadcast to mean [2,3]'],
    [() => gaussianKL(m23, v23, { priorMean: 0, priorLogVar: [[1], [2], [3]] }), 'gaussianKL: priorLogVar [3,1] does not broadcast to mean [2,3]'],
    [() => gaussianKL(m23, v23, { freeBits: -0.1 }), 'gaussianKL: freeBits must be a finite number ≥ 0, got -0.1'],
    [() => gaussianKL(m23, v23, { freeBits: 0.5, reduction: 'sum' }), "gaussianKL: freeBits needs reduction 'mean' (the batch mean it floors), got 'sum'"],
    [() => gaussianKL(m23, v23, { prior: 0 } as never), "gaussianKL: unknown option 'prior' (expected one of: priorMean, priorLogVar, freeBits, reduction)"],
    [() => gaussianKL(0.5, 0.5), 'gaussianKL: mean must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
    [() => gaussianEntropy(m23, v23, { base: 0 }), 'gaussianEntropy: base must be a finite number > 0 and ≠ 1, got 0'],
    [() => gaussianCrossEntropy(m23, v23, [[0]], [[0]]), 'gaussianCrossEntropy: meanP [2,3] and meanQ [1,1] must have the same shape'],
  ]);

  testGradThrowLeavesNothing([['gaussianKL priorLogVar', (m) => gaussianKL(m, v23, { priorMean: [0, 0, 0], priorLogVar: [1, 2] })]]);

  testNoLeakedTensors([
    ['gaussianEntropy', (a, b) => gaussianEntropy(a, b)],
    ['gaussianCrossEntropy', (a, b) => gaussianCrossEntropy(a, b, b, a)],
    ['gaussianKL', (a, b) => gaussianKL(a, b, { priorMean: [1, 0, 0], priorLogVar: 0.5 })],
    ['gaussianKL free bits', (a, b) => gaussianKL(a, b, { freeBits: 0.1 })],
  ]);
});

describe('stability / extreme values', () => {
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

  test('an empty event axis [2, 0] gives 0 per sample, on wasm too: gaussianKL and gaussianEntropy', () => {
    const empty = tf.zeros([2, 0]);
    expect(take(gaussianKL(empty, empty, { reduction: 'none' }))).toEqual([0, 0]);
    expect(take(gaussianEntropy(empty, empty))).toEqual([0, 0]);
    empty.dispose();
  });
});
