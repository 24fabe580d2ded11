/** Small helpers for reading tensors and counting leaked tensors in tests. */
import * as tf from '@tensorflow/tfjs';

/** Runs `f` and returns how many tensors it left allocated (its results included). */
export function tensorsLeftBy(f: () => unknown): number {
  const before = tf.memory().numTensors;
  try {
    f();
  } catch {
    // Only the count matters here; error messages are pinned elsewhere.
  }
  return tf.memory().numTensors - before;
}

/** The tensor's values as a plain array, disposing the tensor. */
export function take(t: tf.Tensor): number[] {
  const values = Array.from(t.dataSync());
  t.dispose();
  return values;
}

/** Moves `axis` of a rank-2 batch-major array of rows to make a tensor with the classes on axis 0. */
export function classesFirst(rows: readonly number[][]): tf.Tensor {
  return tf.tidy(() => tf.transpose(tf.tensor2d(rows as number[][])));
}
