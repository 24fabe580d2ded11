/**
 * A VAE built with VAESampling trains under model.fit on real MNIST digits:
 * the reported loss is reconstruction + β·KL, the KL falls, and the model
 * saves, reloads, predicts the same and resumes training after a recompile.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, test } from 'vitest';
import { IMAGE_SIZE, loadMnist } from '../../examples/mnist.js';
import { gaussianKL, layers, sigmoidCrossEntropy } from '../../src/index.js';

const COUNT = 256;
const LATENT = 4;

/** Per-image reconstruction loss: pixel-wise sigmoid cross-entropy from logits, summed. */
const reconstruction = (yTrue: tf.Tensor, yPred: tf.Tensor) =>
  tf.tidy(() => tf.sum(sigmoidCrossEntropy(yTrue, yPred, { reduction: 'none' }), -1));

function vae(sampling: layers.VAESampling) {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [IMAGE_SIZE] });
  const hidden = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(1) }).apply(input) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: LATENT, kernelInitializer: init(2), name: 'mean' }).apply(hidden) as tf.SymbolicTensor;
  // A log-variance bias of 4 starts the posterior far from the prior (KL ≈ ½(e⁴ − 5) ≈ 25 nats per dimension).
  const logVar = tf.layers
    .dense({ units: LATENT, kernelInitializer: init(3), biasInitializer: tf.initializers.constant({ value: 4 }), name: 'logVar' })
    .apply(hidden) as tf.SymbolicTensor;
  const z = sampling.apply([mean, logVar]) as tf.SymbolicTensor;
  const decoded = tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: init(4) }).apply(z) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: IMAGE_SIZE, kernelInitializer: init(5) }).apply(decoded) as tf.SymbolicTensor;
  return {
    model: tf.model({ inputs: input, outputs: output }),
    encoder: tf.model({ inputs: input, outputs: [mean, logVar] }),
  };
}

function digits() {
  const data = loadMnist('train', COUNT);
  return tf.tensor2d(data.images, [data.count, IMAGE_SIZE]);
}

