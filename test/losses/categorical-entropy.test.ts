/**
 * The entropy of categorical distributions given by logits
 * (losses/categorical-entropy.ts). Against its float64 reference, PyTorch's
 * `Categorical(logits=z/T).entropy()` written out below: values and gradients
 * at random temperatures, bases, axes and reductions, with masked classes,
 * and at logits ±1e4; checkGradients, shown to fail plausible wrong
 * gradients; Hessian-vector products (tf.grad of the gradient) against the
 * float64 Hessian; invariants (fast-check, fixed seed); NaN and ±Infinity;
 * bad input (pinned messages) and no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { categoricalEntropy, checkGradients, entropy } from '../../src/index.js';
import { flatOf, reductions, sizeOf } from '../support/arbitraries.js';
import { logSoftmax64, numericGradient64 } from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { a3, m23, matrix, reduce, sum, testGradThrowLeavesNothing } from '../support/generative-fixtures.js';
import { testGradientsCheck, testThrowsCleanly } from '../support/loss-tests.js';
import { take, tensorsLeftBy } from '../support/tensors.js';

// ---- The float64 reference

/**
 * `torch.distributions.Categorical(logits=z/T).entropy()` in float64, in base
 * `base`: the logits are normalised to log π = z/T − logsumexp(z/T), clamped
 * below at the lowest finite float, and H = −Σ π·log π; so a masked class
 * (a −Infinity logit, π = 0) contributes 0·(finite) = 0.
 */
function categoricalEntropy64(z: readonly number[], temperature = 1, base = Math.E): number {
  const logPi = logSoftmax64(z.map((v) => v / temperature));
  return -sum(logPi.map((lp) => Math.exp(lp) * Math.max(lp, -Number.MAX_VALUE))) / Math.log(base);
}

/** ∂H/∂z_k = −π_k(log π_k + H)/(T·ln base) for {@link categoricalEntropy64}, hand-derived; 0 for a masked class (π_k = 0). */
function entropyGradient64(z: readonly number[], temperature = 1, base = Math.E): number[] {
  const logPi = logSoftmax64(z.map((x) => x / temperature));
  const h = categoricalEntropy64(z, temperature);
  return logPi.map((lp) => (lp === -Infinity ? 0 : (-Math.exp(lp) * (lp + h)) / (temperature * Math.log(base))));
}

/**
 * The float64 Hessian-vector product of {@link categoricalEntropy64}, hand-derived:
 * with u = z/T, ℓ = log π and g_k = ∂H/∂u_k = −π_k(ℓ_k + H),
 * ∂g_k/∂u_j = −π_k(δ_kj − π_j)(ℓ_k + H + 1) + π_kπ_j(ℓ_j + H), so
 * (H v)_k = [−π_k(ℓ_k + H + 1)(v_k − Σ_j π_j v_j) + π_k Σ_j π_j(ℓ_j + H)v_j] / (T²·ln base);
 * 0 for a masked class (π_k = 0).
 */
function entropyHvp64(z: readonly number[], v: readonly number[], temperature = 1, base = Math.E): number[] {
  const logPi = logSoftmax64(z.map((x) => x / temperature));
  const pi = logPi.map(Math.exp);
  const held = logPi.map((lp) => (lp === -Infinity ? 0 : lp));
  const h = -sum(pi.map((p, k) => p * held[k]!));
  const piV = sum(pi.map((p, j) => p * v[j]!));
  const weighted = sum(pi.map((p, j) => p * (held[j]! + h) * v[j]!));
  const scale = temperature ** 2 * Math.log(base);
  return pi.map((p, k) => (-p * (held[k]! + h + 1) * (v[k]! - piV) + p * weighted) / scale);
}

// ---- Inputs along any axis

/** The flat indices of each distribution along `axis` of `shape`, in the row-major order of the other axes (the order of the output). */
function fiberIndices(shape: readonly number[], axis: number): number[][] {
  const strides = shape.map((_, i) => sizeOf(shape.slice(i + 1)));
  const outer = shape.flatMap((size, i) => (i === axis ? [] : [{ size, stride: strides[i]! }]));
  return Array.from({ length: sizeOf(outer.map((o) => o.size)) }, (_, n) => {
    let rest = n;
    let start = 0;
    for (let i = outer.length - 1; i >= 0; i--) {
      start += (rest % outer[i]!.size) * outer[i]!.stride;
      rest = Math.floor(rest / outer[i]!.size);
    }
    return Array.from({ length: shape[axis]! }, (_, k) => start + k * strides[axis]!);
  });
}

