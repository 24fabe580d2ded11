/**
 * Our losses where tfjs users train: model.compile / fit / evaluate with a
 * classifier on real MNIST digits; fit's classWeight; no leak over 100 steps.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { IMAGE_SIZE, loadMnist } from '../../examples/mnist.js';
import { layers } from '../../src/index.js';

const COUNT = 512;

function mnist() {
  const data = loadMnist('train', COUNT);
  const labels = Array.from(data.labels);
  return {
    x: tf.tensor2d(data.images, [data.count, IMAGE_SIZE]),
    oneHot: tf.tensor2d(labels.map((y) => Array.from({ length: 10 }, (_, k) => (k === y ? 1 : 0)))),
    indices: tf.tensor1d(labels),
    labels,
  };
}

/** A one-hidden-layer classifier with fixed initial weights; `softmax` decides the head. */
function classifier(softmax: boolean): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), ...(softmax && { activation: 'softmax' as const }) }),
    ],
  });
}

function accuracy(model: tf.LayersModel, x: tf.Tensor, labels: number[]): number {
  const predicted = tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).argMax(-1).dataSync()));
  return predicted.filter((p, i) => p === labels[i]).length / labels.length;
}

describe('model.compile with our losses', () => {
  // First in this file: the sparse loss's first fit or evaluate builds a probe model once per process.
  test('the first evaluate with our sparse loss leaves no tensor behind', () => {
    const model = classifier(false);
    model.compile({ optimizer: tf.train.sgd(0.1), loss: layers.sparseCategoricalCrossentropy({ fromLogits: true }) });
    const [x, y] = [tf.zeros([2, IMAGE_SIZE]), tf.tensor1d([0, 1])];
    const before = tf.memory().numTensors;
    (model.evaluate(x, y) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
    model.dispose();
  });

  test("categoricalCrossentropy({fromLogits: true}) matches tfjs's 'categoricalCrossentropy' on a softmax head", async () => {
    const { x, oneHot, labels } = mnist();
    const ours = classifier(false);
    const theirs = classifier(true);
    ours.compile({ optimizer: tf.train.sgd(0.5), loss: layers.categoricalCrossentropy({ fromLogits: true }) });
    theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });

    // The first step's loss (before its update) agrees to float32 precision.
    const first = [await ours.trainOnBatch(x, oneHot), await theirs.trainOnBatch(x, oneHot)] as number[];
    expect(Math.abs(first[0]! - first[1]!) / first[1]!).toBeLessThan(1e-5);

    await ours.fit(x, oneHot, { epochs: 8, batchSize: 64, shuffle: false, verbose: 0 });
    await theirs.fit(x, oneHot, { epochs: 8, batchSize: 64, shuffle: false, verbose: 0 });
    const [oursAccuracy, theirsAccuracy] = [accuracy(ours, x, labels), accuracy(theirs, x, labels)];
    // The same mathematics from the same start: the trajectories differ by float32 rounding only,
    // which can move a digit or two of 512 across a decision boundary.
    expect(oursAccuracy).toBeGreaterThanOrEqual(theirsAccuracy - 2 / COUNT);
    expect(oursAccuracy).toBeGreaterThan(0.85);
    tf.dispose([x, oneHot]);
    ours.dispose();
    theirs.dispose();
  });

  test('sparseCategoricalCrossentropy takes the float labels fit passes, and works with classWeight', async () => {
    const { x, indices, labels } = mnist();
    const model = classifier(false);
    const loss = layers.sparseCategoricalCrossentropy({ fromLogits: true });
    model.compile({ optimizer: tf.train.sgd(0.1), loss });
    const classWeight = Object.fromEntries(Array.from({ length: 10 }, (_, k) => [k, k === 3 ? 3 : 1]));
    // One batch holding everything: the reported loss is the loss before the update.
    const expected = tf.tidy(() => {
      const perSample = Array.from(loss(indices, model.predict(x) as tf.Tensor).dataSync());
      return perSample.reduce((s, l, i) => s + (labels[i] === 3 ? 3 : 1) * l, 0) / perSample.length;
    });
    const history = await model.fit(x, indices, { epochs: 1, batchSize: COUNT, classWeight, verbose: 0 });
    expect(history.history['loss']![0]).toBeCloseTo(expected, 4);
    tf.dispose([x, indices]);
    model.dispose();
  });

  test('no tensors leak over 100 fit steps', async () => {
    const { x, indices } = mnist();
    const model = classifier(false);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: layers.sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
    // One warm-up epoch creates the optimizer's state, which persists by design.
    await model.fit(x, indices, { epochs: 1, batchSize: 64, verbose: 0 });
    const [xs, ys] = [x.slice(0, 320), indices.slice(0, 320)];
    const before = tf.memory().numTensors;
    // 100 steps: 320 / 64 = 5 batches per epoch, 20 epochs.
    await model.fit(xs, ys, { epochs: 20, batchSize: 64, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, indices, xs, ys]);
    model.dispose();
  });
});
