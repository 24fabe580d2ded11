/**
 * InfoNCE (losses/info-nce.ts) against its float64 reference, written below
 * from PyTorch's definition `F.cross_entropy(F.normalize(q) @ F.normalize(k).T / T,
 * arange(N))` (and its mean with the transpose's): values and both gradients
 * for random inputs and every option; closed forms; checkGradients on both
 * inputs, and the same check failing a wrong gradient; Hessian-vector
 * products against float64; invariants (fast-check, fixed seed); bad input
 * (pinned messages) and no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkGradients, FUSED_KERNELS_FLAG, infoNCE } from '../../src/index.js';
import { flatOf, reductions } from '../support/arbitraries.js';
import { logSoftmax64, numericGradient64, toRows, type Reduction, type Rows } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { m23, reduce, testGradThrowLeavesNothing, testNoLeakedTensors, v23 } from '../support/generative-fixtures.js';
import { testThrowsCleanly } from '../support/loss-tests.js';
import { take } from '../support/tensors.js';

// ---- The float64 reference

interface Options64 {
  temperature: number;
  symmetric: boolean;
  normalize: boolean;
  reduction: Reduction;
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
/** F.normalize: x / max(‖x‖₂, 1e-12). */
const normalize64 = (x: readonly number[]) => x.map((v) => v / Math.max(Math.hypot(...x), 1e-12));
const transpose = (m: Rows): Rows => (m[0] ?? []).map((_, j) => m.map((row) => row[j]!));
/** −log softmax(s_i)_i for each row i of a square matrix. */
const diagonalCrossEntropy64 = (s: Rows) => s.map((row, i) => -logSoftmax64(row)[i]!);

/** The similarity logits s_ij = ⟨q̂_i, k̂_j⟩/T. */
function logits64(q: Rows, k: Rows, { temperature, normalize }: Pick<Options64, 'temperature' | 'normalize'>): Rows {
  const [qs, ks] = [q, k].map((rows) => (normalize ? rows.map(normalize64) : rows)) as [Rows, Rows];
  return qs.map((qi) => ks.map((kj) => dot(qi, kj) / temperature));
}

/** InfoNCE per pair, (row + column)/2 with `symmetric`, then reduced. */
function infoNCE64(q: Rows, k: Rows, o: Options64): number | number[] {
  const s = logits64(q, k, o);
  const rows = diagonalCrossEntropy64(s);
  const columns = diagonalCrossEntropy64(transpose(s));
  return reduce(o.symmetric ? rows.map((r, i) => (r + columns[i]!) / 2) : rows, o.reduction);
}

// ---- Arbitraries

/**
 * N pairs of D-dimensional float32 embeddings in [−3, 3], flat, and options. Rows are at
 * least 0.05 long: F.normalize has a kink at length ε = 1e-12, which the float64 central
 * differences (step 1e-6) would straddle; rows shorter than ε have a test of their own.
 */
const embeddingCases = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 6 }) })
  .chain(({ n, d }) =>
    fc.record({
      n: fc.constant(n),
      d: fc.constant(d),
      q: flatOf(n * d, -3, 3),
      k: flatOf(n * d, -3, 3),
      temperature: fc.constantFrom(0.07, 0.2, 1, 3),
      symmetric: fc.boolean(),
      normalize: fc.boolean(),
      reduction: reductions,
    }),
  )
  .filter(({ q, k, d }) => [...toRows(q, d), ...toRows(k, d)].every((row) => Math.hypot(...row) >= 0.05));

/** A `[n, d]` matrix of float32 numbers in [min, max], as rows. */
const rows = (n: number, d: number, min: number, max: number) => flatOf(n * d, min, max).map((flat) => toRows(flat, d));

/** Pairs of `[N, D]` embeddings whose rows are at least 0.1 long (N ≥ 1). */
const embeddingPairs = fc
  .record({ n: fc.integer({ min: 1, max: 5 }), d: fc.integer({ min: 1, max: 5 }) })
  .chain(({ n, d }) => fc.tuple(rows(n, d, -3, 3), rows(n, d, -3, 3)))
  .filter(([q, k]) => [...q, ...k].every((row) => Math.hypot(...row) >= 0.1));

