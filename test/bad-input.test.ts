/** Rows of the README's bad-input catalogue not pinned elsewhere. */
import { expect, test } from 'vitest';
import {
  categoricalKL,
  crossEntropy,
  distillationLoss,
  klDivergence,
  layers,
  sigmoidCrossEntropy,
  sigmoidFocalLoss,
  softmaxCrossEntropy,
  softmaxFocalLoss,
  sparseSoftmaxCrossEntropy,
} from '../src/index.js';
import * as tf from '@tensorflow/tfjs';
import { take } from './support/tensors.js';

test('probabilities that do not sum to 1 are used as given, not renormalised', () => {
  // Σ p log(p/q) with q = p/2: log 2 per unit of p mass, here 1.
  expect(take(klDivergence([0.5, 0.5], [0.25, 0.25]))[0]).toBeCloseTo(Math.log(2), 6);
  // −Σ p log q with p summing to 2: twice the value for the normalised p.
  expect(take(crossEntropy([1, 1], [0.5, 0.5]))[0]).toBeCloseTo(2 * Math.log(2), 6);
  const loss = layers.categoricalCrossentropy();
  const value = tf.tidy(() => loss(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.25, 0.25]])).dataSync()[0]);
  expect(value).toBeCloseTo(Math.log(4), 6);
});

test('an option set to null is an error, not its default: leave it out (or pass undefined)', () => {
  expect(() => klDivergence([0.5, 0.5], [0.5, 0.5], { base: null as never })).toThrow(
    "klDivergence: option 'base' is null; leave it out (or pass undefined) for its default",
  );
  expect(() => layers.categoricalCrossentropy({ labelSmoothing: null as never })).toThrow(
    "layers.categoricalCrossentropy: option 'labelSmoothing' is null",
  );
  expect(take(klDivergence([0.5, 0.5], [0.25, 0.75], { base: undefined }))[0]).toBeCloseTo(take(klDivergence([0.5, 0.5], [0.25, 0.75]))[0]!, 7);
});

test('a weight of 0 in a focal loss does not hide a NaN or a negative probability', () => {
  // α = 1 gives α_t = 0 at a label of 0.
  expect(take(sigmoidFocalLoss([[0, 1]], [[NaN, 1]], { alpha: 1, reduction: 'none' }))[0]).toBeNaN();
  const loss = layers.binaryFocalCrossentropy({ alpha: 1 });
  expect(tf.tidy(() => loss(tf.tensor2d([[0, 1]]), tf.tensor2d([[-0.2, 0.5]])).dataSync()[0])).toBeNaN();
});

test('negative weights of a log (targets, posWeight, class weights) are used as given; a negative probability under a log is NaN', () => {
  // −[w·y·log p + (1 − y)·log(1 − p)] averaged: (log 0.3 − log 0.6)/2 with w = −1, y = [1, 0], p = [0.3, 0.4].
  const binary = layers.binaryCrossentropy({ posWeight: -1 });
  expect(tf.tidy(() => binary(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.3, 0.4]])).dataSync()[0])).toBeCloseTo((Math.log(0.3) - Math.log(0.6)) / 2, 6);
  // −Σ p log q with p = (−0.5, 1.5), q = (0.5, 0.5): −(−0.5 + 1.5)·log 0.5.
  expect(take(crossEntropy([-0.5, 1.5], [0.5, 0.5]))[0]).toBeCloseTo(Math.log(2), 6);
  expect(take(crossEntropy([0.5, 0.5], [-0.5, 1.5]))[0]).toBeNaN();
  expect(take(klDivergence([-0.5, 1.5], [0.5, 0.5]))[0]).toBeNaN();
});

test('the layers losses of logits name themselves for an empty class axis', () => {
  const empty = () => [tf.zeros([2, 0]), tf.zeros([2, 0])] as const;
  for (const [name, loss] of [
    ['layers.categoricalCrossentropy', layers.categoricalCrossentropy({ fromLogits: true })],
    ['layers.categoricalFocalCrossentropy', layers.categoricalFocalCrossentropy({ fromLogits: true })],
    ['layers.kullbackLeiblerDivergence', layers.kullbackLeiblerDivergence({ fromLogits: true })],
  ] as const) {
    expect(() => tf.tidy(() => loss(...empty()))).toThrow(`${name}: logits [2,0] have no classes along axis 1`);
  }
  const sparse = layers.sparseCategoricalCrossentropy({ fromLogits: true });
  expect(() => tf.tidy(() => sparse(tf.zeros([0]), tf.zeros([0, 0])))).toThrow('layers.sparseCategoricalCrossentropy: logits [0,0] have no classes');
});