describe('VAESampling under model.fit', () => {
  test('the reported loss is mean reconstruction + β·KL of the same batch and noise', async () => {
    const x = digits();
    const sampling = new layers.VAESampling({ beta: 0.5, seed: 7 });
    const { model, encoder } = vae(sampling);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: reconstruction });

    // By hand, with the weights before the step and the noise of step 0 (seed·1000003 + step).
    const expected = tf.tidy(() => {
      const [mean, logVar] = encoder.predict(x) as tf.Tensor[];
      const noise = tf.randomNormal(mean!.shape, 0, 1, 'float32', 7 * 1_000_003);
      const z = tf.add(mean!, tf.mul(tf.exp(tf.mul(logVar!, 0.5)), noise));
      const logits = model.layers.slice(-2).reduce((t, layer) => layer.apply(t) as tf.Tensor, z);
      const total = tf.add(tf.mean(reconstruction(x, logits)), tf.mul(0.5, gaussianKL(mean!, logVar!)));
      return total.dataSync()[0]!;
    });
    const history = await model.fit(x, x, { epochs: 1, batchSize: COUNT, shuffle: false, verbose: 0 });
    expect(Math.abs(history.history['loss']![0] as number - expected) / expected).toBeLessThan(1e-5);
    expect(sampling.step).toBe(1);
    tf.dispose(x);
    model.dispose();
  });

  test('the KL term is minimised: the KL falls from its start, and β = 0 leaves it higher', async () => {
    const x = digits();
    const klAfterTraining = async (beta: number) => {
      const sampling = new layers.VAESampling({ beta, seed: 3 });
      const { model } = vae(sampling);
      model.compile({ optimizer: tf.train.adam(3e-3), loss: reconstruction });
      // One step over the whole batch: the KL at the initial weights.
      await model.fit(x, x, { epochs: 1, batchSize: COUNT, shuffle: false, verbose: 0 });
      const start = sampling.lastKL()!.total;
      await model.fit(x, x, { epochs: 6, batchSize: 64, shuffle: false, verbose: 0 });
      const end = sampling.lastKL()!;
      expect(end.perDimension).toHaveLength(LATENT);
      model.dispose();
      return { start, end: end.total };
    };
    const withKL = await klAfterTraining(1);
    const withoutKL = await klAfterTraining(0);
    expect(withKL.end).toBeLessThan(withKL.start);
    expect(withKL.end).toBeLessThan(withoutKL.end);
    tf.dispose(x);
  });

  test('save → load → predict matches; the loaded model resumes training after a recompile', async () => {
    const x = digits();
    const sampling = new layers.VAESampling({ beta: { kind: 'linearWarmup', warmupSteps: 10 }, freeBits: 0.05, seed: 5 });
    const { model } = vae(sampling);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: reconstruction });
    await model.fit(x, x, { epochs: 2, batchSize: 64, shuffle: false, verbose: 0 });

    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }), { includeOptimizer: true });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));

    const [before, after] = tf.tidy(() => [
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
      Array.from((loaded.predict(x) as tf.Tensor).dataSync()),
    ]);
    expect(after).toEqual(before);
    const restored = loaded.layers.find((l) => l instanceof layers.VAESampling) as layers.VAESampling;
    expect(restored.step).toBe(sampling.step);
    expect(restored.beta).toBe(sampling.beta);

    // tfjs saves a function loss as `loss: {}`: fit fails until compiled again with the loss.
    await expect(loaded.fit(x, x, { epochs: 1, verbose: 0 })).rejects.toThrow();
    loaded.compile({ optimizer: loaded.optimizer, loss: reconstruction });
    const resumed = await loaded.fit(x, x, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0 });
    expect(Number.isFinite(resumed.history['loss']![0])).toBe(true);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  test('no tensors leak over 100 fit steps with the layer', async () => {
    const x = digits();
    const sampling = new layers.VAESampling({ beta: { kind: 'cyclical', cycleSteps: 20 }, freeBits: 0.1 });
    const { model } = vae(sampling);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: reconstruction });
    await model.fit(x, x, { epochs: 1, batchSize: 64, verbose: 0 }); // creates the optimizer's state
    const before = tf.memory().numTensors;
    await model.fit(x, x, { epochs: 25, batchSize: 64, verbose: 0 }); // 4 batches × 25 epochs
    expect(sampling.step).toBe(104);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    model.dispose();
  });

  test('outside fit: training-mode calls keep only the latest KL, and the model losses stay readable', async () => {
    const x = digits();
    const sampling = new layers.VAESampling({ beta: 2 });
    const { model, encoder } = vae(sampling);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: reconstruction });
    await model.fit(x, x, { epochs: 1, batchSize: COUNT, verbose: 0 });
    // After fit, the registered loss reads a live tensor.
    const [layerLoss] = model.calculateLosses();
    expect(Number.isFinite(layerLoss!.dataSync()[0])).toBe(true);
    const [mean, logVar] = encoder.predict(x) as tf.Tensor[];
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.dispose(sampling.apply([mean!, logVar!], { training: true }) as tf.Tensor);
    expect(tf.memory().numTensors).toBe(before);
    // The KL the loss reads is the last call's, times β.
    const kl = tf.tidy(() => gaussianKL(mean!, logVar!).dataSync()[0]!);
    expect(model.calculateLosses()[0]!.dataSync()[0]).toBeCloseTo(2 * kl, 3);
    tf.dispose([x, mean!, logVar!]);
    model.dispose();
  });

  test('an instance cannot be used twice in a model (its KL is added per use)', () => {
    const sampling = new layers.VAESampling();
    const a = tf.input({ shape: [2] });
    const b = tf.input({ shape: [2] });
    sampling.apply([a, b]);
    expect(() => sampling.apply([b, a])).toThrowError('VAESampling: a layer instance can be used once in a model (its KL is added per use); create one per use');
  });

  test('bad configuration and inputs are reported', () => {
    expect(() => new layers.VAESampling({ freeBits: -1 })).toThrowError('VAESampling: freeBits must be a finite number ≥ 0, got -1');
    expect(() => new layers.VAESampling({ beta: { kind: 'sigmoid' } as never })).toThrowError(
      `VAESampling: beta.kind must be 'constant', 'linearWarmup' or 'cyclical', got "sigmoid"`,
    );
    const input = tf.input({ shape: [3] });
    const other = tf.input({ shape: [4] });
    expect(() => new layers.VAESampling().apply([input, other])).toThrowError(/VAESampling: expects two inputs \[mean, logVar\] of one shape/);
  });
});