// ---- Float64 reference

describe('float64 reference', () => {
  it.prop([embeddingCases])('values and the gradients of queries and keys, every option', (c) => {
    const shape = [c.n, c.d];
    const options: Options64 = { temperature: c.temperature, symmetric: c.symmetric, normalize: c.normalize, reduction: c.reduction };
    const [q, k] = [toRows(c.q, c.d), toRows(c.k, c.d)];
    // The float32 scale of a value: a log-sum-exp over logits up to max|s|; of a gradient,
    // that amplified by 1/T and by max|x| (dot products) or 1/min‖x‖ (the normalisation's 1/‖x‖).
    const maxLogit = Math.max(...logits64(q, k, options).flat().map(Math.abs));
    const lengths = [...q, ...k].map((row) => Math.hypot(...row));
    const amplification = (c.normalize ? 1 / Math.min(...lengths) : Math.max(...c.q.map(Math.abs), ...c.k.map(Math.abs), 1)) / c.temperature;
    const valueScale = (1 + 2 * maxLogit + Math.log(c.n)) * (c.reduction === 'sum' ? c.n : 1);
    const expected = infoNCE64(q, k, options);
    expectWithinFloat32(take(infoNCE(q, k, options)), typeof expected === 'number' ? [expected] : expected, { scale: valueScale, terms: c.n * c.d + c.n });
    compareWithReference(
      (a, b) => infoNCE(a!, b!, options),
      (a, b) => infoNCE64(toRows(a!, c.d), toRows(b!, c.d), options),
      [
        { values: c.q, shape },
        { values: c.k, shape },
      ],
      valueScale * (1 + amplification),
      c.n * c.d + c.n,
    );
  });

  test('orthonormal positive pairs: l = log(e^{1/T} + N − 1) − 1/T; equal similarities: log N', () => {
    const identity = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ];
    const temperature = 0.25;
    const expected = Math.log(Math.exp(1 / temperature) + 2) - 1 / temperature;
    expectWithinFloat32(take(infoNCE(identity, identity, { temperature, reduction: 'none' })), [expected, expected, expected], { scale: 10, terms: 3 });
    // Every query the same direction, every key the same: all similarities equal, chance level log N.
    const same = [
      [1, 2],
      [2, 4],
      [0.5, 1],
    ];
    expectWithinFloat32(take(infoNCE(same, [[3, -1], [3, -1], [6, -2]], { symmetric: true, reduction: 'none' })), [Math.log(3), Math.log(3), Math.log(3)], { scale: 10, terms: 3 });
  });

  test('the README example: 0.1375 for both directions', () => {
    const q = [
      [1, 0],
      [0, 1],
    ];
    const k = [
      [2, 0.1],
      [0.1, 3],
    ];
    for (const symmetric of [false, true]) {
      const expected = infoNCE64(q, k, { temperature: 0.5, symmetric, normalize: true, reduction: 'mean' }) as number;
      expect(expected).toBeCloseTo(0.1375, 4);
      expectWithinFloat32(take(infoNCE(q, k, { temperature: 0.5, symmetric })), [expected], { scale: 5, terms: 4 });
    }
  });

  test.each([
    ['a zero row stays zero', [0, 0, 0]],
    ['a row of length 5e-13 becomes x/ε, of length 0.5', [3e-13, -4e-13, 0]],
  ])('rows shorter than ε = 1e-12, as F.normalize: %s, and its gradient is upstream/ε', (_name, short) => {
    const q = [short, [0.5, -1, 2]];
    const k = [
      [1, 0.3, -0.2],
      [-0.4, 0.9, 1.1],
    ];
    const options: Options64 = { temperature: 0.5, symmetric: true, normalize: true, reduction: 'mean' };
    const [value, dq] = tf.tidy(() => {
      const f = (a: tf.Tensor, b: tf.Tensor) => infoNCE(a, b, options);
      return [take(f(tf.tensor2d(q), tf.tensor2d(k))), Array.from(tf.grads(f)([tf.tensor2d(q), tf.tensor2d(k)])[0]!.dataSync())];
    });
    expectWithinFloat32(value, [infoNCE64(q, k, options) as number], { scale: 10, terms: 6 });
    // ∂/∂q_0 = (∂/∂q̂_0)/ε, where x ↦ x/ε is linear: the gradient of the loss without normalising, at the rows
    // F.normalize gives, over 1e-12. (Central differences at q itself would straddle the kink at length ε.)
    const normalized = (rows: Rows) => rows.map(normalize64);
    const atNormalized = numericGradient64((flat) => infoNCE64(toRows(flat, 3), normalized(k), { ...options, normalize: false }), normalized(q).flat());
    expectWithinFloat32(dq.slice(0, 3).map((g) => g * 1e-12), atNormalized.slice(0, 3), { scale: 10, terms: 6, label: 'short row' });
  });
});

