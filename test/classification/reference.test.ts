/**
 * Every classification loss against its float64 reference
 * (test/support/classification-reference.ts), values and gradients of every
 * float input, on random rank-2 and rank-3 inputs with random option
 * combinations.
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe } from 'vitest';
import {
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../../src/index.js';
import {
  sigmoidCrossEntropy64,
  sigmoidFocalLoss64,
  softmaxCrossEntropy64,
  softmaxFocalLoss64,
  sparseSoftmaxCrossEntropy64,
  toRows,
  type Reduction,
} from '../support/classification-reference.js';
import { compareWithReference } from '../support/compare.js';

const float = (min: number, max: number) => fc.double({ min, max, noNaN: true }).map(Math.fround);
const reductions = fc.constantFrom<Reduction>('none', 'sum', 'mean');

/** Batch shape ([N] or [B, T]) and class count. */
const layout = fc.record({
  batchShape: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
  classes: fc.integer({ min: 2, max: 5 }),
});

const flatOf = (count: number, min: number, max: number) => fc.array(float(min, max), { minLength: count, maxLength: count });
/**
 * Sample weights: 0 or in [1e-3, 2]. (A subnormal weight sum, below 1.2e-38,
 * makes the float32 gradient of the weighted mean overflow: out of scope.)
 */
const weightsOf = (count: number) =>
  fc.array(fc.oneof(fc.constant(0), float(1e-3, 2)), { minLength: count, maxLength: count });
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/**
 * Magnitude scale of logits-based losses: (1 + 2·max|z| + log C), the size of
 * a log-softmax entry, times (1 + the largest product of class and sample
 * weights and target mass that multiplies it).
 */
const logitScale = (logits: number[], classes: number, weightProduct: number) =>
  (1 + 2 * Math.max(...logits.map(Math.abs)) + Math.log(classes)) * (1 + weightProduct);

describe('softmaxCrossEntropy against F.cross_entropy (probability targets)', () => {
  const cases = layout.chain(({ batchShape, classes }) => {
    const n = sizeOf(batchShape);
    return fc.record({
      batchShape: fc.constant(batchShape),
      classes: fc.constant(classes),
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -6, 6),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
      classWeights: fc.option(flatOf(classes, 0.1, 3), { nil: undefined }),
      weights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
    });
  });

  test.prop([cases])('values and gradients w.r.t. labels, logits, classWeights and weights', (c) => {
    const shape = [...c.batchShape, c.classes];
    const inputs = [
      { values: c.labels, shape },
      { values: c.logits, shape },
      ...(c.classWeights ? [{ values: c.classWeights, shape: [c.classes] }] : []),
      ...(c.weights ? [{ values: c.weights, shape: c.batchShape }] : []),
    ];
    const split = (xs: unknown[]) => ({
      classWeights: c.classWeights ? (xs[2] as never) : undefined,
      weights: c.weights ? (xs[c.classWeights ? 3 : 2] as never) : undefined,
    });
    const options = (xs: unknown[]) => {
      const { classWeights, weights } = split(xs);
      return {
        labelSmoothing: c.labelSmoothing,
        reduction: c.reduction,
        ...(classWeights !== undefined && { classWeights }),
        ...(weights !== undefined && { weights }),
      };
    };
    compareWithReference(
      (...xs) => softmaxCrossEntropy(xs[0]!, xs[1]!, options(xs)),
      (...xs) => softmaxCrossEntropy64(toRows(xs[0]!, c.classes), toRows(xs[1]!, c.classes), options(xs) as never),
      inputs,
      logitScale(c.logits, c.classes, 3 * c.classes * 2) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });
});

describe('sparseSoftmaxCrossEntropy against F.cross_entropy (class-index targets)', () => {
  const cases = layout.chain(({ batchShape, classes }) => {
    const n = sizeOf(batchShape);
    return fc.record({
      batchShape: fc.constant(batchShape),
      classes: fc.constant(classes),
      labels: fc.array(fc.integer({ min: -1, max: classes - 1 }), { minLength: n, maxLength: n }),
      ignoreIndex: fc.constantFrom(undefined, -1, 0),
      logits: flatOf(n * classes, -6, 6),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.35),
      classWeights: fc.option(flatOf(classes, 0.1, 3), { nil: undefined }),
      weights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
    });
  });

  test.prop([cases])('values and gradients w.r.t. logits, classWeights and weights, with ignored labels', (c) => {
    // Labels of -1 are valid only when ignored: map them to class 0 otherwise.
    const labels = c.labels.map((y) => (y === -1 && c.ignoreIndex !== -1 ? 0 : y));
    const labelTensor = tf.tensor(labels, c.batchShape, 'int32');
    const inputs = [
      { values: c.logits, shape: [...c.batchShape, c.classes] },
      ...(c.classWeights ? [{ values: c.classWeights, shape: [c.classes] }] : []),
      ...(c.weights ? [{ values: c.weights, shape: c.batchShape }] : []),
    ];
    const options = (xs: unknown[]) => ({
      labelSmoothing: c.labelSmoothing,
      reduction: c.reduction,
      ...(c.ignoreIndex !== undefined && { ignoreIndex: c.ignoreIndex }),
      ...(c.classWeights && { classWeights: xs[1] as never }),
      ...(c.weights && { weights: xs[c.classWeights ? 2 : 1] as never }),
    });
    compareWithReference(
      (...xs) => sparseSoftmaxCrossEntropy(labelTensor, xs[0]!, options(xs)),
      (...xs) => sparseSoftmaxCrossEntropy64(labels, toRows(xs[0]!, c.classes), options(xs) as never),
      inputs,
      logitScale(c.logits, c.classes, 3 * c.classes * 2) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
    labelTensor.dispose();
  });
});

