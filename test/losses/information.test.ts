/**
 * The information measures (losses/information.ts): entropy, crossEntropy,
 * klDivergence and jsDivergence.
 *
 * - float64 reference: values and gradients on random inputs, with tolerances
 *   from the float32 error model in test/support/reference.ts (not tuned to what passes);
 * - gradients: finite-difference checks of every float input, and the
 *   gradients the 0·log 0 convention promises where finite differences cannot
 *   reach (an entry exactly at 0);
 * - properties: invariants as fast-check properties (fixed seed), equalities
 *   to the float32 error bound;
 * - bad input and leaks: pinned messages, no tensor left by a call, a
 *   gradient or a throw;
 * - edge cases: NaN propagation, empty batches, rank 3, the tiniest floats;
 * - the mission's worked example, R = (0.42, 0.31, 0.27), S = (0.25, 0.5, 0.25),
 *   whose numbers were computed independently (by hand, to 6 decimals).
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkGradients, crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { distribution, distributionPair } from '../support/arbitraries.js';
import { expectNear } from '../support/float32.js';
import {
  crossEntropy64,
  entropy64,
  FLOAT32_UNIT_ROUNDOFF,
  float32GradientBound,
  float32ValueBound,
  jsDivergence64,
  klDivergence64,
  type Measured,
} from '../support/reference.js';
import { take, tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';

describe('float64 reference', () => {
  type Pair = (p: tf.Tensor, q: tf.Tensor, options: { axis?: number; base?: number }) => tf.Tensor;

  interface Measure {
    name: string;
    op: Pair;
    reference: (p: number[], q: number[], base: number) => Measured;
    /** Which distribution plays "q" in the error bounds (the mixture for JS). */
    errorPartners: (p: number[], q: number[]) => Array<[number[], number[]]>;
  }

  const mixture = (p: number[], q: number[]) => p.map((pi, i) => (pi + q[i]!) / 2);
  const measures: Measure[] = [
    {
      name: 'entropy',
      op: (p, _q, options) => entropy(p, options),
      reference: (p, _q, base) => entropy64(p, base),
      errorPartners: (p) => [[p, p]],
    },
    { name: 'crossEntropy', op: crossEntropy, reference: crossEntropy64, errorPartners: (p, q) => [[p, q]] },
    { name: 'klDivergence', op: klDivergence, reference: klDivergence64, errorPartners: (p, q) => [[p, q]] },
    {
      name: 'jsDivergence',
      op: jsDivergence,
      reference: jsDivergence64,
      errorPartners: (p, q) => [
        [p, mixture(p, q)],
        [q, mixture(p, q)],
      ],
    },
  ];

  const bases = fc.constantFrom(Math.E, 2, 10);

  describe.each(measures)('$name against the float64 reference', ({ op, reference, errorPartners, name }) => {
    const inputCount = name === 'entropy' ? 1 : 2;

    it.prop([distributionPair({ allowZeros: true }), bases, fc.boolean()])(
      'values and gradients on random batches (classes on the last axis or on axis 0)',
      ([pRows, qRows], base, classesFirst) => {
        const dyValues = pRows.map((_, row) => Math.fround(0.5 + row / 4) * (row % 2 === 0 ? 1 : -1));
        const [value, gradients] = tf.tidy(() => {
          const layout = (rows: number[][]) => (classesFirst ? tf.transpose(tf.tensor2d(rows)) : tf.tensor2d(rows));
          const options = { axis: classesFirst ? 0 : -1, base };
          const p = layout(pRows);
          const q = layout(qRows);
          const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b, options))([p, q].slice(0, inputCount), tf.tensor1d(dyValues));
          const restore = (g: tf.Tensor) => (classesFirst ? tf.transpose(g) : g).arraySync() as number[][];
          return [Array.from(op(p, q, options).dataSync()), grads.map(restore)] as const;
        });

        pRows.forEach((pRow, row) => {
          const qRow = qRows[row]!;
          const expected = reference(pRow, qRow, base);
          const valueBound = errorPartners(pRow, qRow).reduce((s, [a, b]) => s + float32ValueBound(a, b, base), 0);
          expectNear(value[row]!, expected.value, valueBound, `value [${row}]`);

          gradients.forEach((gradient, input) => {
            pRow.forEach((_, c) => {
              const partners = errorPartners(pRow, qRow).map(([a, b]) => float32GradientBound(a[c]!, b[c]!, base));
              const bound = Math.abs(dyValues[row]!) * partners.reduce((s, x) => s + x, 0);
              const expectedEntry = dyValues[row]! * expected.gradients[input]![c]!;
              expectNear(gradient[row]![c]!, expectedEntry, bound, `input ${input} [${row},${c}]`);
            });
          });
        });
      },
    );
  });
});

