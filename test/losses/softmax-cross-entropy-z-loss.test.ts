/**
 * The `zLoss` option of softmaxCrossEntropy and sparseSoftmaxCrossEntropy
 * (losses/softmax-cross-entropy.ts), per sample w·(log Σ_c exp z_c)² added
 * to the loss (T5X / PaLM):
 * - against the float64 reference: in softmax-cross-entropy.test.ts, whose
 *   reference properties draw zLoss too; here, values worked by hand;
 * - checkGradients on every float input, and the same check failing a
 *   plausible wrong z-loss gradient; its Hessian-vector product against the
 *   hand-derived float64 one;
 * - invariants (fast-check, fixed seed): it adds exactly w·(log Σ exp z)² and
 *   2w·(log Σ exp z)·softmax(z) to the value and gradient, never lowers the
 *   loss, turns a shift of the logits by s into + w·s·(2·log Σ exp z + s);
 *   ignored samples add nothing; `zLoss: 0` is exactly no z-loss, same kernels;
 * - bad values: pinned messages; no tensors left behind.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, it } from '@fast-check/vitest';
import { afterEach, describe, expect, test } from 'vitest';
import { checkGradients, softmaxCrossEntropy, sparseSoftmaxCrossEntropy } from '../../src/index.js';
import { FUSED_KERNELS_FLAG } from '../../src/kernels/fused.js';
import { oneHot, problem, scaleOf } from '../support/classification-arbitraries.js';
import * as check from '../support/classification-checks.js';
import { classWeights4, logits234, sampleWeights23, softLabels234, valueAndLogitGradient, y23, z23 } from '../support/classification-fixtures.js';
import { logSoftmax64, logSumExp64 } from '../support/classification-reference.js';
import { expectWithinFloat32 } from '../support/float32.js';
import { testGradientsCheck, testThrowsCleanly, type GradientCheck } from '../support/loss-tests.js';

const zLosses = fc.constantFrom(1e-4, 0.05, 0.6);

describe('fixed values', () => {
  test('fixed values, worked by hand: log Σ exp z = 2.4170 and 2.7200 on z23', () => {
    // z23 rows: log(e² + e + e^0.1) = 2.41703, log(e^0.5 + e^2.5 + e^0.3) = 2.72005; CE 0.41703 and 0.22005.
    const lse = [Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.1)), Math.log(Math.exp(0.5) + Math.exp(2.5) + Math.exp(0.3))];
    const ce = [lse[0]! - 2, lse[1]! - 2.5];
    const value = tf.tidy(() => Array.from(softmaxCrossEntropy(y23, z23, { zLoss: 0.01, reduction: 'none' }).dataSync()));
    expectWithinFloat32(value, [ce[0]! + 0.01 * lse[0]! ** 2, ce[1]! + 0.01 * lse[1]! ** 2], { scale: 8, terms: 3 });
    // The ignored second row adds nothing: the 'mean' is the first row's loss.
    const sparse = tf.tidy(() => sparseSoftmaxCrossEntropy([0, -100], z23, { ignoreIndex: -100, zLoss: 0.01 }).dataSync()[0]!);
    expectWithinFloat32([sparse], [ce[0]! + 0.01 * lse[0]! ** 2], { scale: 8, terms: 3 });
  });
});

describe('gradients', () => {
  const checks: GradientCheck[] = [
    [
      'softmaxCrossEntropy with zLoss: labels, logits, classWeights, weights (smoothing, rank 3, reduction none)',
      (y, z, c, w) => softmaxCrossEntropy(y!, z!, { zLoss: 0.2, labelSmoothing: 0.2, classWeights: c!, weights: w!, reduction: 'none' }),
      () => [softLabels234, logits234, classWeights4, sampleWeights23],
    ],
    [
      'softmaxCrossEntropy with zLoss on axis 1, mean reduction',
      (y, z, c, w) => softmaxCrossEntropy(y!, z!, { axis: 1, zLoss: 0.2, classWeights: c!, weights: w!, labelSmoothing: 0.1 }),
      () => [
        tf.tidy(() => tf.transpose(tf.tensor3d(softLabels234), [0, 2, 1]).arraySync()),
        tf.tidy(() => tf.transpose(tf.tensor3d(logits234), [0, 2, 1]).arraySync()),
        classWeights4,
        sampleWeights23,
      ],
    ],
    [
      'sparseSoftmaxCrossEntropy with zLoss: logits, classWeights, weights (ignoreIndex, smoothing, reduction none)',
      (y, z, c, w) => sparseSoftmaxCrossEntropy(y!, z!, { zLoss: 0.2, ignoreIndex: 1, labelSmoothing: 0.15, classWeights: c!, weights: w!, reduction: 'none' }),
      () => [tf.tensor2d([[3, 1, 0], [2, 2, 1]], undefined, 'int32'), logits234, classWeights4, sampleWeights23],
    ],
  ];
  testGradientsCheck(checks);

  // The loss with zLoss w, its gradient that of zLoss w′: w′ = w/2 is a plausible wrong gradient (the factor 2 of
  // d(L²) = 2L·dL dropped), w′ = 0 one without the z-loss. Its value is loss(w′) plus loss(w) − loss(w′) held out of
  // the gradient, so the finite differences see loss(w).
  const withGradientOf = (loss: (z: tf.Tensor, zLoss: number) => tf.Tensor, zLoss: number, gradientZLoss: number) => {
    const heldDifference = tf.customGrad((z, save) => {
      (save as tf.GradSaveFunc)([z as tf.Tensor]);
      return { value: tf.sub(loss(z as tf.Tensor, zLoss), loss(z as tf.Tensor, gradientZLoss)), gradFunc: (_dy, [saved]) => tf.zerosLike(saved!) };
    });
    return (z: tf.Tensor) => tf.add(loss(z, gradientZLoss), heldDifference(z));
  };
  test.each([
    ['softmaxCrossEntropy', (z: tf.Tensor, zLoss: number) => softmaxCrossEntropy(softLabels234, z, { zLoss, reduction: 'none' })],
    ['sparseSoftmaxCrossEntropy', (z: tf.Tensor, zLoss: number) => sparseSoftmaxCrossEntropy([[3, 1, 0], [2, 2, 1]], z, { zLoss, reduction: 'none' })],
  ])('%s: the same check fails a z-loss gradient without its factor 2, or without the z-loss', (_name, loss) => {
    const check = (gradientZLoss: number) => checkGradients((z) => withGradientOf(loss, 0.05, gradientZLoss)(z!), [logits234]).ok;
    expect(check(0.05)).toBe(true);
    expect(check(0.025)).toBe(false);
    expect(check(0)).toBe(false);
  });

  describe('second order', () => {
    const fusedDefault = tf.env().getBool(FUSED_KERNELS_FLAG);
    afterEach(() => {
      tf.env().set(FUSED_KERNELS_FLAG, fusedDefault);
    });

    test('the z-loss Hessian-vector product is 2w·[p·(p·v) + L·(p∘v − p·(p·v))], L = log Σ exp z (composite path)', () => {
      // The fused kernels' backward has no registered gradient yet: the composite path here.
      tf.env().set(FUSED_KERNELS_FLAG, false);
      const zLoss = 0.3;
      const v = [
        [0.5, -1, 0.25],
        [-0.75, 1, 1.5],
      ];
      const hvp = (w: number) =>
        tf.tidy(() => {
          const loss = (z: tf.Tensor) => sparseSoftmaxCrossEntropy([0, 2], z, { zLoss: w, reduction: 'sum' });
          return Array.from(tf.grad((z: tf.Tensor) => tf.sum(tf.mul(tf.grad(loss)(z), v)))(tf.tensor2d(z23)).dataSync());
        });
      const [withZ, without] = [hvp(zLoss), hvp(0)];
      const expected = z23.flatMap((z, n) => {
        const p = logSoftmax64(z).map(Math.exp);
        const L = logSumExp64(z);
        const pv = p.reduce((s, pc, c) => s + pc * v[n]![c]!, 0);
        return p.map((pc, c) => 2 * zLoss * (pc * pv + L * (pc * v[n]![c]! - pc * pv)));
      });
      expectWithinFloat32(withZ.map((h, i) => h - without[i]!), expected, { scale: 20, terms: 6 });
    });
  });
});

describe('properties', () => {
  const lse32 = (logits: number[][]) => logits.map((z) => logSumExp64(z));
  /** The float32 error scale of w·L² and its gradient for these logits (see zLossScale), on top of the loss's own. */
  const scaleWith = (logits: number[][], classes: number, zLoss: number, shift = 0) =>
    scaleOf(logits) + 2 * Math.abs(shift) + 2 * zLoss * (Math.max(...logits.flat().map(Math.abs)) + Math.abs(shift) + Math.log(classes)) ** 2;

  it.prop([problem, zLosses])('zLoss adds exactly w·L² to each sample and 2w·L·softmax(z) to its logit gradient', (c, zLoss) => {
    const dense = (w: number) => (z: tf.Tensor) => softmaxCrossEntropy(oneHot(c.labels, c.classes), z, { zLoss: w, labelSmoothing: 0.1, reduction: 'none' });
    const sparse = (w: number) => (z: tf.Tensor) => sparseSoftmaxCrossEntropy(c.labels, z, { zLoss: w, reduction: 'none' });
    const L = lse32(c.logits);
    const added = L.map((l) => zLoss * l * l);
    const addedGradient = c.logits.flatMap((z, n) => logSoftmax64(z).map((lp) => 2 * zLoss * L[n]! * Math.exp(lp)));
    for (const loss of [dense, sparse]) {
      const [on, off] = [valueAndLogitGradient(loss(zLoss), c.logits), valueAndLogitGradient(loss(0), c.logits)];
      const scale = scaleWith(c.logits, c.classes, zLoss);
      expectWithinFloat32(on.value.map((v, i) => v - off.value[i]!), added, { scale, terms: c.classes, label: 'value' });
      expectWithinFloat32(on.grad.map((g, i) => g - off.grad[i]!), addedGradient, { scale, terms: c.classes, label: 'gradient' });
    }
  });

  it.prop([problem, zLosses])('zLoss never lowers a sample’s loss (the term is ≥ 0 and float32 addition is monotone)', (c, zLoss) => {
    const [on, off] = [true, false].map((withZ) =>
      tf.tidy(() => Array.from(sparseSoftmaxCrossEntropy(c.labels, c.logits, { zLoss: withZ ? zLoss : 0, labelSmoothing: 0.2, reduction: 'none' }).dataSync())),
    );
    on!.forEach((v, i) => expect(v).toBeGreaterThanOrEqual(off![i]!));
  });

  it.prop([problem, zLosses])('shifting a row of logits by s adds w·s·(2L + s) to its loss, L = log Σ exp z', (c, zLoss) => {
    const loss = (z: tf.Tensor) => softmaxCrossEntropy(oneHot(c.labels, c.classes), z, { zLoss, reduction: 'none' });
    const shifted = c.logits.map((row) => row.map((z) => Math.fround(z + c.shift)));
    const [a, b] = [valueAndLogitGradient(loss, c.logits), valueAndLogitGradient(loss, shifted)];
    const expected = lse32(c.logits).map((L) => zLoss * c.shift * (2 * L + c.shift));
    // Shifting rounds each logit (|z + s| up to 70): that rounding, through 2w·L, sets the scale.
    const scale = scaleWith(c.logits, c.classes, zLoss, c.shift);
    expectWithinFloat32(b.value.map((v, i) => v - a.value[i]!), expected, { scale, terms: c.classes });
  });

  it.prop([problem, zLosses])('ignored samples add nothing, z-loss included, even with NaN logits; the mean is over the kept ones', (c, zLoss) => {
    // Ignore every sample whose label is the first one's; NaN in their logits.
    const ignored = c.labels.map((y) => y === c.labels[0]);
    const logits = c.logits.map((row, n) => (ignored[n] ? row.map(() => Number.NaN) : row));
    const loss = (reduction: 'none' | 'mean') => (z: tf.Tensor) =>
      sparseSoftmaxCrossEntropy(c.labels, z, { ignoreIndex: c.labels[0]!, zLoss, labelSmoothing: 0.1, reduction });
    const perSample = valueAndLogitGradient(loss('none'), logits);
    ignored.forEach((isIgnored, n) => {
      if (!isIgnored) return;
      expect(perSample.value[n]).toBe(0);
      expect(perSample.grad.slice(n * c.classes, (n + 1) * c.classes).every((g) => g === 0)).toBe(true);
    });
    const kept = perSample.value.filter((_, n) => !ignored[n]);
    const mean = valueAndLogitGradient(loss('mean'), logits).value[0]!;
    const expected = kept.length === 0 ? 0 : kept.reduce((s, v) => s + v, 0) / kept.length;
    expectWithinFloat32([mean], [expected], { scale: scaleWith(c.logits, c.classes, zLoss), terms: c.logits.length });
  });

  it.prop([problem])('zLoss: 0 is exactly no zLoss, and runs the same kernels', async (c) => {
    const y = oneHot(c.labels, c.classes);
    for (const loss of [
      (options: { zLoss?: number }) => (z: tf.Tensor) => softmaxCrossEntropy(y, z, { ...options, labelSmoothing: 0.1 }),
      (options: { zLoss?: number }) => (z: tf.Tensor) => sparseSoftmaxCrossEntropy(c.labels, z, { ...options, ignoreIndex: 0 }),
    ]) {
      expect(valueAndLogitGradient(loss({ zLoss: 0 }), c.logits)).toEqual(valueAndLogitGradient(loss({}), c.logits));
      const kernels = async (options: { zLoss?: number }) =>
        (await tf.profile(() => valueAndLogitGradient(loss(options), c.logits))).kernels.map((k) => k.name);
      expect(await kernels({ zLoss: 0 })).toEqual(await kernels({}));
    }
  });

  it.prop([problem, fc.integer({ min: 0, max: 2 }), zLosses])('moving the class axis (with the matching axis option) changes nothing', (c, axis, zLoss) => {
    check.expectClassAxisMovable(c, oneHot(c.labels, c.classes), axis, softmaxCrossEntropy, { reduction: 'none' as const, zLoss });
  });
});

