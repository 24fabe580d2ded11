/**
 * checkGradients passes correct gradients, fails wrong ones (including
 * tfjs 4.22's own softmaxCrossEntropy label gradient), and says where.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { checkGradients, crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { tensorsLeftBy, tensorsLeftByThrowing } from '../support/tensors.js';

/** f(x) = Σ x² per row, with a gradient that is 2x plus `error(x)`. */
function sumOfSquaresWithGradientError(error: (x: tf.Tensor) => tf.Tensor) {
  return tf.customGrad((x, save) => {
    (save as tf.GradSaveFunc)([x as tf.Tensor]);
    return {
      value: tf.sum(tf.square(x as tf.Tensor), -1),
      gradFunc: (dy, [saved]) => tf.mul(tf.expandDims(dy, -1), tf.add(tf.mul(saved!, 2), error(saved!))),
    };
  });
}

const x23 = [
  [0.3, 1, -2],
  [0.5, -0.25, 4],
];

describe('checkGradients', () => {
  test('passes a correct hand-written gradient and tfjs autodiff', () => {
    const exact = sumOfSquaresWithGradientError((x) => tf.zerosLike(x));
    expect(checkGradients((x) => exact(x), [x23]).ok).toBe(true);
    const autodiff = checkGradients((a, b) => tf.sum(tf.mul(tf.sin(a), tf.exp(b)), -1), [x23, x23]);
    expect(autodiff.ok).toBe(true);
    expect(autodiff.maxRelError).toBeLessThan(1e-3);
  });

  test('fails a gradient that is 2% off, and reports the worst entry', () => {
    const scaled = sumOfSquaresWithGradientError((x) => tf.mul(x, 0.04));
    const result = checkGradients((x) => scaled(x), [x23], { dy: [1, 1] });
    expect(result.ok).toBe(false);
    // With dy = 1 the error 0.04·x is largest, relative to its tolerance, at x = 4: entry [1, 2].
    expect(result.worst).toMatchObject({ input: 0, index: [1, 2] });
    expect(result.worst!.analytic).toBeCloseTo(8 * 1.02, 4);
    expect(result.worst!.numeric).toBeCloseTo(8, 2);
    expect(result.maxRelError).toBeGreaterThan(0.015);
  });

  test('fails a gradient wrong in a single entry and points at it', () => {
    const oneWrong = sumOfSquaresWithGradientError(() => tf.tensor2d([0, 0, 0, 0, 0.05, 0], [2, 3]));
    const result = checkGradients((x) => oneWrong(x), [x23]);
    expect(result.ok).toBe(false);
    expect(result.worst).toMatchObject({ input: 0, index: [1, 1] });
  });

  test('catches tfjs 4.22’s softmaxCrossEntropy gradient w.r.t. labels (labels − softmax instead of −log softmax)', () => {
    const labels = [
      [0.1, 0.7, 0.2],
      [0.3, 0.3, 0.4],
    ];
    const logits = [
      [1, 2, 0.5],
      [-1, 0, 3],
    ];
    const tfjsLoss = (y: tf.Tensor, z: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, z, undefined, 0, tf.Reduction.NONE);
    const result = checkGradients(tfjsLoss, [labels, logits]);
    expect(result.ok).toBe(false);
    expect(result.worst!.input).toBe(0);
    // The same loss written as our crossEntropy of softmax passes.
    const ours = (y: tf.Tensor, z: tf.Tensor) => crossEntropy(y, tf.softmax(z));
    expect(checkGradients(ours, [labels, logits]).ok).toBe(true);
  });

  test.each([
    ['entropy without the +1 of d(p log p)/dp', (p: tf.Tensor) => entropy(p), (p: tf.Tensor) => tf.neg(tf.log(p))],
    [
      'klDivergence with the gradient of crossEntropy',
      (p: tf.Tensor) => klDivergence(p, tf.fill(p.shape, 0.25)),
      (p: tf.Tensor) => tf.neg(tf.log(tf.fill(p.shape, 0.25))),
    ],
    [
      'jsDivergence with ∂/∂p = log(p/m) (twice the truth)',
      (p: tf.Tensor) => jsDivergence(p, tf.fill(p.shape, 0.25)),
      (p: tf.Tensor) => tf.log(tf.div(p, tf.div(tf.add(p, 0.25), 2))),
    ],
  ])('fails our own measures given a plausible wrong gradient: %s', (_name, measure, wrongGradient) => {
    const withWrongGradient = tf.customGrad((p, save) => {
      (save as tf.GradSaveFunc)([p as tf.Tensor]);
      return {
        value: measure(p as tf.Tensor),
        gradFunc: (dy, [saved]) => tf.mul(tf.expandDims(dy, -1), wrongGradient(saved!)),
      };
    });
    const p = [
      [0.1, 0.2, 0.3, 0.4],
      [0.25, 0.25, 0.4, 0.1],
    ];
    expect(checkGradients((x) => measure(x), [p]).ok).toBe(true);
    expect(checkGradients((x) => withWrongGradient(x), [p]).ok).toBe(false);
  });

  test('the default step resolves log q near 0.05 (Richardson extrapolation of central differences)', () => {
    // Plain central differences with h = 1e-2 are 1.3% off here (h²/(3q²)).
    const p = [0.06, 0.14, 0.8];
    const q = [0.05, 0.15, 0.8];
    expect(checkGradients((a, b) => klDivergence(a, b), [p, q]).ok).toBe(true);
    expect(checkGradients((a, b) => crossEntropy(a, b), [p, q]).ok).toBe(true);
  });

  test('int32 inputs are passed through and not differentiated', () => {
    const pick = (indices: tf.Tensor, x: tf.Tensor) => tf.sum(tf.mul(tf.oneHot(indices, 3), tf.square(x)), -1);
    const indices = tf.tensor1d([2, 0], 'int32');
    const result = checkGradients(pick, [indices, x23]);
    expect(result.ok).toBe(true);
    expect(result.worst!.input).toBe(1);
    indices.dispose();
  });

  test('uses a given dy: an output with dy = 0 is not checked', () => {
    const halfWrong = sumOfSquaresWithGradientError(() => tf.tensor2d([0, 0, 0, 1, 1, 1], [2, 3]));
    expect(checkGradients((x) => halfWrong(x), [x23]).ok).toBe(false);
    expect(checkGradients((x) => halfWrong(x), [x23], { dy: [1, 0] }).ok).toBe(true);
  });

  test('a NaN gradient is an infinite error', () => {
    const nanGradient = sumOfSquaresWithGradientError((x) => tf.div(tf.zerosLike(x), tf.zerosLike(x)));
    const result = checkGradients((x) => nanGradient(x), [x23]);
    expect(result.ok).toBe(false);
    expect(result.maxAbsError).toBe(Infinity);
  });

  describe('bad arguments throw a clear error and leak nothing', () => {
    const int32Input: tf.Tensor[] = [];
    beforeAll(() => int32Input.push(tf.tensor1d([1, 2], 'int32')));
    afterAll(() => tf.dispose(int32Input));
    const sum = (x: tf.Tensor) => tf.sum(x);
    const cases: Array<[() => unknown, string]> = [
      [() => checkGradients(sum, int32Input), 'checkGradients: no float32 input to differentiate (input dtypes: int32)'],
      [() => checkGradients(sum, [[1, 2]], { step: 0 }), 'checkGradients: step must be a finite number > 0, got 0'],
      [() => checkGradients(sum, [[1, 2]], { rtol: -1 }), 'checkGradients: rtol must be a finite number ≥ 0, got -1'],
      [() => checkGradients(sum, [[1, 2]], { atol: NaN }), 'checkGradients: atol must be a finite number ≥ 0, got NaN'],
      [
        () => checkGradients((x) => tf.square(x), [[1, 2]], { dy: [1, 2, 3] }),
        "checkGradients: dy [3] must have the shape of f's output [2]",
      ],
      [
        () => checkGradients(sum, [[1, 2]], { eps: 1 } as never),
        "checkGradients: unknown option 'eps' (expected one of: dy, step, rtol, atol)",
      ],
      [() => checkGradients('f' as never, [[1, 2]]), 'checkGradients: f must be a function, got string'],
      [() => checkGradients(() => 3 as never, [[1, 2]]), 'checkGradients: f must return a tf.Tensor, got number'],
      [
        () => checkGradients(sum, [[[1, 2], [3]]]),
        'checkGradients: inputs[0] is a ragged array (rows of different lengths); expected a rectangular array',
      ],
      [
        () => checkGradients((a) => tf.sum(a), [[1, 2], [3, 4]]),
        'checkGradients: tf.grads of f failed: Cannot compute gradient of y=f(x) with respect to x.',
      ],
    ];
    test.each(cases.map(([call, message]) => ({ call, message })))('$message', ({ call, message }) => {
      expect(call).toThrowError(message);
      expect(tensorsLeftByThrowing(call)).toBe(0);
    });
  });

  test('leaves no tensors behind, whether the check passes, fails or f throws', () => {
    const x = tf.tensor2d(x23);
    const scaled = sumOfSquaresWithGradientError((t) => tf.mul(t, 0.04));
    expect(tensorsLeftBy(() => checkGradients((t) => klDivergence(tf.softmax(t), tf.softmax(tf.neg(t))), [x]))).toBe(0);
    expect(tensorsLeftBy(() => checkGradients((t) => scaled(t), [x]))).toBe(0);
    const throwing = () =>
      checkGradients((t) => {
        tf.square(t);
        throw new Error('boom');
      }, [x]);
    expect(throwing).toThrowError('boom');
    expect(tensorsLeftByThrowing(throwing)).toBe(0);
    x.dispose();
  });
});