describe('gradients', () => {
  const measures = {
    entropy: (p: tf.Tensor, _q: tf.Tensor, options = {}) => entropy(p, options),
    crossEntropy,
    klDivergence,
    jsDivergence,
  };

  // Interior points only: every entry ≥ 0.05, so x ± step (1e-2) stays positive.
  const interiorDistribution = (classes: number) =>
    fc
      .array(fc.integer({ min: 50, max: 1000 }), { minLength: classes, maxLength: classes })
      .map((w) => w.map((x) => x / w.reduce((a, b) => a + b, 0)))
      .filter((p) => p.every((x) => x >= 0.05));
  const interiorPair = fc.integer({ min: 2, max: 5 }).chain((classes) =>
    fc.tuple(
      fc.array(interiorDistribution(classes), { minLength: 1, maxLength: 3 }),
      fc.array(interiorDistribution(classes), { minLength: 3, maxLength: 3 }),
    ),
  );

  describe.each(Object.entries(measures))('%s: checkGradients', (name, op) => {
    const inputCount = name === 'entropy' ? 1 : 2;

    it.prop([interiorPair, fc.constantFrom(Math.E, 2), fc.boolean()], { numRuns: 15 })(
      'analytic gradient of every input matches central differences',
      ([pRows, qRows], base, classesFirst) => {
        const q = qRows.slice(0, pRows.length);
        const layout = (rows: number[][]) => (classesFirst ? tf.transpose(tf.tensor2d(rows)) : tf.tensor2d(rows));
        const inputs = [layout(pRows), layout(q)].slice(0, inputCount);
        const options = { axis: classesFirst ? 0 : 1, base };
        const result = checkGradients((a, b) => op(a!, b!, options), inputs);
        tf.dispose(inputs);
        expect(result.ok, JSON.stringify(result)).toBe(true);
      },
    );
  });

  describe('gradients at p = 0 follow the convention φ′(0) = 0', () => {
    // Gradients w.r.t. p and q, or w.r.t. p alone when f takes one argument.
    const gradientsAt = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor, p: number[], q: number[]) =>
      tf.tidy(() => {
        const inputs = [tf.tensor1d(p), tf.tensor1d(q)].slice(0, f.length);
        return tf.grads(f)(inputs).map((g) => Array.from(g.dataSync()));
      });

    test('entropy: 0 at p = 0, −(log p + 1) elsewhere', () => {
      const [dp] = gradientsAt((p) => entropy(p), [0, 0.25, 0.75], [1, 1, 1]);
      expect(dp![0]! + 0).toBe(0);
      expect(dp![1]).toBeCloseTo(-(Math.log(0.25) + 1), 6);
    });

    test('crossEntropy: ∂/∂q = 0 where p = 0, even at q = 0; ∂/∂p = 0 where p = q = 0', () => {
      const [dp, dq] = gradientsAt((p, q) => crossEntropy(p, q), [0, 0.5, 0.5], [0, 0.5, 0.5]);
      expect(dq!.map((g) => g + 0)).toEqual([0, -1, -1]); // + 0 folds −0 into 0
      expect(dp![0]! + 0).toBe(0);
      expect(dp![1]).toBeCloseTo(Math.log(2), 6);
    });

    test('p > 0 against q = 0: value +Infinity, ∂/∂q = −Infinity, ∂/∂p = +Infinity (honest, not NaN)', () => {
      const p = [0.5, 0.5];
      const q = [1, 0];
      for (const f of [crossEntropy, klDivergence]) {
        expect(tf.tidy(() => f(p, q).dataSync()[0])).toBe(Infinity);
        const [dp, dq] = gradientsAt((a, b) => f(a, b), p, q);
        expect(dp![1]).toBe(Infinity);
        expect(dq![1]).toBe(-Infinity);
      }
    });

    test('a softmax upstream of an empty class gets a finite gradient (no Infinity·0 = NaN)', () => {
      const logits = tf.tensor1d([0, 0, -200]); // softmax = [0.5, 0.5, 0] in float32
      const target = tf.tensor1d([0.5, 0.5, 0]);
      for (const f of [crossEntropy, klDivergence, jsDivergence]) {
        const grad = tf.tidy(() => Array.from(tf.grad((z: tf.Tensor) => f(tf.softmax(z), target))(logits).dataSync()));
        expect(grad.every(Number.isFinite), `${f.name}: ${grad}`).toBe(true);
      }
      tf.dispose([logits, target]);
    });

    test('klDivergence: ∂/∂p = −log q at p = 0, so ∇H(p,q) = ∇H(p) + ∇KL holds there too', () => {
      const p = [0, 0.3, 0.7];
      const q = [0.2, 0.2, 0.6];
      const [dpKL, dqKL] = gradientsAt((a, b) => klDivergence(a, b), p, q);
      const [dpH] = gradientsAt((a) => entropy(a), p, q);
      const [dpCE, dqCE] = gradientsAt((a, b) => crossEntropy(a, b), p, q);
      expect(dpKL![0]).toBeCloseTo(-Math.log(0.2), 6);
      dpCE!.forEach((g, i) => expect(g).toBeCloseTo(dpH![i]! + dpKL![i]!, 5));
      dqCE!.forEach((g, i) => expect(g).toBeCloseTo(dqKL![i]!, 6));
      expect(dqKL![0]! + 0).toBe(0);
    });

    test('jsDivergence: finite everywhere, −(log m + 1)/2 at p = 0 < q', () => {
      const [dp, dq] = gradientsAt((p, q) => jsDivergence(p, q), [0, 1], [1, 0]);
      expect(dp![0]).toBeCloseTo(-(Math.log(0.5) + 1) / 2, 6);
      expect(dq![1]).toBeCloseTo(-(Math.log(0.5) + 1) / 2, 6);
      expect([...dp!, ...dq!].every(Number.isFinite)).toBe(true);
    });

    test('no NaN in any value or gradient when p and q share zeros', () => {
      const p = [0, 0, 1];
      const q = [0, 0.5, 0.5];
      for (const f of Object.values(measures)) {
        const values = tf.tidy(() => Array.from(f(tf.tensor1d(p), tf.tensor1d(q), {}).dataSync()));
        const grads = gradientsAt(f === measures.entropy ? (a) => entropy(a) : (a, b) => f(a, b, {}), p, q).flat();
        expect([...values, ...grads].some(Number.isNaN)).toBe(false);
      }
    });
  });
});