describe('sigmoidCrossEntropy against F.binary_cross_entropy_with_logits', () => {
  const cases = layout.chain(({ batchShape, classes }) => {
    const n = sizeOf(batchShape);
    return fc.record({
      batchShape: fc.constant(batchShape),
      classes: fc.constant(classes),
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -8, 8),
      posWeight: fc.option(flatOf(classes, 0.2, 4), { nil: undefined }),
      labelSmoothing: fc.constantFrom(0, 0.1, 0.5),
      weights: fc.option(weightsOf(n * classes), { nil: undefined }),
      reduction: reductions,
    });
  });

  test.prop([cases])('values and gradients w.r.t. labels, logits, posWeight and weights', (c) => {
    const shape = [...c.batchShape, c.classes];
    const inputs = [
      { values: c.labels, shape },
      { values: c.logits, shape },
      ...(c.posWeight ? [{ values: c.posWeight, shape: [c.classes] }] : []),
      ...(c.weights ? [{ values: c.weights, shape }] : []),
    ];
    const at = (xs: unknown[], option: 'posWeight' | 'weights') =>
      option === 'posWeight' ? xs[2] : xs[c.posWeight ? 3 : 2];
    compareWithReference(
      (...xs) =>
        sigmoidCrossEntropy(xs[0]!, xs[1]!, {
          labelSmoothing: c.labelSmoothing,
          reduction: c.reduction,
          ...(c.posWeight && { posWeight: at(xs, 'posWeight') as tf.Tensor }),
          ...(c.weights && { weights: at(xs, 'weights') as tf.Tensor }),
        }),
      (...xs) =>
        sigmoidCrossEntropy64(toRows(xs[0]!, c.classes), toRows(xs[1]!, c.classes), {
          labelSmoothing: c.labelSmoothing,
          reduction: c.reduction,
          ...(c.posWeight && { posWeight: at(xs, 'posWeight') as number[] }),
          ...(c.weights && { weights: toRows(at(xs, 'weights') as number[], c.classes) }),
        }),
      inputs,
      // (1 + 2·max|z|)·max posWeight·max weight, times the element count for 'sum'.
      (1 + 2 * 8) * 4 * 2 * (c.reduction === 'sum' ? c.labels.length : 1),
      c.labels.length,
    );
  });
});

describe('focal losses against torchvision and Keras', () => {
  const cases = layout.chain(({ batchShape, classes }) => {
    const n = sizeOf(batchShape);
    return fc.record({
      batchShape: fc.constant(batchShape),
      classes: fc.constant(classes),
      labels: flatOf(n * classes, 0, 1),
      logits: flatOf(n * classes, -6, 6),
      gamma: fc.constantFrom(0, 0.5, 1, 2, 3.5),
      alpha: fc.constantFrom(-1, 0, 0.25, 0.8),
      elementWeights: fc.option(weightsOf(n * classes), { nil: undefined }),
      sampleWeights: fc.option(weightsOf(n), { nil: undefined }),
      reduction: reductions,
    });
  });

  test.prop([cases])('sigmoidFocalLoss: values and gradients w.r.t. labels, logits and weights', (c) => {
    const shape = [...c.batchShape, c.classes];
    const options = { gamma: c.gamma, alpha: c.alpha, reduction: c.reduction };
    const weights = c.elementWeights ? [{ values: c.elementWeights, shape }] : [];
    compareWithReference(
      (y, z, w) => sigmoidFocalLoss(y!, z!, { ...options, ...(w && { weights: w }) }),
      (y, z, w) => sigmoidFocalLoss64(toRows(y!, c.classes), toRows(z!, c.classes), { ...options, ...(w && { weights: w }) }),
      [{ values: c.labels, shape }, { values: c.logits, shape }, ...weights],
      // (1 + 2·max|z|) for BCE and its logits, times 2 for the weights, times the element count for 'sum'.
      (1 + 2 * 6) * 2 * (c.reduction === 'sum' ? c.labels.length : 1),
      c.labels.length,
    );
  });

  test.prop([cases])('softmaxFocalLoss: values and gradients w.r.t. labels, logits and weights', (c) => {
    const shape = [...c.batchShape, c.classes];
    const options = { gamma: c.gamma, alpha: Math.abs(c.alpha), reduction: c.reduction };
    const weights = c.sampleWeights ? [{ values: c.sampleWeights, shape: c.batchShape }] : [];
    compareWithReference(
      (y, z, w) => softmaxFocalLoss(y!, z!, { ...options, ...(w && { weights: w }) }),
      (y, z, w) => softmaxFocalLoss64(toRows(y!, c.classes), toRows(z!, c.classes), { ...options, ...(w && { weights: w }) }),
      [{ values: c.labels, shape }, { values: c.logits, shape }, ...weights],
      logitScale(c.logits, c.classes, 2 * c.classes) * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
      c.classes + sizeOf(c.batchShape),
    );
  });
});