/**
 * Logits of rank 1 to 3 (every axis 1 to 4 long), a class axis, a temperature, a base and a
 * reduction; about a quarter of the logits are −Infinity (masked), never all of a distribution.
 */
const entropyCases = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
  .chain((shape) => {
    const n = sizeOf(shape);
    return fc.record({
      shape: fc.constant(shape),
      axis: fc.integer({ min: -shape.length, max: shape.length - 1 }),
      values: flatOf(n, -8, 8),
      masked: fc.array(fc.integer({ min: 0, max: 3 }).map((k) => k === 0), { minLength: n, maxLength: n }),
      temperature: fc.constantFrom(0.5, 1, 2.5, 4),
      base: fc.constantFrom(Math.E, 2, 10),
      reduction: reductions,
    });
  })
  .map((c) => {
    const classAxis = c.axis < 0 ? c.axis + c.shape.length : c.axis;
    const fibers = fiberIndices(c.shape, classAxis);
    // Each distribution keeps its first class unmasked.
    const firsts = new Set(fibers.map((fiber) => fiber[0]!));
    const logits = c.values.map((v, i) => (c.masked[i] && !firsts.has(i) ? -Infinity : v));
    return { ...c, fibers, classes: c.shape[classAxis]!, logits };
  });

describe('float64 reference: PyTorch Categorical(logits=z/T).entropy()', () => {
  it.prop([entropyCases])('values and gradients at any temperature, base, axis and reduction, with masked classes', (c) => {
    const options = { axis: c.axis, temperature: c.temperature, base: c.base, reduction: c.reduction };
    const distributions = c.fibers.length;
    compareWithReference(
      (z) => categoricalEntropy(z!, options),
      (z) => reduce(c.fibers.map((fiber) => categoricalEntropy64(fiber.map((i) => z![i]!), c.temperature, c.base)), c.reduction),
      [{ values: c.logits, shape: c.shape }],
      // Each term π·log π with |log π| ≤ 2·8/T + log C, over C classes (and every distribution for 'sum').
      (1 + (2 * 8) / c.temperature + Math.log(c.classes)) * c.classes * (c.reduction === 'sum' ? distributions : 1),
      c.classes + distributions,
    );
  });

  test('logits ±1e4: exact, finite values and gradients', () => {
    const z = [
      [1e4, 0, -1e4],
      [1e4, 1e4, -1e4],
      [-1e4, 3e4, 3e4 - 0.5],
      [3e4, -Infinity, -3e4],
    ];
    for (const temperature of [0.5, 1, 2]) {
      // One class takes all the mass: exactly 0, with a zero gradient (float64: e^-1e4 = 0 too).
      expect(take(categoricalEntropy([z[0]!], { temperature }))).toEqual([0]);
      const zeroGradient = take(tf.tidy(() => tf.grad((x: tf.Tensor) => categoricalEntropy(x, { temperature }))(tf.tensor2d([z[0]!]))));
      expect(zeroGradient.map(Math.abs)).toEqual([0, 0, 0]);
      // Dividing by T = 0.5, 1, 2 and shifting by the max are exact on these logits (integers and halves),
      // so the float32 error is that of the shifted logits, at most 2/T.
      compareWithReference(
        (x) => categoricalEntropy(x!, { temperature, reduction: 'none' }),
        (x) => [0, 1, 2, 3].map((row) => categoricalEntropy64(x!.slice(3 * row, 3 * row + 3), temperature)),
        [{ values: z.flat(), shape: [4, 3] }],
        (1 + 2 / temperature + Math.log(3)) * 3,
        3,
      );
    }
  });

  test('masked classes contribute 0 to the value and get a zero gradient; one finite logit gives 0', () => {
    const z = [
      [0.5, -Infinity, -1, 2],
      [-Infinity, 3, -Infinity, -Infinity],
      [-Infinity, -Infinity, -Infinity, -7],
    ];
    const value = take(categoricalEntropy(z, { reduction: 'none' }));
    const unmasked = z.map((row) => row.filter(Number.isFinite));
    expectWithinFloat32(value, unmasked.map((row) => categoricalEntropy64(row)), { scale: 8, terms: 4 });
    expect(value.slice(1)).toEqual([0, 0]);
    const gradient = take(tf.tidy(() => tf.grad((x: tf.Tensor) => categoricalEntropy(x, { temperature: 0.7 }))(tf.tensor2d(z))));
    const masked = z.flat().flatMap((v, i) => (v === -Infinity ? [i] : []));
    expect(masked.map((i) => Math.abs(gradient[i]!))).toEqual(masked.map(() => 0));
    expect(gradient.slice(4).map(Math.abs)).toEqual(Array.from({ length: 8 }, () => 0));
  });

  test('the hand-derived float64 gradient and Hessian-vector product are the derivatives of the reference', () => {
    const z = [0.3, -1.2, -Infinity, 2, 0.7];
    const v = [0.5, -0.25, 0.8, 1, -0.6];
    const step = 1e-5;
    for (const [temperature, base] of [[1, Math.E], [0.5, 2], [3, 10]] as const) {
      const gradient = entropyGradient64(z, temperature, base);
      const numericGradient = numericGradient64((x) => categoricalEntropy64(x, temperature, base), z);
      gradient.forEach((g, k) => expect(Math.abs(g - numericGradient[k]!)).toBeLessThan(1e-8));
      // H v is the derivative of the gradient along v (the Hessian is symmetric); −∞ ± step·v stays −∞.
      const [plus, minus] = [1, -1].map((sign) => entropyGradient64(z.map((x, k) => x + sign * step * v[k]!), temperature, base)) as [number[], number[]];
      const hvp = entropyHvp64(z, v, temperature, base);
      hvp.forEach((hv, k) => expect(Math.abs(hv - (plus[k]! - minus[k]!) / (2 * step))).toBeLessThan(1e-8));
    }
  });
});