// ---- Gradients

describe('gradients', () => {
  const q = [
    [0.3, -1.2, 0.8],
    [1.5, 0.2, -0.4],
    [-0.6, 0.9, 0.1],
  ];
  const k = [
    [0.5, -0.9, 1.1],
    [1.2, -0.3, 0.2],
    [-0.2, 1.4, -0.7],
  ];
  const perPair = (options: object) => (a: tf.Tensor, b: tf.Tensor) => infoNCE(a, b, { ...options, reduction: 'none' });

  test.each([
    ['normalised, one direction', { temperature: 0.5 }],
    ['normalised, symmetric', { temperature: 0.5, symmetric: true }],
    ['dot products, symmetric', { temperature: 2, symmetric: true, normalize: false }],
  ])('checkGradients passes on both inputs: %s', (_name, options) => {
    const result = checkGradients(perPair(options), [q, k]);
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });

  /** Rows over their length, with `gradient` as the backward pass: the normalisation in front of infoNCE({normalize: false}). */
  const normalizeWith = (gradient: (dy: tf.Tensor, x: tf.Tensor, norm: tf.Tensor) => tf.Tensor) =>
    tf.customGrad((x, save) => {
      (save as tf.GradSaveFunc)([x as tf.Tensor]);
      const norm = (y: tf.Tensor) => tf.sqrt(tf.sum(tf.square(y), -1, true));
      return { value: tf.div(x as tf.Tensor, norm(x as tf.Tensor)), gradFunc: (dy, [saved]) => gradient(dy, saved!, norm(saved!)) };
    });
  /** The right backward: (dy − x̂⟨x̂, dy⟩)/‖x‖. */
  const projected = (dy: tf.Tensor, x: tf.Tensor, norm: tf.Tensor) => {
    const unit = tf.div(x, norm);
    return tf.div(tf.sub(dy, tf.mul(unit, tf.sum(tf.mul(unit, dy), -1, true))), norm);
  };
  const right = normalizeWith(projected);
  const lengthIgnored = normalizeWith((dy, _x, norm) => tf.div(dy, norm));
  const twoPercentOff = normalizeWith((dy, x, norm) => tf.mul(projected(dy, x, norm), 1.02));

  test('the same check fails a wrong gradient: the normalisation differentiated as if the length were constant, or 2% off', () => {
    const through = (normalizeRows: (x: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) =>
      infoNCE(normalizeRows(a), normalizeRows(b), { temperature: 0.5, symmetric: true, normalize: false, reduction: 'none' });
    // The hand-written right gradient composes to what infoNCE computes, and passes.
    expect(checkGradients(through((x) => right(x) as tf.Tensor), [q, k]).ok).toBe(true);
    expect(checkGradients(through((x) => lengthIgnored(x) as tf.Tensor), [q, k]).ok).toBe(false);
    expect(checkGradients(through((x) => twoPercentOff(x) as tf.Tensor), [q, k]).ok).toBe(false);
  });
});

// ---- Second order

/** Runs `f` with the fused kernels off, restoring the flag. */
function withComposite<T>(f: () => T): T {
  const before = tf.env().getBool(FUSED_KERNELS_FLAG);
  tf.env().set(FUSED_KERNELS_FLAG, false);
  try {
    return f();
  } finally {
    tf.env().set(FUSED_KERNELS_FLAG, before);
  }
}

describe('second-order gradients', () => {
  // The composite cross-entropy path: the fused kernels' backward kernels have no gradient yet (issue 14 item 5).
  test.each([
    ['normalised, symmetric, mean', { temperature: 0.5, symmetric: true, normalize: true, reduction: 'mean' as const }],
    ['dot products, one direction, sum', { temperature: 2, symmetric: false, normalize: false, reduction: 'sum' as const }],
  ])('Hessian-vector products of both inputs match float64: %s', (_name, options) => {
    const [n, d] = [3, 2];
    const x = [0.3, -1.2, 1.5, 0.2, -0.6, 0.9, 0.5, -0.9, 1.2, -0.3, -0.2, 1.4];
    const v = [1, -0.5, 0.25, 0.75, -1, 0.5, -0.25, 1, 0.5, -0.75, 0.3, -0.6];
    const split = (flat: number[]) => [toRows(flat.slice(0, n * d), d), toRows(flat.slice(n * d), d)] as const;
    const f64 = (flat: number[]) => infoNCE64(...split(flat), options) as number;
    // d/dh of the float64 gradient at x + h·v, by central differences of central differences.
    const h = 1e-4;
    const gradientAt = (t: number) => numericGradient64(f64, x.map((xi, i) => xi + t * v[i]!));
    const expected = gradientAt(h).map((g, i) => (g - gradientAt(-h)[i]!) / (2 * h));
    const hvp = withComposite(() =>
      tf.tidy(() => {
        const [vq, vk] = [tf.tensor2d(v.slice(0, n * d), [n, d]), tf.tensor2d(v.slice(n * d), [n, d])];
        const f = (a: tf.Tensor, b: tf.Tensor) => infoNCE(a, b, options);
        const directional = (a: tf.Tensor, b: tf.Tensor) => {
          const [ga, gb] = tf.grads(f)([a, b]);
          return tf.add(tf.sum(tf.mul(ga!, vq)), tf.sum(tf.mul(gb!, vk)));
        };
        const [hq, hk] = tf.grads(directional)([tf.tensor2d(x.slice(0, n * d), [n, d]), tf.tensor2d(x.slice(n * d), [n, d])]);
        return [...hq!.dataSync(), ...hk!.dataSync()];
      }),
    );
    expectWithinFloat32(hvp, expected, { scale: 100, terms: 2 * n * d, label: 'Hessian-vector product' });
  });

  test('a zero row has a finite second-order gradient', () => {
    const hvp = withComposite(() =>
      tf.tidy(() => {
        const k = tf.tensor2d([[1, 0.3], [-0.4, 0.9]]);
        const direction = tf.tensor2d([[0.3, -0.7], [1, 0.2]]);
        const gradient = tf.grad((a: tf.Tensor) => infoNCE(a, k, { symmetric: true }));
        return Array.from(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(gradient(a), direction)))(tf.tensor2d([[0, 0], [0.5, 1]])).dataSync());
      }),
    );
    expect(hvp.every(Number.isFinite)).toBe(true);
  });
});