describe('bad values and leaks', () => {
  testThrowsCleanly([
    [() => softmaxCrossEntropy(y23, z23, { zLoss: -0.1 }), 'softmaxCrossEntropy: zLoss must be a finite number ≥ 0, got -0.1'],
    [() => softmaxCrossEntropy(y23, z23, { zLoss: Number.NaN }), 'softmaxCrossEntropy: zLoss must be a finite number ≥ 0, got NaN'],
    [() => softmaxCrossEntropy(y23, z23, { zLoss: Infinity }), 'softmaxCrossEntropy: zLoss must be a finite number ≥ 0, got Infinity'],
    [() => softmaxCrossEntropy(y23, z23, { zLoss: '1e-4' as never }), 'softmaxCrossEntropy: zLoss must be a finite number ≥ 0, got 1e-4'],
    [() => softmaxCrossEntropy(y23, z23, { zLoss: null as never }), "softmaxCrossEntropy: option 'zLoss' is null; leave it out (or pass undefined) for its default"],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { zLoss: -1 }), 'sparseSoftmaxCrossEntropy: zLoss must be a finite number ≥ 0, got -1'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { zLoss: Number.NaN }), 'sparseSoftmaxCrossEntropy: zLoss must be a finite number ≥ 0, got NaN'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { zLoss: -Infinity }), 'sparseSoftmaxCrossEntropy: zLoss must be a finite number ≥ 0, got -Infinity'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { zLoss: true as never }), 'sparseSoftmaxCrossEntropy: zLoss must be a finite number ≥ 0, got true'],
    [() => sparseSoftmaxCrossEntropy([0, 1], z23, { z_loss: 0.1 } as never), "sparseSoftmaxCrossEntropy: unknown option 'z_loss' (expected one of: ignoreIndex, labelSmoothing, zLoss, classWeights, weights, reduction)"],
  ]);

  describe('no leaked tensors', () => {
    check.testNoLeakedTensors([
      ['softmaxCrossEntropy with zLoss', (y, z) => softmaxCrossEntropy(y, z, { zLoss: 0.1, labelSmoothing: 0.1, classWeights: [1, 2, 3], weights: [1, 0.5] }), true],
      ['sparseSoftmaxCrossEntropy with zLoss', (_y, z) => sparseSoftmaxCrossEntropy([0, -1], z, { zLoss: 0.1, ignoreIndex: -1, classWeights: [1, 2, 3] }), false],
    ]);
  });

  describe('a throw under tf.grad leaves nothing behind', () => {
    check.testGradThrowLeavesNothing([
      ['softmaxCrossEntropy with zLoss, bad weights', (z) => softmaxCrossEntropy(y23, z, { zLoss: 0.1, weights: [1, 2, 3] })],
      ['sparseSoftmaxCrossEntropy with zLoss, bad classWeights', (z) => sparseSoftmaxCrossEntropy([0, 1], z, { zLoss: 0.1, ignoreIndex: -1, classWeights: [1, 2] })],
    ]);
  });
});