describe('gradients', () => {
  testGradientsCheck([
    ['categoricalEntropy at T = 2 in bits, on axis 1', (z) => categoricalEntropy(z!, { axis: 1, temperature: 2, base: 2, reduction: 'none' }), () => [a3]],
    [
      // Finite differences cannot step a −Infinity logit: the finite ones are checked, beside two masked classes.
      'categoricalEntropy beside masked classes, T = 0.7',
      (z) => categoricalEntropy(tf.concat([z!, tf.fill([3, 2], -Infinity)], 1), { temperature: 0.7, reduction: 'none' }),
      () => [[[0.3, 1, -0.5], [1.2, 0.1, -0.8], [-0.4, 0.9, 0.2]]],
    ],
    ['categoricalEntropy, the mean over rank-3 logits', (z) => categoricalEntropy(z!), () => [a3]],
  ]);

  const logits = [
    [0.3, -0.2, 1.1, -0.9],
    [1, 0.5, -0.7, 0.1],
  ];
  const temperature = 2;
  /** π = softmax(z/T), log π and H (kept as an axis of size 1): the pieces of the wrong gradients below. */
  const parts = (z: tf.Tensor) => {
    const logPi = tf.logSoftmax(tf.div(z, temperature));
    const pi = tf.exp(logPi);
    return { pi, logPi, h: tf.neg(tf.sum(tf.mul(pi, logPi), -1, true)) };
  };
  type Parts = ReturnType<typeof parts>;
  /** categoricalEntropy with `gradient` (of its parts) as its gradient. */
  const withGradient = (gradient: (p: Parts) => tf.Tensor) =>
    tf.customGrad((z, save) => {
      (save as tf.GradSaveFunc)([z as tf.Tensor]);
      return {
        value: categoricalEntropy(z as tf.Tensor, { temperature, reduction: 'none' }),
        gradFunc: (dy, [saved]) => tf.mul(tf.expandDims(dy, -1), gradient(parts(saved!))),
      };
    });

  test('the wrapper below, given the right gradient −π(log π + H)/T, passes', () => {
    const right = withGradient(({ pi, logPi, h }) => tf.mul(tf.mul(pi, tf.add(logPi, h)), -1 / temperature));
    expect(checkGradients((z) => right(z), [logits]).ok).toBe(true);
  });

  test.each<[string, (p: Parts) => tf.Tensor]>([
    ['without the 1/T', ({ pi, logPi, h }) => tf.neg(tf.mul(pi, tf.add(logPi, h)))],
    ['without the + H (−π·log π/T)', ({ pi, logPi }) => tf.div(tf.neg(tf.mul(pi, logPi)), temperature)],
    ['the gradient with respect to π, −(log π + 1)/T', ({ logPi }) => tf.div(tf.neg(tf.add(logPi, 1)), temperature)],
    ['3% too large', ({ pi, logPi, h }) => tf.mul(tf.mul(pi, tf.add(logPi, h)), -1.03 / temperature)],
  ])('checkGradients passes our gradient and fails a wrong one: %s', (_name, wrongGradient) => {
    const ours = checkGradients((z) => categoricalEntropy(z, { temperature, reduction: 'none' }), [logits]);
    expect(ours.ok, JSON.stringify(ours)).toBe(true);
    const wrong = withGradient(wrongGradient);
    expect(checkGradients((z) => wrong(z), [logits]).ok).toBe(false);
  });

  it.prop([entropyCases, fc.integer()])(
    'second order: tf.grad of ⟨∇H, v⟩ is the float64 Hessian-vector product, at every reduction',
    (c, seed) => {
      const v = c.logits.map((_, i) => Math.fround(Math.sin(seed + 7 * i)));
      const options = { axis: c.axis, temperature: c.temperature, base: c.base, reduction: c.reduction };
      const hvp = tf.tidy(() => {
        const z = tf.tensor(c.logits, c.shape);
        const direction = tf.tensor(v, c.shape);
        // For 'none', the gradient of the per-distribution entropies' sum.
        const f = (x: tf.Tensor) => tf.sum(categoricalEntropy(x, options));
        return Array.from(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(x), direction)))(z).dataSync());
      });
      const expected = c.logits.map(() => 0);
      const perDistribution = c.reduction === 'mean' ? 1 / c.fibers.length : 1;
      for (const fiber of c.fibers) {
        const h = entropyHvp64(fiber.map((i) => c.logits[i]!), fiber.map((i) => v[i]!), c.temperature, c.base);
        fiber.forEach((i, k) => (expected[i] = h[k]! * perDistribution));
      }
      // Each entry sums C terms π·(|log π| + H + 1)·|v| over T²·ln(base) (and the number of distributions, for 'mean').
      const scale =
        ((1 + (2 * 8) / c.temperature + Math.log(c.classes)) * c.classes * perDistribution) / (Math.min(1, c.temperature) ** 2 * Math.log(c.base));
      expectWithinFloat32(hvp, expected, { scale, terms: c.classes, label: 'Hessian-vector product' });
    },
  );
});

