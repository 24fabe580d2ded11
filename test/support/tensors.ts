/** Small helpers for reading tensors and counting leaked tensors in tests. */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';

/** Runs `f`, which must not throw, and returns how many tensors it left allocated (its results included). */
export function tensorsLeftBy(f: () => unknown): number {
  const before = tf.memory().numTensors;
  f();
  return tf.memory().numTensors - before;
}

/** Runs `f`, which must throw, and returns how many tensors it left allocated. */
export function tensorsLeftByThrowing(f: () => unknown): number {
  const before = tf.memory().numTensors;
  expect(f).toThrow();
  return tf.memory().numTensors - before;
}

/** The tensor's values as a plain array, disposing the tensor. */
export function take(t: tf.Tensor): number[] {
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}
