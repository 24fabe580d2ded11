/**
 * Tests every loss family's test file registers the same way: `test…`
 * functions register one test per row they are given, in the calling
 * describe block.
 */
import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { checkGradients } from '../../src/index.js';
import { tensorsLeftByThrowing } from './tensors.js';

/** [title, loss of its inputs, its inputs]; inputs are made lazily: tensors only once the test's backend is set. */
export type GradientCheck = [string, (...xs: tf.Tensor[]) => tf.Tensor, () => unknown[]];

/** One test per row, named by it: checkGradients passes on the loss at its inputs. */
export function testGradientsCheck(checks: GradientCheck[]): void {
  test.each(checks)('%s', (_name, f, makeInputs) => {
    const inputs = makeInputs();
    const result = checkGradients(f, inputs as never);
    for (const input of inputs) if (input instanceof tf.Tensor) input.dispose();
    expect(result.ok, JSON.stringify(result)).toBe(true);
  });
}

/** A call that must throw, and its message. */
export type BadInput = [() => unknown, string | RegExp];

/** One test per call: it throws its message and leaves no tensor behind. */
export function testThrowsCleanly(cases: BadInput[]): void {
  test.each(cases.map(([call, message]) => ({ call, message })))('throws $message', ({ call, message }) => {
    expect(call).toThrowError(message);
    expect(tensorsLeftByThrowing(call)).toBe(0);
  });
}