describe('properties', () => {
  /** A [batch, classes] matrix of logits. */
  const logitMatrix = fc
    .record({ batch: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 6 }) })
    .chain(({ batch, classes }) => matrix(batch, classes, -10, 10));
  /** Float32 rounding of a value computed from C logits within ±10. */
  const roundingOf = (classes: number) => (16 + classes) * 2 ** -24 * (1 + 2 * 10 + Math.log(classes)) * classes;

  it.prop([logitMatrix])('0 ≤ H ≤ log C, and equal logits give log C', (z) => {
    const classes = z[0]!.length;
    const h = take(categoricalEntropy(z, { reduction: 'none' }));
    // Every term π·(−log π) is computed ≥ 0 (log softmax is computed ≤ 0).
    expect(h.every((x) => x >= 0)).toBe(true);
    expect(h.every((x) => x <= Math.log(classes) + roundingOf(classes))).toBe(true);
    const uniform = take(categoricalEntropy(z.map((row) => row.map(() => row[0]!)), { reduction: 'none' }));
    expectWithinFloat32(uniform, uniform.map(() => Math.log(classes)), { scale: Math.log(classes), terms: classes });
  });

  it.prop([logitMatrix.map((z) => z.map((row) => row.map((x) => Math.round(x * 64) / 64))), fc.integer({ min: -1000, max: 1000 })])(
    'adding a constant to every logit changes nothing, bit for bit where the sums are exact',
    (z, c) => {
      // Logits in 1/64ths and an integer c: z + c and the shifted z + c − max(z + c) are exact in float32.
      const shifted = z.map((row) => row.map((x) => x + c));
      expect(take(categoricalEntropy(shifted, { reduction: 'none' }))).toEqual(take(categoricalEntropy(z, { reduction: 'none' })));
    },
  );

  it.prop([logitMatrix, fc.integer()])('permuting the classes changes nothing (up to the order of the sum)', (z, seed) => {
    const classes = z[0]!.length;
    const order = Array.from({ length: classes }, (_, k) => k).sort((a, b) => Math.sin(seed + a) - Math.sin(seed + b));
    const permuted = z.map((row) => order.map((k) => row[k]!));
    const [h, hPermuted] = [z, permuted].map((x) => take(categoricalEntropy(x, { reduction: 'none' }))) as [number[], number[]];
    expectWithinFloat32(hPermuted, h, { scale: (1 + 2 * 10 + Math.log(classes)) * classes, terms: classes });
  });

  it.prop([
    fc.integer({ min: 1, max: 6 }).chain((classes) => fc.tuple(fc.nat({ max: classes - 1 }), flatOf(classes, -1e4, 1e4))),
    fc.constantFrom(0.3, 1, 7),
  ])('one finite logit gives exactly 0, with a zero gradient', ([kept, row], temperature) => {
    const z = [row.map((x, k) => (k === kept ? x : -Infinity))];
    expect(take(categoricalEntropy(z, { temperature }))).toEqual([0]);
    const gradient = take(tf.tidy(() => tf.grad((x: tf.Tensor) => categoricalEntropy(x, { temperature }))(tf.tensor2d(z))));
    expect(gradient.map(Math.abs)).toEqual(row.map(() => 0));
  });

  it.prop([logitMatrix, fc.constantFrom(0.5, 1, 3, 10), fc.constantFrom(2, 10)])(
    'temperature T is the entropy of z/T; base b divides nats by ln b; both equal entropy(softmax(z/T))',
    (z, temperature, base) => {
      const classes = z[0]!.length;
      const nats = take(categoricalEntropy(z, { temperature, reduction: 'none' }));
      const ofDivided = take(tf.tidy(() => categoricalEntropy(tf.div(tf.tensor2d(z), temperature), { reduction: 'none' })));
      expect(nats).toEqual(ofDivided);
      const inBase = take(categoricalEntropy(z, { temperature, base, reduction: 'none' }));
      expectWithinFloat32(inBase, nats.map((h) => h / Math.log(base)), { scale: 0, terms: 0 });
      // The probability route takes logs of rounded probabilities: its error dominates.
      const viaProbabilities = take(tf.tidy(() => entropy(tf.softmax(tf.div(tf.tensor2d(z), temperature)))));
      expectWithinFloat32(nats, viaProbabilities, { scale: (1 + (2 * 10) / temperature) * classes * 4, terms: classes });
    },
  );

  it.prop([logitMatrix, fc.constantFrom(0.5, 1, 4)])('each row of the gradient sums to 0', (z, temperature) => {
    const classes = z[0]!.length;
    const gradient = take(tf.tidy(() => tf.grad((x: tf.Tensor) => categoricalEntropy(x, { temperature, reduction: 'sum' }))(tf.tensor2d(z))));
    const rowSums = z.map((_, n) => sum(gradient.slice(n * classes, (n + 1) * classes)));
    expectWithinFloat32(rowSums, rowSums.map(() => 0), { scale: ((1 + (2 * 10) / temperature) * classes) / temperature, terms: classes });
  });
});