// ---- Properties

describe('properties', () => {
  const perPair = (q: Rows, k: Rows, options: object = {}) => take(infoNCE(q, k, { ...options, reduction: 'none' }));
  const bound = (n: number, temperature: number) => ({ scale: (1 + 4 / temperature + Math.log(n)) * 4, terms: 2 * n });

  it.prop([embeddingPairs, fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 10, maxLength: 10 })])(
    'with normalize, scaling any row of either input by c > 0 changes nothing',
    ([q, k], factors) => {
      const scaled = (rows: Rows, offset: number) => rows.map((row, i) => row.map((x) => Math.fround(x * factors[i + offset]!)));
      const options = { temperature: 0.2, symmetric: true };
      expectWithinFloat32(perPair(scaled(q, 0), scaled(k, 5), options), perPair(q, k, options), bound(q.length, 0.2));
    },
  );

  it.prop([embeddingPairs, fc.boolean()])('permuting the pairs permutes the per-pair losses', ([q, k], symmetric) => {
    // Reversing the order of the pairs: row i and key i move together.
    const options = { temperature: 0.5, symmetric };
    const reversed = perPair([...q].reverse(), [...k].reverse(), options);
    expectWithinFloat32(reversed, perPair(q, k, options).reverse(), bound(q.length, 0.5));
  });

  it.prop([embeddingPairs, fc.boolean()])('symmetric is the mean of infoNCE(q, k) and infoNCE(k, q), pair by pair', ([q, k], normalize) => {
    const options = { temperature: 1, normalize };
    const both = perPair(q, k, { ...options, symmetric: true });
    const forward = perPair(q, k, options);
    const backward = perPair(k, q, options);
    const scale = normalize ? 1 : Math.max(...[...q, ...k].flat().map(Math.abs)) ** 2 * q[0]!.length;
    expectWithinFloat32(both, forward.map((l, i) => (l + backward[i]!) / 2), { scale: (1 + 2 * scale + Math.log(q.length)) * 4, terms: 2 * q.length });
  });

  it.prop([embeddingPairs, fc.constantFrom(0.07, 0.5, 2)])(
    'with normalize, log(1 + (N − 1)·e^{−2/T}) ≤ loss ≤ log(1 + (N − 1)·e^{2/T}), so ≥ 0; one pair gives 0',
    ([q, k], temperature) => {
      const n = q.length;
      const { scale, terms } = bound(n, temperature);
      const slack = (16 + terms) * 2 ** -24 * scale;
      for (const l of perPair(q, k, { temperature })) {
        expect(l).toBeGreaterThanOrEqual(Math.log1p((n - 1) * Math.exp(-2 / temperature)) - slack);
        expect(l).toBeLessThanOrEqual(Math.log1p((n - 1) * Math.exp(2 / temperature)) + slack);
      }
      expect(perPair(q.slice(0, 1), k.slice(0, 1), { temperature })).toEqual([0]);
    },
  );

  it.prop([embeddingPairs])('keys equal to their queries beat a shuffle of them: the positive pair lowers the loss', ([q]) => {
    fc.pre(q.length >= 2);
    // Row i against itself has similarity 1, the largest possible; the mean loss is then at most that of a rotation of the keys.
    const rotated = [...q.slice(1), q[0]!];
    const aligned = take(infoNCE(q, q, { temperature: 0.5 }))[0]!;
    expect(aligned).toBeLessThanOrEqual(take(infoNCE(q, rotated, { temperature: 0.5 }))[0]! + 1e-5);
  });
});