describe('properties', () => {
  const rowBound = (p: number[], q: number[]) => float32ValueBound(p, q);

  it.prop([distributionPair({ allowZeros: true })])('KL(p ‖ q) ≥ 0', ([p, q]) => {
    const kl = take(klDivergence(p, q));
    kl.forEach((value, row) => expect(value).toBeGreaterThanOrEqual(-rowBound(p[row]!, q[row]!)));
  });

  it.prop([distributionPair({ allowZeros: true })])('KL(p ‖ p) = 0 exactly, JS(p, p) = 0 exactly', ([p]) => {
    expect(take(klDivergence(p, p)).every((v) => v === 0)).toBe(true);
    expect(take(jsDivergence(p, p)).every((v) => v === 0)).toBe(true);
  });

  it.prop([distributionPair({ allowZeros: true })])('H(p, q) = H(p) + KL(p ‖ q)', ([p, q]) => {
    const ce = take(crossEntropy(p, q));
    const h = take(entropy(p));
    const kl = take(klDivergence(p, q));
    ce.forEach((value, row) => {
      const pr = p[row]!;
      const bound = rowBound(pr, q[row]!) * 2 + rowBound(pr, pr);
      expectNear(value, h[row]! + kl[row]!, bound, `row ${row}`);
    });
  });

  it.prop([fc.integer({ min: 1, max: 12 }).chain((c) => distribution(c, { allowZeros: true }))])(
    '0 ≤ H(p) ≤ log C',
    (p) => {
      const [h] = take(entropy(p));
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(Math.log(p.length) + rowBound(p, p));
    },
  );

  it.prop([distributionPair({ allowZeros: true })])('JS is symmetric and within [0, log 2]', ([p, q]) => {
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

  it.prop([distributionPair({ allowZeros: true }), fc.constantFrom(2, 10)])(
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
  it.prop([rank3, rank3, fc.integer({ min: 0, max: 2 })])(
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

describe('bad input and leaks', () => {
  describe('bad input', () => {
    // Tensors the calls use are made once, outside the calls, so a leak count
    // of a call counts only what the library allocates.
    const fixtures: Record<'int32Pair' | 'scalar', tf.Tensor> = {} as never;
    beforeAll(() => {
      fixtures.int32Pair = tf.tensor1d([1, 0], 'int32');
      fixtures.scalar = tf.scalar(0.5);
    });
    afterAll(() => tf.dispose(Object.values(fixtures)));

    const p23 = [
      [0.2, 0.3, 0.5],
      [0.1, 0.1, 0.8],
    ];
    const q33 = [
      [0.2, 0.3, 0.5],
      [0.1, 0.1, 0.8],
      [0.3, 0.3, 0.4],
    ];

    const cases: Array<[() => unknown, string]> = [
      [() => crossEntropy(p23, q33), 'crossEntropy: p [2,3] and q [3,3] must have the same shape'],
      [() => klDivergence(q33, p23), 'klDivergence: p [3,3] and q [2,3] must have the same shape'],
      [() => jsDivergence([0.5, 0.5], [[0.5, 0.5]]), 'jsDivergence: p [2] and q [1,2] must have the same shape'],
      [
        () => entropy(p23, { axis: 2 }),
        'entropy: axis 2 is out of range for p of rank 2 (shape [2,3]); expected an integer in [-2, 2)',
      ],
      [
        () => klDivergence(p23, p23, { axis: -3 }),
        'klDivergence: axis -3 is out of range for p of rank 2 (shape [2,3]); expected an integer in [-2, 2)',
      ],
      [
        () => entropy(p23, { axis: 0.5 }),
        'entropy: axis 0.5 is out of range for p of rank 2 (shape [2,3]); expected an integer in [-2, 2)',
      ],
      [() => entropy(fixtures.int32Pair), 'entropy: p must be a float32 tensor, got int32 [2]'],
      [
        () => klDivergence([0.5, 0.5], fixtures.int32Pair),
        'klDivergence: q must be a float32 tensor, got int32 [2]',
      ],
      [() => entropy(0.5), 'entropy: p must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
      [
        () => jsDivergence(fixtures.scalar, fixtures.scalar),
        'jsDivergence: p must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])',
      ],
      [() => entropy(p23, { base: 1 }), 'entropy: base must be a finite number > 0 and ≠ 1, got 1'],
      [() => crossEntropy(p23, p23, { base: -2 }), 'crossEntropy: base must be a finite number > 0 and ≠ 1, got -2'],
      [() => entropy(p23, { base: NaN }), 'entropy: base must be a finite number > 0 and ≠ 1, got NaN'],
      [
        () => entropy(p23, { axes: 0 } as never),
        "entropy: unknown option 'axes' (expected one of: axis, base)",
      ],
      [() => crossEntropy(p23, undefined as never), 'crossEntropy: q is required, got undefined'],
      [
        () => entropy([[0.5, 0.5], [1]]),
        'entropy: p is a ragged array (rows of different lengths); expected a rectangular array',
      ],
      [
        () => klDivergence(['a', 'b'] as never, p23),
        'klDivergence: p must be a tensor or an array of numbers, got the string "a"',
      ],
    ];
    test.each(cases.map(([call, message]) => ({ call, message })))('throws $message', ({ call, message }) => {
      expect(call).toThrowError(message);
      expect(tensorsLeftByThrowing(call)).toBe(0);
    });
  });

  describe('no leaked tensors', () => {
    const p = [
      [0, 0.3, 0.7],
      [0.2, 0.2, 0.6],
    ];
    const q = [
      [0.1, 0.3, 0.6],
      [0.5, 0.25, 0.25],
    ];
    const ops: Array<[string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor]> = [
      ['entropy', (a) => entropy(a, { base: 2 })],
      ['crossEntropy', (a, b) => crossEntropy(a, b, { axis: 0 })],
      ['klDivergence', (a, b) => klDivergence(a, b)],
      ['jsDivergence', (a, b) => jsDivergence(a, b)],
    ];

    test.each(ops)('%s: a call adds exactly its result, from arrays and from tensors', (_name, op) => {
      const pt = tf.tensor2d(p);
      const qt = tf.tensor2d(q);
      expect(tensorsLeftBy(() => op(pt, qt).dispose())).toBe(0);
      expect(tensorsLeftBy(() => op(pt, qt))).toBe(1);
      expect(tensorsLeftBy(() => op(p as never, q as never).dispose())).toBe(0);
      tf.dispose([pt, qt]);
    });

    test.each(ops)('%s: tf.grads adds exactly its gradients; tf.valueAndGrads its value and gradients', (_name, op) => {
      const pt = tf.tensor2d(p);
      const qt = tf.tensor2d(q);
      const inputs = [pt, qt].slice(0, op.length);
      expect(tensorsLeftBy(() => tf.dispose(tf.grads(op)(inputs)))).toBe(0);
      expect(tensorsLeftBy(() => tf.grads(op)(inputs))).toBe(inputs.length);
      expect(
        tensorsLeftBy(() => {
          const { value, grads } = tf.valueAndGrads(op)(inputs);
          tf.dispose([value, ...grads]);
        }),
      ).toBe(0);
      tf.dispose([pt, qt]);
    });

    test('a throw inside a recorded gradient leaves nothing behind', () => {
      const pt = tf.tensor2d(p);
      const call = () => tf.grad((a: tf.Tensor) => klDivergence(a, tf.zeros([3, 3])))(pt);
      expect(call).toThrowError('klDivergence: p [2,3] and q [3,3] must have the same shape');
      expect(tensorsLeftByThrowing(call)).toBe(0);
      pt.dispose();
    });
  });
});

describe('edge cases', () => {
  const pairs = { crossEntropy, klDivergence, jsDivergence };

  test.each(Object.entries(pairs))('%s: a NaN or negative q propagates NaN, even where p = 0', (_name, f) => {
    expect(take(f([0, 1], [NaN, 1]))[0]).toBeNaN();
    expect(take(f([0, 1], [-1, 1]))[0]).toBeNaN();
    expect(take(f([NaN, 1], [0.5, 0.5]))[0]).toBeNaN();
  });

  test('entropy: a NaN or negative p propagates NaN', () => {
    expect(take(entropy([NaN, 1]))[0]).toBeNaN();
    expect(take(entropy([-0.5, 1.5]))[0]).toBeNaN();
  });

  test.each(Object.entries({ entropy: (p: tf.Tensor) => entropy(p), ...pairs }))(
    '%s: an empty batch [0, 3] gives an empty result and gradient',
    (_name, f) => {
      const p = tf.zeros([0, 3]);
      const before = tf.memory().numTensors;
      const value = (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(p, p);
      expect(value.shape).toEqual([0]);
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(a, b))(
        [p, p].slice(0, f.length),
      );
      expect(grads.map((g) => g.shape)).toEqual(grads.map(() => [0, 3]));
      tf.dispose([value, ...grads]);
      expect(tf.memory().numTensors).toBe(before);
      p.dispose();
    },
  );

  test('rank 3 with the distribution on the middle axis: values per distribution, gradients checked', () => {
    // [2, 3, 2]: two batches of two distributions over 3 outcomes on axis 1.
    const p = tf.tensor3d([0.2, 0.5, 0.3, 0.3, 0.5, 0.2, 0.1, 0.6, 0.6, 0.2, 0.3, 0.2], [2, 3, 2]);
    const q = tf.tensor3d([0.4, 0.3, 0.3, 0.3, 0.3, 0.4, 0.2, 0.2, 0.5, 0.1, 0.3, 0.7], [2, 3, 2]);
    const perDistribution = take(klDivergence(p, q, { axis: 1 }));
    // Distribution [0, :, 0] is (0.2, 0.3, 0.5) against (0.4, 0.3, 0.3).
    expect(perDistribution[0]).toBeCloseTo(0.2 * Math.log(0.5) + 0.5 * Math.log(0.5 / 0.3), 6);
    for (const f of Object.values(pairs)) {
      expect(checkGradients((a, b) => f(a, b, { axis: 1 }), [p, q]).ok).toBe(true);
    }
    tf.dispose([p, q]);
  });

  test('jsDivergence stays finite and tiny for the smallest float32 values', () => {
    const tiny = take(jsDivergence([1e-45, 1], [0, 1]))[0]!;
    expect(tiny).toBeGreaterThanOrEqual(0);
    expect(tiny).toBeLessThan(1e-40);
    const [dp] = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => jsDivergence(a, b))([tf.tensor1d([1e-45, 1]), tf.tensor1d([0, 1])]).map((g) => Array.from(g.dataSync())));
    // ½ log(p/m) = ½ log 2 at the tiny entry.
    expect(dp![0]).toBeCloseTo(Math.log(2) / 2, 5);
  });

  test.each(Object.entries({ entropy: (p: tf.Tensor) => entropy(p), ...pairs }))(
    '%s: an empty class axis [2, 0] gives 0 per distribution (on wasm too, whose empty sums are garbage)',
    (_name, f) => {
      const p = tf.zeros([2, 0]);
      expect(take((f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(p, p))).toEqual([0, 0]);
      p.dispose();
    },
  );

  test('one class: H = 0 and KL = 0 for [1] against [1]', () => {
    expect(take(entropy([[1], [1]]))).toEqual([0, 0]);
    expect(take(klDivergence([[1]], [[1]]))).toEqual([0]);
    expect(tensorsLeftBy(() => take(crossEntropy([[1]], [[1]])))).toBe(0);
  });
});

describe('the worked example', () => {
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
