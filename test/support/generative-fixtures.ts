/**
 * Fixtures and tests shared by the tests of the generative regularisers and
 * continuous measures (test/losses/{gaussian,monte-carlo-kl,categorical-kl,
 * bernoulli-kl}.test.ts): fast-check arbitraries, the reductions as the API
 * defines them, the float64 comparison of a KL between logits, fixed inputs,
 * and the checkGradients, bad-input and leak-count tests (`test…` functions
 * register one test per row, in the calling describe block).
 */
import * as tf from '@tensorflow/tfjs';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { toRows, type Reduction } from './classification-reference.js';
import { compareWithReference } from './compare.js';
import { flatOf, float, reductions, sizeOf } from './arbitraries.js';
import { take, tensorsLeftBy, tensorsLeftByThrowing } from './tensors.js';

// ---- Arbitraries

/** A `[rows, columns]` matrix of float32 numbers in [min, max]. */
export const matrix = (rows: number, columns: number, min: number, max: number) =>
  fc.array(fc.array(float(min, max), { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows });

/** A batch shape ([N] or [B, T]) and an event size D. */
export const layout = fc.record({
  batchShape: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 4 })), fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))),
  event: fc.integer({ min: 1, max: 5 }),
});

/** Flat logits p and q of shape [...batchShape, classes] (classes ≥ 2), class labels, a temperature, α and a reduction. */
export const logitCases = layout.chain(({ batchShape, event }) => {
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
/** One draw of `logitCases`. */
export type LogitCase = typeof logitCases extends fc.Arbitrary<infer T> ? T : never;

/** Two [batch, classes] matrices of logits of one shape. */
export const logitPairs = fc
  .record({ batch: fc.integer({ min: 1, max: 4 }), classes: fc.integer({ min: 1, max: 6 }) })
  .chain(({ batch, classes }) => fc.tuple(matrix(batch, classes, -10, 10), matrix(batch, classes, -10, 10)));

// ---- Float64 reference comparisons

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Applies a reduction to per-sample values, as the API defines it. */
export function reduce(perSample: number[], reduction: Reduction): number | number[] {
  if (reduction === 'none') return perSample;
  return reduction === 'sum' ? sum(perSample) : sum(perSample) / perSample.length;
}

/** Per-sample values of a function of rows of the event axis. */
export const perSample = (event: number, inputs: number[][], f: (...rows: number[][]) => number) =>
  toRows(inputs[0]!, event).map((_, n) => f(...inputs.map((x) => toRows(x, event)[n]!)));

/**
 * Compares a KL between two logit tensors (its reduction `c.reduction`) with
 * its float64 reference per sample, over a `logitCases` draw: values and both
 * gradients. `scalePerSample` is the float32 scale of one sample's terms.
 */
export function compareLogitPairWithReference(
  c: LogitCase,
  ours: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor,
  reference: (p: number[], q: number[]) => number,
  scalePerSample: number,
): void {
  const shape = [...c.batchShape, c.classes];
  compareWithReference(
    (p, q) => ours(p!, q!),
    (p, q) => reduce(perSample(c.classes, [p!, q!], (pr, qr) => reference(pr!, qr!)), c.reduction),
    [
      { values: c.p, shape },
      { values: c.q, shape },
    ],
    scalePerSample * (c.reduction === 'sum' ? sizeOf(c.batchShape) : 1),
    c.classes + sizeOf(c.batchShape),
  );
}

// ---- Properties

/**
 * The body of a property over `logitPairs`: `kl` (per sample) is ≥ 0 up to
 * float32 rounding, and exactly 0 for equal logits.
 */
export function expectNonNegativeAndZeroForEqual(kl: (p: number[][], q: number[][]) => tf.Tensor, [p, q]: [number[][], number[][]]): void {
  const bound = (16 + p[0]!.length) * 2 ** -24 * (1 + 2 * 10) * p[0]!.length;
  expect(take(kl(p, q)).every((x) => x >= -bound)).toBe(true);
  expect(take(kl(p, p)).every((x) => x === 0)).toBe(true);
}

// ---- Fixed inputs


// [2, 3, 2] inputs: rank 3, irregular values.
export const a3 = [
  [
    [0.3, -0.2],
    [1, 0.5],
    [-0.7, 0.1],
  ],
  [
    [0.2, 0.9],
    [-1.1, 0.4],
    [0.6, -0.3],
  ],
];
export const b3 = [
  [
    [0.1, 0.4],
    [-0.3, 0.2],
    [0.5, -0.6],
  ],
  [
    [0.8, -0.2],
    [0.3, 0.3],
    [-0.4, 1.2],
  ],
];
export const c3 = a3.map((m) => m.map((row) => row.map((x) => x / 2 + 0.1)));
export const d3 = b3.map((m) => m.map((row) => row.map((x) => -x + 0.2)));



// ---- Bad input and leaks

export const m23 = [
  [0.1, 0.2, 0.3],
  [0.4, 0.5, 0.6],
];
export const v23 = [
  [0, -1, 1],
  [0.5, 0.2, -0.3],
];

/** A loss of the two `[2, 3]` inputs `m23`, `v23`, for the leak counts. */
export type LeakCase = [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor];



/** The body of a 'throw under tf.grad' test: the loss throws on `m23` and the gradient leaves nothing behind. */
function expectGradThrowLeavesNothing(_name: string, loss: (m: tf.Tensor) => tf.Tensor): void {
  const m = tf.tensor2d(m23);
  expect(tensorsLeftByThrowing(() => tf.grad(loss)(m))).toBe(0);
  m.dispose();
}

/** One test per loss that throws on `m23`: a throw under tf.grad leaves nothing behind. */
export function testGradThrowLeavesNothing(losses: Array<[string, (m: tf.Tensor) => tf.Tensor]>): void {
  test.each(losses)('a throw under tf.grad leaves nothing behind: %s', expectGradThrowLeavesNothing);
}

/** The body of a leak test on `m23`, `v23`: a call adds its result only; tf.grads its gradients only. */
function expectNoLeakedTensors(_name: string, loss: LeakCase[1]): void {
  const a = tf.tensor2d(m23);
  const b = tf.tensor2d(v23);
  expect(tensorsLeftBy(() => loss(a, b).dispose())).toBe(0);
  expect(tensorsLeftBy(() => loss(a, b))).toBe(1);
  expect(tensorsLeftBy(() => tf.dispose(tf.grads(loss)([a, b])))).toBe(0);
  expect(tensorsLeftBy(() => tf.grads(loss)([a, b]))).toBe(2);
  tf.dispose([a, b]);
}

/** One leak test per loss, on `m23`, `v23`. */
export function testNoLeakedTensors(losses: LeakCase[]): void {
  test.each(losses)('%s: a call adds its result only; tf.grads its gradients only', expectNoLeakedTensors);
}