// ---- Bad input and leaks

describe('bad input, empty batches and leaks', () => {
  // A tensor made once, outside the calls, so a leak count sees only the library.
  const fixtures: { intKeys?: tf.Tensor } = {};
  beforeAll(() => {
    fixtures.intKeys = tf.tensor2d([[1, 2, 3], [4, 5, 6]], undefined, 'int32');
  });
  afterAll(() => fixtures.intKeys?.dispose());

  testThrowsCleanly([
    [() => infoNCE(m23, v23, { temperature: 0 }), 'infoNCE: temperature must be a finite number > 0, got 0'],
    [() => infoNCE(m23, v23, { temperature: Infinity }), 'infoNCE: temperature must be a finite number > 0, got Infinity'],
    [() => infoNCE(m23, v23, { symmetric: 'yes' as never }), 'infoNCE: symmetric must be a boolean, got "yes"'],
    [() => infoNCE(m23, v23, { normalize: 1 as never }), 'infoNCE: normalize must be a boolean, got 1'],
    [() => infoNCE(m23, v23, { reduction: 'avg' as never }), "infoNCE: reduction must be one of 'none', 'sum', 'mean', got \"avg\""],
    [() => infoNCE(m23, v23, { tau: 0.1 } as never), "infoNCE: unknown option 'tau' (expected one of: temperature, symmetric, normalize, reduction)"],
    [() => infoNCE(m23, [[1, 2]]), 'infoNCE: queries [2,3] and keys [1,2] must have the same shape'],
    [() => infoNCE([1, 2, 3], [4, 5, 6]), 'infoNCE: queries and keys must be matrices [N, D] (rank 2), got shape [3]'],
    [() => infoNCE([[[1, 2]]], [[[4, 5]]]), 'infoNCE: queries and keys must be matrices [N, D] (rank 2), got shape [1,1,2]'],
    [() => infoNCE([[], []], [[], []]), 'infoNCE: queries and keys [2,0] have no features (D = 0)'],
    [() => infoNCE(m23, fixtures.intKeys!), 'infoNCE: keys must be a float32 tensor, got int32 [2,3]'],
  ]);

  testGradThrowLeavesNothing([
    ['infoNCE keys of another shape', (m) => infoNCE(m, [[1, 2]])],
    ['infoNCE bad option', (m) => infoNCE(m, v23, { temperature: -1 })],
  ]);

  testNoLeakedTensors([
    ['infoNCE', (a, b) => infoNCE(a, b)],
    ['infoNCE symmetric, dot products', (a, b) => infoNCE(a, b, { symmetric: true, normalize: false, reduction: 'sum' })],
  ]);

  test('an empty batch (N = 0) gives 0 for mean and sum, [] for none, and empty gradients', () => {
    const empty = () => tf.zeros([0, 4]);
    for (const symmetric of [false, true]) {
      expect(take(infoNCE(empty(), empty(), { symmetric }))).toEqual([0]);
      expect(take(infoNCE(empty(), empty(), { symmetric, reduction: 'sum' }))).toEqual([0]);
      const none = infoNCE(empty(), empty(), { symmetric, reduction: 'none' });
      expect(none.shape).toEqual([0]);
      none.dispose();
      const shapes = tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => infoNCE(a, b, { symmetric }))([empty(), empty()]).map((g) => g.shape));
      expect(shapes).toEqual([
        [0, 4],
        [0, 4],
      ]);
    }
  });
});

