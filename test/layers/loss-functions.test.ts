/**
 * The tfjs-layers loss factories: per-sample values equal their functional
 * twins (logits) and the float64 truth (probabilities, also at exactly 0 and
 * 1, where tfjs clips); fit's float targets; errors; leaks.
 */
import * as tf from '@tensorflow/tfjs';
import { sparseCategoricalCrossentropy as tfjsSparseCategoricalCrossentropy } from '@tensorflow/tfjs-layers/dist/losses';
import { describe, expect, test } from 'vitest';
import { checkGradients, layers, sigmoidCrossEntropy, softmaxCrossEntropy, softmaxFocalLoss, sparseSoftmaxCrossEntropy } from '../../src/index.js';
import { logSoftmax64 } from '../support/classification-reference.js';
import { tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';

const logits = [
  [2, 1, 0.1],
  [0.5, 2.5, -0.3],
];
const oneHot = [
  [1, 0, 0],
  [0, 0, 1],
];
const softmax64 = (z: number[]) => logSoftmax64(z).map(Math.exp);

/** Runs a loss on plain arrays and returns its per-sample values. */
function perSample(loss: layers.LayersLoss, yTrue: number[][] | number[], yPred: number[][]): number[] {
  return tf.tidy(() => Array.from(loss(tf.tensor(yTrue), tf.tensor2d(yPred)).dataSync()));
}

describe('layers loss factories', () => {
  test('every factory returns one loss per sample', () => {
    const probabilities = logits.map(softmax64);
    const binaryTargets = [[1, 0, 1], [0, 1, 1]];
    const sigmoid = logits.map((row) => row.map((z) => 1 / (1 + Math.exp(-z))));
    expect(perSample(layers.categoricalCrossentropy(), oneHot, probabilities)).toHaveLength(2);
    expect(perSample(layers.sparseCategoricalCrossentropy(), [0, 2], probabilities)).toHaveLength(2);
    expect(perSample(layers.binaryCrossentropy(), binaryTargets, sigmoid)).toHaveLength(2);
    expect(perSample(layers.kullbackLeiblerDivergence(), oneHot, probabilities)).toHaveLength(2);
    expect(perSample(layers.categoricalFocalCrossentropy(), oneHot, probabilities)).toHaveLength(2);
    expect(perSample(layers.binaryFocalCrossentropy(), binaryTargets, sigmoid)).toHaveLength(2);
  });

  test('fromLogits: true equals the functional twin; probabilities equal it on softmax(logits)', () => {
    const twin = tf.tidy(() => Array.from(softmaxCrossEntropy(oneHot, logits, { labelSmoothing: 0.1, reduction: 'none' }).dataSync()));
    const options = { labelSmoothing: 0.1 };
    expect(perSample(layers.categoricalCrossentropy({ fromLogits: true, ...options }), oneHot, logits)).toEqual(twin);
    const fromProbabilities = perSample(layers.categoricalCrossentropy(options), oneHot, logits.map(softmax64));
    fromProbabilities.forEach((v, i) => expect(v).toBeCloseTo(twin[i]!, 5));
    const focalTwin = tf.tidy(() => Array.from(softmaxFocalLoss(oneHot, logits, { reduction: 'none' }).dataSync()));
    const focal = perSample(layers.categoricalFocalCrossentropy(), oneHot, logits.map(softmax64));
    focal.forEach((v, i) => expect(v).toBeCloseTo(focalTwin[i]!, 5));
    const binaryTwin = tf.tidy(() => Array.from(tf.mean(sigmoidCrossEntropy(oneHot, logits, { reduction: 'none' }), -1).dataSync()));
    // The twin sums each row (in one kernel) and divides by C; tf.mean rounds its own way: a few float32 roundings apart.
    const classes = logits[0]!.length;
    perSample(layers.binaryCrossentropy({ fromLogits: true }), oneHot, logits).forEach((v, i) =>
      expect(Math.abs(v - binaryTwin[i]!)).toBeLessThanOrEqual(2 * (classes + 1) * 2 ** -24 * Math.abs(binaryTwin[i]!)),
    );
  });

  test('kullbackLeiblerDivergence from logits is D_KL(yTrue ‖ softmax(yPred))', () => {
    const target = [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1]];
    const expected = target.map((p, n) => {
      const logQ = logSoftmax64(logits[n]!);
      return p.reduce((s, pc, c) => s + pc * (Math.log(pc) - logQ[c]!), 0);
    });
    perSample(layers.kullbackLeiblerDivergence({ fromLogits: true }), target, logits).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
    perSample(layers.kullbackLeiblerDivergence(), target, logits.map(softmax64)).forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 5));
  });

  test('sparse with fromLogits matches float64, where tfjs-layers clips the logits (0.551 instead of 0.0049)', () => {
    const z = [[6, 0, 0]];
    const truth = -logSoftmax64(z[0]!)[0]!; // log(1 + 2e⁻⁶)
    const ours = perSample(layers.sparseCategoricalCrossentropy({ fromLogits: true }), [0], z)[0]!;
    const tfjs = tf.tidy(() => tfjsSparseCategoricalCrossentropy(tf.tensor1d([0]), tf.tensor2d(z), true).dataSync()[0]!);
    expect(Math.abs(ours - truth)).toBeLessThan(1e-6);
    expect(tfjs).toBeCloseTo(Math.log(1 + 2 / Math.E), 3);
  });

  test('probabilities at exactly 0 and 1: exact values and live gradients (tfjs clips: 1e-7, gradient 0)', () => {
    const loss = layers.binaryCrossentropy();
    const [value, grad] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => tf.sum(loss(tf.tensor2d([[1, 0]]), p)))(tf.tensor2d([[1, 0]]));
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expect(value).toBe(0);
    // d/dp of mean(−log p, −log(1 − p)) at p = (1, 0): (−1/1, 1/1)/2.
    expect(grad).toEqual([-0.5, 0.5]);
    const tfjsGrad = tf.tidy(() =>
      Array.from(tf.grad((p: tf.Tensor) => tf.sum(tf.metrics.binaryCrossentropy(tf.tensor2d([[1, 0]]), p)))(tf.tensor2d([[1, 0]])).dataSync()),
    );
    expect(tfjsGrad.map((g) => g + 0)).toEqual([0, 0]);

    const categorical = layers.categoricalCrossentropy();
    const [cValue, cGrad] = tf.tidy(() => {
      const { value, grad } = tf.valueAndGrad((p: tf.Tensor) => tf.sum(categorical(tf.tensor2d([[0, 1, 0]]), p)))(tf.tensor2d([[0, 1, 0]]));
      return [value.dataSync()[0], Array.from(grad.dataSync())];
    });
    expect(cValue).toBe(0);
    // −y/p: −1 for the target class at p = 1, 0 for the others (0·log 0 held at 0).
    expect(cGrad.map((g) => g + 0)).toEqual([0, -1, 0]);
  });

  test('focal, KL and sparse losses on probabilities are exact at 0 and 1 (gradients are the limits)', () => {
    const at = (loss: layers.LayersLoss, y: number[][] | number[], p: number[][]) =>
      tf.tidy(() => {
        const { value, grad } = tf.valueAndGrad((q: tf.Tensor) => tf.sum(loss(tf.tensor(y), q)))(tf.tensor2d(p));
        return [value.dataSync()[0]!, Array.from(grad.dataSync())] as const;
      });
    const near = (a: readonly number[], b: readonly number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
    // Categorical focal: the gradient at p = (0, 0.6, 0.4) is the limit from inside.
    const focal = layers.categoricalFocalCrossentropy({ gamma: 2 });
    near(at(focal, [[0, 1, 0]], [[0, 0.6, 0.4]])[1], at(focal, [[0, 1, 0]], [[1e-7, 0.6, 0.4 - 1e-7]])[1]);
    // Binary focal with γ = 0 is α-weighted BCE: −α_t/p at the label, exact at p ∈ {0, 1}.
    const [bValue, bGrad] = at(layers.binaryFocalCrossentropy({ gamma: 0 }), [[1, 0]], [[1, 0]]);
    expect(bValue).toBe(0);
    near(bGrad, [-0.25 / 2, 0.75 / 2]);
    // KL of probabilities with a zero in p: the term is held at 0.
    const [klValue, klGrad] = at(layers.kullbackLeiblerDivergence(), [[0.5, 0.5, 0]], [[0.5, 0.5, 0]]);
    expect(klValue).toBe(0);
    expect(klGrad.every(Number.isFinite)).toBe(true);
    // Sparse on probabilities: exact at p = 1, and labels out of range are a RangeError as with logits.
    const sparse = layers.sparseCategoricalCrossentropy();
    const [sValue, sGrad] = at(sparse, [1], [[0, 1, 0]]);
    expect(sValue).toBe(0);
    expect(sGrad.map((g) => g + 0)).toEqual([0, -1, 0]); // + 0 folds −0 into 0
    expect(() => at(sparse, [5], [[0, 1, 0]])).toThrowError(RangeError);
    expect(() => at(sparse, [5], [[0, 1, 0]])).toThrowError('layers.sparseCategoricalCrossentropy: label 5 at [0] is outside [0, 3)');
  });

  test('sparse on probabilities: an ignored row gives 0 with a zero gradient, even where its probabilities hold a 0', () => {
    const loss = layers.sparseCategoricalCrossentropy({ ignoreIndex: 0 });
    const [value, grad] = tf.tidy(() => {
      const [y, p] = [tf.tensor1d([0, 1]), tf.tensor2d([[0, 0.5, 0.5], [0.2, 0.7, 0.1]])];
      return [Array.from(loss(y, p).dataSync()), Array.from(tf.grad((q: tf.Tensor) => tf.sum(loss(y, q)))(p).dataSync())];
    });
    expect(value[0]).toBe(0);
    expect(value[1]).toBeCloseTo(-Math.log(0.7), 6);
    expect(grad.slice(0, 3).map((g) => g + 0)).toEqual([0, 0, 0]);
    expect(grad[4]).toBeCloseTo(-1 / 0.7, 5);
  });

  test('checkGradients passes for every factory with probabilities inside (0, 1)', () => {
    const probabilities = logits.map(softmax64);
    const factories: Array<[layers.LayersLoss, number[][]]> = [
      [layers.categoricalCrossentropy({ labelSmoothing: 0.1 }), probabilities],
      [layers.binaryCrossentropy({ posWeight: [1, 2, 3] }), [[0.3, 0.6, 0.8], [0.7, 0.2, 0.5]]],
      [layers.kullbackLeiblerDivergence(), probabilities],
      [layers.categoricalFocalCrossentropy({ gamma: 1.5 }), probabilities],
      [layers.binaryFocalCrossentropy({ gamma: 1.5 }), [[0.3, 0.6, 0.8], [0.7, 0.2, 0.5]]],
    ];
    for (const [loss, yPred] of factories) {
      expect(checkGradients((y, p) => loss(y!, p!), [[[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], yPred], { step: 2e-3 }).ok).toBe(true);
    }
  });

  test('sparse targets arrive from fit as float32 [batch] or [batch, 1]; non-integers are an error', () => {
    const loss = layers.sparseCategoricalCrossentropy({ fromLogits: true });
    const flat = perSample(loss, [0, 2], logits);
    expect(perSample(loss, [[0], [2]], logits)).toEqual(flat);
    expect(() => perSample(loss, [0.5, 2], logits)).toThrowError('layers.sparseCategoricalCrossentropy: targets must be integer class indices, got 0.5');
    expect(() => perSample(loss, [0, 1, 2], logits)).toThrowError(
      'layers.sparseCategoricalCrossentropy: targets [3] must be class indices of shape [2] (or [2,1]) for predictions [2,3]',
    );
  });

  test('bad factory options are reported when the loss is made', () => {
    expect(() => layers.categoricalCrossentropy({ from_logits: true } as never)).toThrowError(
      "layers.categoricalCrossentropy: unknown option 'from_logits' (expected one of: fromLogits, labelSmoothing, classWeights, axis, zLoss)",
    );
    expect(() => layers.binaryCrossentropy({ fromLogits: 'yes' } as never)).toThrowError('layers.binaryCrossentropy: fromLogits must be a boolean, got "yes"');
  });

  test('zLoss with logits: the functional twin per sample, exactly; an ignored sample adds no z-loss', () => {
    const twin = tf.tidy(() => Array.from(softmaxCrossEntropy(oneHot, logits, { zLoss: 0.1, labelSmoothing: 0.1, reduction: 'none' }).dataSync()));
    expect(perSample(layers.categoricalCrossentropy({ fromLogits: true, zLoss: 0.1, labelSmoothing: 0.1 }), oneHot, logits)).toEqual(twin);
    const sparseTwin = tf.tidy(() => Array.from(sparseSoftmaxCrossEntropy([0, -1], logits, { zLoss: 0.1, ignoreIndex: -1, reduction: 'none' }).dataSync()));
    const sparse = perSample(layers.sparseCategoricalCrossentropy({ fromLogits: true, zLoss: 0.1, ignoreIndex: -1 }), [0, -1], logits);
    expect(sparse).toEqual(sparseTwin);
    // log Σ exp of the first row, by hand: its loss is −log p_0 + 0.1·L².
    const L = Math.log(Math.exp(2) + Math.exp(1) + Math.exp(0.1));
    expect(sparse[0]).toBeCloseTo(L - 2 + 0.1 * L * L, 5);
    expect(sparse[1]).toBe(0);
  });

  test('zLoss with probabilities is an error when the loss is made (there are no logits); zLoss: 0 is none', () => {
    expect(() => layers.categoricalCrossentropy({ zLoss: 1e-4 })).toThrowError(
      "layers.categoricalCrossentropy: zLoss 0.0001 needs logits: set fromLogits: true (the z-loss w·(log Σ exp z)² penalises the logits' log-partition, which probabilities do not have)",
    );
    expect(() => layers.sparseCategoricalCrossentropy({ fromLogits: false, zLoss: 0.5 })).toThrowError(
      "layers.sparseCategoricalCrossentropy: zLoss 0.5 needs logits: set fromLogits: true (the z-loss w·(log Σ exp z)² penalises the logits' log-partition, which probabilities do not have)",
    );
    const probabilities = logits.map(softmax64);
    expect(perSample(layers.categoricalCrossentropy({ zLoss: 0 }), oneHot, probabilities)).toEqual(perSample(layers.categoricalCrossentropy(), oneHot, probabilities));
  });

  test('bad zLoss values are reported when the loss is made', () => {
    const bad: Array<[unknown, string]> = [
      [-1, '-1'],
      [Number.NaN, 'NaN'],
      [Infinity, 'Infinity'],
      ['0.1', '0.1'],
    ];
    for (const [zLoss, shown] of bad) {
      expect(() => layers.categoricalCrossentropy({ fromLogits: true, zLoss: zLoss as never })).toThrowError(`layers.categoricalCrossentropy: zLoss must be a finite number ≥ 0, got ${shown}`);
      expect(() => layers.sparseCategoricalCrossentropy({ fromLogits: true, zLoss: zLoss as never })).toThrowError(`layers.sparseCategoricalCrossentropy: zLoss must be a finite number ≥ 0, got ${shown}`);
    }
  });

  test('no leaked tensors: call, gradient, throw', () => {
    const y = tf.tensor2d(oneHot);
    const p = tf.tensor2d(logits.map(softmax64));
    const indices = tf.tensor1d([0, 2]);
    const cases: Array<[layers.LayersLoss, tf.Tensor]> = [
      [layers.categoricalCrossentropy(), y],
      [layers.binaryFocalCrossentropy(), y],
      [layers.kullbackLeiblerDivergence({ fromLogits: true }), y],
      [layers.categoricalCrossentropy({ fromLogits: true, zLoss: 0.1 }), y],
      [layers.sparseCategoricalCrossentropy({ fromLogits: true, zLoss: 0.1, ignoreIndex: 2 }), indices],
    ];
    for (const [loss, targets] of cases) {
      expect(tensorsLeftBy(() => loss(targets, p).dispose())).toBe(0);
      expect(tensorsLeftBy(() => tf.grad((q: tf.Tensor) => tf.sum(loss(targets, q)))(p).dispose())).toBe(0);
    }
    const sparse = layers.sparseCategoricalCrossentropy();
    const badTargets = tf.tensor1d([0.5, 1]);
    expect(tensorsLeftByThrowing(() => tf.grad((q: tf.Tensor) => tf.sum(sparse(badTargets, q)))(p))).toBe(0);
    tf.dispose([y, p, indices, badTargets]);
  });
});
