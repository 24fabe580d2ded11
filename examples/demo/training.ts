/**
 * Training in the page with this package's losses, redrawing as it goes: an
 * MNIST classifier (loss and test accuracy per epoch) and a VAE with a 2-D
 * latent space (loss, KL, and the decoded manifold per epoch).
 */
import * as tf from '@tensorflow/tfjs';
import { layers, sigmoidCrossEntropy } from '../../src/index.js';
import { lineChart } from '../lib/svg.js';
import type { Digits } from './data.js';

/** What a training run recorded, per epoch. */
export interface Run {
  readonly losses: number[];
  /** Test accuracy (classifier) or KL in nats (VAE). */
  readonly second: number[];
}

interface Views {
  readonly epochs?: number | undefined;
  readonly status: HTMLElement;
  readonly chart: HTMLElement;
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

function testAccuracy(model: tf.LayersModel, d: Digits): number {
  const predicted = tf.tidy(() => Array.from((model.predict(d.testImages, { batchSize: 500 }) as tf.Tensor).argMax(-1).dataSync()));
  return predicted.filter((p, i) => p === d.testLabels[i]).length / predicted.length;
}

/** A 784–64–10 classifier of logits, fitted with layers.sparseCategoricalCrossentropy on class indices. */
export async function trainClassifier(d: Digits, { epochs = 8, status, chart }: Views): Promise<Run> {
  const run: Run = { losses: [], second: [] };
  const model = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 64, activation: 'relu', kernelInitializer: init(1) }), tf.layers.dense({ units: 10, kernelInitializer: init(2) })],
  });
  const optimizer = tf.train.adam(2e-3);
  model.compile({ optimizer, loss: layers.sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }) });
  const labels = tf.tensor1d(d.trainLabels);
  await model.fit(d.trainImages, labels, {
    epochs,
    batchSize: 64,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        run.losses.push(logs!['loss'] as number);
        run.second.push(testAccuracy(model, d));
        status.textContent = `epoch ${epoch + 1}/${epochs} · loss ${run.losses.at(-1)!.toFixed(4)} · test accuracy ${run.second.at(-1)!.toFixed(3)}`;
        chart.innerHTML =
          lineChart({ title: 'training loss (nats)', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'loss', values: run.losses }], width: 460, height: 280 }) +
          lineChart({ title: `test accuracy (${d.testLabels.length} digits)`, xLabel: 'epoch', yLabel: 'accuracy', series: [{ name: 'accuracy', values: run.second }], width: 460, height: 280 });
        await tf.nextFrame();
      },
    },
  });
  tf.dispose([labels]);
  model.dispose();
  optimizer.dispose();
  return run;
}

/** Per-image reconstruction loss: the decoder's logits against the pixels, summed. */
const reconstruction = (x: tf.Tensor, logits: tf.Tensor) => tf.tidy(() => tf.sum(sigmoidCrossEntropy(x, logits, { reduction: 'none' }), -1));

/** Decodes a 10 × 10 grid of latent points in [−2, 2]² into the canvas. */
function drawManifold(decoder: tf.LayersModel, canvas: HTMLCanvasElement): void {
  const side = 10;
  const pixels = tf.tidy(() => {
    const grid = Array.from({ length: side * side }, (_, k) => [-2 + (4 * (k % side)) / (side - 1), 2 - (4 * Math.floor(k / side)) / (side - 1)]);
    return tf.sigmoid(decoder.predict(tf.tensor2d(grid)) as tf.Tensor).dataSync();
  });
  const image = new ImageData(28 * side, 28 * side);
  for (let k = 0; k < side * side; k++) {
    for (let p = 0; p < 784; p++) {
      const [row, column] = [Math.floor(k / side) * 28 + Math.floor(p / 28), (k % side) * 28 + (p % 28)];
      const at = 4 * (row * 28 * side + column);
      const shade = 255 - Math.round(255 * pixels[k * 784 + p]!);
      image.data.set([shade, shade, shade, 255], at);
    }
  }
  canvas.getContext('2d')!.putImageData(image, 0, 0);
}

/** A VAE, 784–128–(2 + 2) → VAESampling → 128–784, its manifold redrawn each epoch. */
export async function trainVae(d: Digits, { epochs = 10, status, chart, canvas }: Views & { canvas: HTMLCanvasElement }): Promise<Run> {
  const run: Run = { losses: [], second: [] };
  const input = tf.input({ shape: [784] });
  const hidden = tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(3) }).apply(input) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: 2, kernelInitializer: init(4) }).apply(hidden) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: 2, kernelInitializer: init(5) }).apply(hidden) as tf.SymbolicTensor;
  const sampling = new layers.VAESampling({ beta: { kind: 'linearWarmup', warmupSteps: 100 }, seed: 6 });
  const decoderLayers = [tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init(7) }), tf.layers.dense({ units: 784, kernelInitializer: init(8) })];
  const decode = (z: tf.SymbolicTensor) => decoderLayers.reduce((t, layer) => layer.apply(t) as tf.SymbolicTensor, z);
  const model = tf.model({ inputs: input, outputs: decode(sampling.apply([mean, logVar]) as tf.SymbolicTensor) });
  const latent = tf.input({ shape: [2] });
  const decoder = tf.model({ inputs: latent, outputs: decode(latent) });
  const optimizer = tf.train.adam(2e-3);
  model.compile({ optimizer, loss: reconstruction });
  await model.fit(d.trainImages, d.trainImages, {
    epochs,
    batchSize: 64,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        run.losses.push(logs!['loss'] as number);
        run.second.push(sampling.lastKL()!.total);
        status.textContent = `epoch ${epoch + 1}/${epochs} · −ELBO ${run.losses.at(-1)!.toFixed(1)} nats · KL ${run.second.at(-1)!.toFixed(2)} nats`;
        chart.innerHTML = lineChart({ title: 'reconstruction + β·KL (nats per image)', xLabel: 'epoch', yLabel: 'loss', series: [{ name: 'loss', values: run.losses }], width: 460, height: 280 });
        drawManifold(decoder, canvas);
        await tf.nextFrame();
      },
    },
  });
  model.dispose();
  decoder.dispose();
  optimizer.dispose();
  return run;
}