describe('stability / extreme values', () => {
  test('dot products of length-1e4 embeddings, and normalised rows of length 1e15 or 1e-15: finite values and gradients', () => {
    for (const [scale, normalize] of [
      [1e4, false],
      [1e15, true],
      [1e-15, true],
    ] as const) {
      const q = m23.map((row) => row.map((x) => x * scale));
      const k = v23.map((row) => row.map((x) => x * scale));
      const numbers = tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => infoNCE(a, b, { normalize, symmetric: true });
        const [a, b] = [tf.tensor2d(q), tf.tensor2d(k)];
        return [...f(a, b).dataSync(), ...tf.grads(f)([a, b]).flatMap((g) => Array.from(g.dataSync()))];
      });
      expect(numbers.every(Number.isFinite), `${scale}: ${numbers}`).toBe(true);
    }
    // Long rows normalise as short ones do; rows shorter than ε = 1e-12 are divided by ε (F.normalize), so nearly zero: chance level.
    const scaled = (rows: Rows, c: number) => rows.map((row) => row.map((x) => x * c));
    const { scale, terms } = { scale: 10, terms: 6 };
    expectWithinFloat32(take(infoNCE(scaled(m23, 1e15), scaled(v23, 1e15))), take(infoNCE(m23, v23)), { scale, terms });
    expectWithinFloat32(take(infoNCE(scaled(m23, 1e-15), scaled(v23, 1e-15))), [infoNCE64(scaled(m23, 1e-15), scaled(v23, 1e-15), { temperature: 0.07, symmetric: false, normalize: true, reduction: 'mean' }) as number], { scale, terms });
  });
});