describe('NaN and Infinity', () => {
  test('a NaN or +Infinity logit, or no finite logit, gives NaN in its distribution only, value and gradient (as PyTorch)', () => {
    const z = [
      [NaN, 0, 1],
      [Infinity, 0, 1],
      [-Infinity, -Infinity, -Infinity],
      [1, 2, -Infinity],
    ];
    const value = take(categoricalEntropy(z, { reduction: 'none' }));
    expect(value.slice(0, 3)).toEqual([NaN, NaN, NaN]);
    expectWithinFloat32(value.slice(3), [categoricalEntropy64(z[3]!)], { scale: 3, terms: 2 });
    expect(take(categoricalEntropy(z))).toEqual([NaN]);
    const gradient = take(tf.tidy(() => tf.grad((x: tf.Tensor) => categoricalEntropy(x, { reduction: 'sum' }))(tf.tensor2d(z))));
    expect(gradient.slice(0, 9).every(Number.isNaN)).toBe(true);
    expect(gradient.slice(9).every(Number.isFinite)).toBe(true);
  });

  test('a finite logit that overflows float32 when divided by T gives NaN, as an infinite one', () => {
    expect(take(categoricalEntropy([[3e38, 0]], { temperature: 0.5 }))).toEqual([NaN]);
  });
});

