/**
 * The generative regularisers and continuous measures against their float64
 * references (test/support/generative-reference.ts): values and gradients of
 * every float input, random rank-2 and rank-3 inputs.
 */
import { fc, test } from '@fast-check/vitest';
import { describe } from 'vitest';
import {
  bernoulliKL,
  categoricalKL,
  distillationLoss,
  gaussianCrossEntropy,
  gaussianEntropy,
  gaussianKL,
  monteCarloKL,
} from '../../src/index.js';
import { softmaxCrossEntropy64, toRows, type Reduction } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import {
  bernoulliKL64,
  categoricalKL64,
  gaussianCrossEntropy64,
  gaussianEntropy64,
  gaussianKLPerDimension64,
  monteCarloTerm64,
} from '../support/generative-reference.js';

const float = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(Math.fround);
const flatOf = (count: number, min: number, max: number) => fc.array(float(min, max), { minLength: count, maxLength: count });
const reductions = fc.constantFrom<Reduction>('none', 'sum', 'mean');
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** A batch shape ([N] or [B, T]) and an event size D. */
const layout = fc.record({
  batchShape: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
  event: fc.integer({ min: 1, max: 5 }),
});

/** Applies a reduction to per-sample values, as the API defines it. */
function reduce(perSample: number[], reduction: Reduction): number | number[] {
  if (reduction === 'none') return perSample;
  return reduction === 'sum' ? sum(perSample) : sum(perSample) / perSample.length;
}

/** Per-sample values of a function of rows of the event axis. */
const perSample = (event: number, inputs: number[][], f: (...rows: number[][]) => number) =>
  toRows(inputs[0]!, event).map((_, n) => f(...inputs.map((x) => toRows(x, event)[n]!)));

describe('Gaussian measures against float64', () => {
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

  test.prop([cases])('gaussianEntropy and gaussianCrossEntropy: values and every gradient', (c) => {
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

  test.prop([cases])('gaussianKL with tensor priors of any broadcast shape: values and every gradient', (c) => {
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

  test.prop([cases, float(0, 3)])('gaussianKL with freeBits: Σ_d max(λ, batch mean of KL_d), floored dimensions without gradient', (c, lambda) => {
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

describe('KL between logits against float64', () => {
  const cases = layout.chain(({ batchShape, event }) => {
    const n = sizeOf(batchShape) * (event + 1);
    return fc.record({
      batchShape: fc.constant(batchShape),
      classes: fc.constant(event + 1),
      p: flatOf(n, -8, 8),
      q: flatOf(n, -8, 8),
      labels: fc.array(fc.integer({ min: 0, max: event }), { minLength: sizeOf(batchShape), maxLength: sizeOf(batchShape) }),
      temperature: fc.constantFrom(0.5, 1, 2.5, 4),
      alpha: fc.constantFrom(0, 0.3, 1),
      reduction: reductions,
    });
  });

  test.prop([cases])('categoricalKL at temperature T: values and both gradients', (c) => {
    const shape = [...c.batchShape, c.classes];
    compareWithReference(
      (p, q) => categoricalKL(p!, q!, { temperature: c.temperature, reduction: c.reduction }),
      (p, q) => reduce(perSample(c.classes, [p!, q!], (pr, qr) => categoricalKL64(pr!, qr!, c.temperature)), c.reduction),
      [
        { values: c.p, shape },
        { values: c.q, shape },
      ],
      (1 + (2 * 8) / c.temperature) * c.classes * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });

  test.prop([cases])('distillationLoss with one-hot labels: α·CE + (1 − α)·T²·KL, every gradient', (c) => {
    const shape = [...c.batchShape, c.classes];
    const oneHot = c.labels.flatMap((y) => Array.from({ length: c.classes }, (_, k) => (k === y ? 1 : 0)));
    const t2 = c.temperature ** 2;
    compareWithReference(
      (t, s, y) => distillationLoss(t!, s!, { temperature: c.temperature, labels: y!, alpha: c.alpha, reduction: c.reduction }),
      (t, s, y) =>
        reduce(
          perSample(c.classes, [t!, s!, y!], (tr, sr, yr) => {
            const ce = softmaxCrossEntropy64([yr!], [sr!], { reduction: 'sum' }) as number;
            return c.alpha * ce + (1 - c.alpha) * t2 * categoricalKL64(tr!, sr!, c.temperature);
          }),
          c.reduction,
        ),
      [
        { values: c.p, shape },
        { values: c.q, shape },
        { values: oneHot, shape },
      ],
      (1 + 2 * 8) * c.classes * (1 + t2) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });

  test.prop([cases])('bernoulliKL: values and both gradients', (c) => {
    const shape = [...c.batchShape, c.classes];
    compareWithReference(
      (p, q) => bernoulliKL(p!, q!, { reduction: c.reduction }),
      (p, q) => reduce(perSample(c.classes, [p!, q!], (pr, qr) => bernoulliKL64(pr!, qr!)), c.reduction),
      [
        { values: c.p, shape },
        { values: c.q, shape },
      ],
      (1 + 2 * 8) * c.classes * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });
});

describe('monteCarloKL against float64', () => {
  const cases = fc.integer({ min: 1, max: 12 }).chain((n) =>
    fc.record({
      logP: flatOf(n, -6, 0),
      logQ: flatOf(n, -6, 0),
      estimator: fc.constantFrom('k1' as const, 'k2' as const, 'k3' as const),
      reduction: reductions,
    }),
  );

  test.prop([cases])('k1, k2, k3: values and both gradients', (c) => {
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