test('a −Infinity logit on a class without mass is a masked class in categoricalKL and distillationLoss too, not NaN', () => {
  // π = softmax(−∞, 1, 0) = (0, e, 1)/(e + 1) against ρ uniform: Σ π log(3π) over the two live classes.
  const live = [Math.E / (Math.E + 1), 1 / (Math.E + 1)];
  const expected = live.reduce((sum, p) => sum + p * Math.log(3 * p), 0);
  const [value, dp, dq] = tf.tidy(() => {
    const [p, q] = [tf.tensor2d([[-Infinity, 1, 0]]), tf.tensor2d([[0, 0, 0]])];
    const [dp, dq] = tf.grads((a: tf.Tensor, b: tf.Tensor) => categoricalKL(a, b))([p, q]);
    return [categoricalKL(p, q).dataSync()[0]!, Array.from(dp!.dataSync()), Array.from(dq!.dataSync())] as const;
  });
  expect(value).toBeCloseTo(expected, 6);
  expect([...dp, ...dq].every(Number.isFinite)).toBe(true);
  expect(dp[0]).toBe(0);
  // Masked on both sides: the class drops out of both distributions.
  expect(take(categoricalKL([[-Infinity, 0, 0]], [[-Infinity, 1, 0]]))[0]).toBeCloseTo(0.5 * Math.log(0.5 / live[0]!) + 0.5 * Math.log(0.5 / live[1]!), 6);
  expect(take(distillationLoss([[-Infinity, 1, 0]], [[0, 0, 0]]))[0]).toBeCloseTo(expected, 6);
  // Mass on a class the other distribution masks: +Infinity.
  expect(take(categoricalKL([[0, 1, 0]], [[-Infinity, 0, 0]]))[0]).toBe(Infinity);
});

test('a +Infinity logit, or a distribution whose logits are all −Infinity, gives NaN there in categoricalKL, as in categoricalEntropy and PyTorch', () => {
  // Either side: softmax of [+∞, 0, 1] is ∞ − ∞ = NaN; of all −∞, NaN; the finite row is unchanged.
  const p = [[Infinity, 0, 1], [-Infinity, -Infinity, -Infinity], [0, 0, 0]];
  const q = [[0, 1, 2], [0, 1, 2], [0, 0, 0]];
  expect(take(categoricalKL(p, q, { reduction: 'none' }))).toEqual([NaN, NaN, 0]);
  expect(take(categoricalKL(q, p, { reduction: 'none' }))).toEqual([NaN, NaN, 0]);
});

test('a weight of 0 gives no NaN gradient at an infinite logit; a NaN posWeight shows where its label is 0', () => {
  const gradient = (labels: number, alpha: number, logit: number) =>
    tf.tidy(() => tf.grad((z: tf.Tensor) => sigmoidFocalLoss([[labels]], z, { alpha }))(tf.tensor2d([[logit]])).dataSync()[0]);
  expect(gradient(1, 0, -Infinity)).toBe(0);
  expect(gradient(0, 1, Infinity)).toBe(0);
  const values = take(sigmoidCrossEntropy([[0, 0]], [[1, 1]], { posWeight: [NaN, 1], reduction: 'none' }));
  expect(values[0]).toBeNaN();
  expect(values[1]).toBeCloseTo(Math.log1p(Math.E), 6);
});

test('one NaN rule for every masked term: a zero weight holds its term at 0 unless what it weighs is NaN', () => {
  // A row of zero labels against a NaN logit, and a zero positive weight against one: the NaN shows.
  expect(take(softmaxCrossEntropy([[0, 0]], [[NaN, 1]], { reduction: 'none' }))[0]).toBeNaN();
  expect(take(sigmoidCrossEntropy([[1]], [[NaN]], { posWeight: [0], reduction: 'none' }))[0]).toBeNaN();
  // An ignored sample's predictions are unused (as in PyTorch), of logits and of probabilities.
  expect(take(sparseSoftmaxCrossEntropy([0, 1], [[NaN, 1], [0, 1]], { ignoreIndex: 0, reduction: 'none' }))[0]).toBe(0);
  const sparse = layers.sparseCategoricalCrossentropy({ ignoreIndex: 0 });
  expect(tf.tidy(() => sparse(tf.tensor1d([0, 1]), tf.tensor2d([[NaN, 1], [0, 1]])).dataSync()[0])).toBe(0);
});

test('gradients: a term held at 0 has a zero slope, also where what it weighs is NaN (the value shows the NaN)', () => {
  const [value, dq] = tf.tidy(() => {
    const [p, q] = [tf.tensor1d([0, 1]), tf.tensor1d([NaN, 1])];
    return [klDivergence(p, q).dataSync()[0], Array.from(tf.grads((a: tf.Tensor, b: tf.Tensor) => klDivergence(a, b))([p, q])[1]!.dataSync())];
  });
  expect(value).toBeNaN();
  expect(dq[0]! + 0).toBe(0);
  expect(dq[1]).toBe(-1);
});

test('a loss held at 0 is +0, not −0 (focal losses at α = 0, binary focal of exact probabilities)', () => {
  expect(Object.is(take(softmaxFocalLoss([[0, 1]], [[1, 2]], { alpha: 0, reduction: 'none' }))[0], 0)).toBe(true);
  const focal = layers.binaryFocalCrossentropy();
  for (const y of [0, 1]) expect(Object.is(tf.tidy(() => focal(tf.tensor1d([y]), tf.tensor1d([y])).dataSync()[0]), 0)).toBe(true);
});
