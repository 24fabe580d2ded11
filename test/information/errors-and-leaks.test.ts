/**
 * Bad input gives an Error naming the function, the argument and the shapes
 * (messages pinned here), and no call leaves a tensor behind: on success,
 * under tf.grad, and when it throws.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';

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