describe('bad input and leaks', () => {
  // Tensors made once, outside the calls, so a leak count sees only the library.
  const fixtures: { int32?: tf.Tensor } = {};
  beforeAll(() => {
    fixtures.int32 = tf.tensor1d([1, 2], 'int32');
  });
  afterAll(() => fixtures.int32?.dispose());

  testThrowsCleanly([
    [() => categoricalEntropy(m23, { temperature: 0 }), 'categoricalEntropy: temperature must be a finite number > 0, got 0'],
    [() => categoricalEntropy(m23, { temperature: Infinity }), 'categoricalEntropy: temperature must be a finite number > 0, got Infinity'],
    [() => categoricalEntropy(m23, { base: 1 }), 'categoricalEntropy: base must be a finite number > 0 and ≠ 1, got 1'],
    [() => categoricalEntropy(m23, { axis: 2 }), 'categoricalEntropy: axis 2 is out of range for logits of rank 2 (shape [2,3]); expected an integer in [-2, 2)'],
    [() => categoricalEntropy(m23, { reduction: 'batchmean' as never }), `categoricalEntropy: reduction must be one of 'none', 'sum', 'mean', got "batchmean"`],
    [() => categoricalEntropy(m23, { axes: 1 } as never), "categoricalEntropy: unknown option 'axes' (expected one of: axis, temperature, base, reduction)"],
    [() => categoricalEntropy(m23, { base: null } as never), "categoricalEntropy: option 'base' is null; leave it out (or pass undefined) for its default"],
    [() => categoricalEntropy(3), 'categoricalEntropy: logits must have rank ≥ 1 (distributions along an axis), got a scalar (shape [])'],
    [() => categoricalEntropy([[], []]), 'categoricalEntropy: logits [2,0] have no classes along axis 1'],
    [() => categoricalEntropy([[1, 2], [3]]), 'categoricalEntropy: logits is a ragged array (rows of different lengths); expected a rectangular array'],
    [() => categoricalEntropy(fixtures.int32!), 'categoricalEntropy: logits must be a float32 tensor, got int32 [2]'],
  ]);

  testGradThrowLeavesNothing([
    ['categoricalEntropy axis', (m) => categoricalEntropy(m, { axis: 2 })],
    ['categoricalEntropy temperature', (m) => categoricalEntropy(m, { temperature: -1 })],
  ]);

  test.each(['none', 'sum', 'mean'] as const)(
    "reduction '%s': a call adds its result only; tf.grad its gradient only; tf.grad of a gradient its result only",
    (reduction) => {
      const z = tf.tensor2d([[0.1, -Infinity, 0.3], [0.4, 0.5, 0.6]]);
      const f = (x: tf.Tensor) => tf.sum(categoricalEntropy(x, { temperature: 2, reduction }));
      const results: tf.Tensor[] = [];
      expect(tensorsLeftBy(() => categoricalEntropy(z, { reduction }).dispose())).toBe(0);
      expect(tensorsLeftBy(() => results.push(categoricalEntropy(z, { reduction })))).toBe(1);
      expect(tensorsLeftBy(() => results.push(tf.grad(f)(z)))).toBe(1);
      expect(tensorsLeftBy(() => results.push(tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.grad(f)(x), x)))(z)))).toBe(1);
      tf.dispose([...results, z]);
    },
  );
});
