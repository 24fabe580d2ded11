/** MNIST as tensors for the examples: a seeded shuffle of the training set, split into train and validation. */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE, loadMnist } from '../mnist.js';
import { shuffledIndices } from './cli.js';

export interface Split {
  readonly x: tf.Tensor2D;
  /** Class indices as float32 `[n]`, as model.fit passes them. */
  readonly labels: tf.Tensor1D;
  readonly labelValues: number[];
  readonly count: number;
}

function split(images: Float32Array, labels: Uint8Array, order: ArrayLike<number>, from: number, to: number): Split {
  const count = to - from;
  const x = new Float32Array(count * IMAGE_SIZE);
  const labelValues: number[] = [];
  for (let i = 0; i < count; i++) {
    const source = order[from + i]!;
    x.set(images.subarray(source * IMAGE_SIZE, (source + 1) * IMAGE_SIZE), i * IMAGE_SIZE);
    labelValues.push(labels[source]!);
  }
  return { x: tf.tensor2d(x, [count, IMAGE_SIZE]), labels: tf.tensor1d(labelValues), labelValues, count };
}

/**
 * `samples` training images (seeded shuffle of the 60 000), of which a tenth
 * is held out for validation, and the first `testCount` test images.
 */
export function mnistSplits(samples: number, testCount: number, seed: number): { train: Split; validation: Split; test: Split } {
  const train = loadMnist('train');
  const order = shuffledIndices(train.count, seed);
  const used = Math.min(samples, train.count);
  const validationCount = Math.max(1, Math.floor(used / 10));
  const test = loadMnist('test', testCount);
  return {
    train: split(train.images, train.labels, order, 0, used - validationCount),
    validation: split(train.images, train.labels, order, used - validationCount, used),
    test: split(test.images, test.labels, Int32Array.from({ length: test.count }, (_, i) => i), 0, test.count),
  };
}

export function disposeSplit(s: Split): void {
  tf.dispose([s.x, s.labels]);
}

/** Accuracy and predictions of logits `[n, 10]` against labels. */
export function accuracyOf(logits: tf.Tensor, labels: readonly number[]): { accuracy: number; predicted: number[] } {
  const predicted = tf.tidy(() => Array.from(tf.argMax(logits, -1).dataSync()));
  return { accuracy: predicted.filter((p, i) => p === labels[i]).length / labels.length, predicted };
}
