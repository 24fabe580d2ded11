/**
 * A variational autoencoder on MNIST: the encoder ends in this package's
 * VAESampling layer (β warm-up), which adds β·KL to the loss that model.fit
 * minimises; the decoder is trained with sigmoid cross-entropy on the pixel
 * intensities.
 *
 *   npx tsx examples/vae.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 *
 * Reports the test-set negative ELBO in nats per image and the number of
 * active latent units; writes the curves, the latent means of the test set
 * coloured by digit, digits beside their reconstructions and, for a 2-D
 * latent, the decoded manifold.
 */
import * as tf from '@tensorflow/tfjs';
import { gaussianKL, layers, sigmoidCrossEntropy } from '../src/index.js';
import { IMAGE_SIZE } from './mnist.js';
import { exampleOptions, isMain, PREDICT, seededInitializer, type ExampleOptions } from './lib/cli.js';
import { disposeSplit, mnistSplits } from './lib/data.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { imageGrid } from './lib/png.js';
import { lineChart, scatterChart } from './lib/svg.js';

const LATENT = 2;
const HIDDEN = 128;
const BATCH = 100;

/** Per-image reconstruction loss: Bernoulli negative log-likelihood of the grey levels, in nats. */
export const reconstructionLoss = (images: tf.Tensor, logits: tf.Tensor): tf.Tensor =>
  tf.tidy(() => tf.sum(sigmoidCrossEntropy(images, logits, { reduction: 'none' }), -1));

function buildVae(seed: number, warmupSteps: number) {
  const dense = (units: number, index: number, activation?: 'relu') =>
    tf.layers.dense({ units, kernelInitializer: seededInitializer(seed, index), ...(activation && { activation }) });
  const input = tf.input({ shape: [IMAGE_SIZE] });
  const hidden = dense(HIDDEN, 1, 'relu').apply(input) as tf.SymbolicTensor;
  const mean = dense(LATENT, 2).apply(hidden) as tf.SymbolicTensor;
  const logVar = dense(LATENT, 3).apply(hidden) as tf.SymbolicTensor;
  const sampling = new layers.VAESampling({ beta: { kind: 'linearWarmup', warmupSteps }, seed });
  const z = sampling.apply([mean, logVar]) as tf.SymbolicTensor;
  // The decoder's layers serve both the VAE and a stand-alone decoder.
  const decoderLayers = [dense(HIDDEN, 4, 'relu'), dense(IMAGE_SIZE, 5)];
  const decode = (t: tf.SymbolicTensor) => decoderLayers.reduce((h, layer) => layer.apply(h) as tf.SymbolicTensor, t);
  const latentInput = tf.input({ shape: [LATENT] });
  return {
    vae: tf.model({ inputs: input, outputs: decode(z) }),
    encoder: tf.model({ inputs: input, outputs: [mean, logVar] }),
    decoder: tf.model({ inputs: latentInput, outputs: decode(latentInput) }),
    sampling,
  };
}

export async function runVae(options: ExampleOptions): Promise<ExampleResult> {
  const epochs = options.epochs ?? (options.quick ? 2 : 6);
  const samples = options.samples ?? (options.quick ? 1000 : 20000);
  const { train, validation, test } = mnistSplits(samples, options.quick ? 500 : 10000, options.seed);
  disposeSplit(validation);
  const stepsPerEpoch = Math.ceil(train.count / BATCH);
  const { vae, encoder, decoder, sampling } = buildVae(options.seed, stepsPerEpoch); // β rises over the first epoch
  vae.compile({ optimizer: tf.train.adam(1e-3), loss: reconstructionLoss });

  /** Test-set reconstruction, KL and negative ELBO in nats per image (one posterior sample each). */
  const measure = (noiseSeed: number) =>
    tf.tidy(() => {
      const [mean, logVar] = encoder.predict(test.x, PREDICT) as [tf.Tensor, tf.Tensor];
      const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), tf.randomNormal(mean.shape, 0, 1, 'float32', noiseSeed)));
      const reconstruction = tf.mean(reconstructionLoss(test.x, decoder.predict(z, PREDICT) as tf.Tensor)).dataSync()[0]!;
      const kl = gaussianKL(mean, logVar).dataSync()[0]!;
      return { reconstruction, kl, elbo: reconstruction + kl };
    });
  const curves = { reconstruction: [] as number[], kl: [] as number[], elbo: [] as number[] };
  const record = new tf.CustomCallback({
    onEpochEnd: async (epoch) => {
      const m = measure(options.seed + epoch);
      curves.reconstruction.push(m.reconstruction);
      curves.kl.push(m.kl);
      curves.elbo.push(m.elbo);
      console.log(`  test: reconstruction ${m.reconstruction.toFixed(1)} · KL ${m.kl.toFixed(2)} · −ELBO ${m.elbo.toFixed(1)} nats · β ${sampling.beta.toFixed(2)}`);
    },
  });
  await vae.fit(train.x, train.x, { epochs, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: [new layers.ProgressLogger(), record] });

  const final = measure(options.seed + 1000);
  // Active units (Burda et al. 2016): latent dimensions whose posterior mean varies across the data.
  const [means, meanVariance] = tf.tidy(() => {
    const [mean] = encoder.predict(test.x, PREDICT) as tf.Tensor[];
    return [mean!.arraySync() as number[][], Array.from(tf.moments(mean!, 0).variance.dataSync())];
  });
  const activeUnits = meanVariance.filter((v) => v > 0.01).length;

  const shown = 12;
  const [originals, reconstructions] = tf.tidy(() => {
    const firstDigits = test.x.slice(0, shown);
    return [firstDigits.dataSync() as Float32Array, tf.sigmoid(vae.predict(firstDigits, PREDICT) as tf.Tensor).dataSync() as Float32Array];
  });
  const pairs = new Float32Array(2 * shown * IMAGE_SIZE);
  pairs.set(originals.subarray(0, shown * IMAGE_SIZE), 0);
  pairs.set(reconstructions.subarray(0, shown * IMAGE_SIZE), shown * IMAGE_SIZE);
  const side = 15;
  const manifold = tf.tidy(() => {
    const grid = Array.from({ length: side * side }, (_, k) => [-3 + (6 * (k % side)) / (side - 1), 3 - (6 * Math.floor(k / side)) / (side - 1)]);
    return tf.sigmoid(decoder.predict(tf.tensor2d(grid), PREDICT) as tf.Tensor).dataSync() as Float32Array;
  });

  const plots = [
    {
      file: writeOutput(options.out, 'vae-curves.svg', lineChart({
        title: 'VAE: test-set terms per epoch (nats per image)',
        xLabel: 'epoch',
        yLabel: 'nats per image',
        series: [
          { name: 'reconstruction', values: curves.reconstruction },
          { name: 'KL', values: curves.kl },
          { name: '−ELBO', values: curves.elbo },
        ],
      })),
      caption: 'Reconstruction (Bernoulli NLL of the grey levels), KL to the N(0, I) prior, and their sum, the negative ELBO, on the test set.',
    },
    {
      file: writeOutput(options.out, 'vae-latent.svg', scatterChart({
        title: `Latent means of ${test.count} test digits`,
        xLabel: 'z₁',
        yLabel: 'z₂',
        points: means.map(([x, y], i) => ({ x: x!, y: y!, group: test.labelValues[i]! })),
        groupNames: Array.from({ length: 10 }, (_, k) => `digit ${k}`),
      })),
      caption: 'Each test digit placed at its posterior mean; colours are the true digits, which the VAE never saw.',
    },
    {
      file: writeOutput(options.out, 'vae-reconstructions.png', imageGrid({ images: pairs, count: 2 * shown, columns: shown, scale: 3 })),
      caption: 'Top: test digits. Bottom: their reconstructions through the 2-D latent code.',
    },
    {
      file: writeOutput(options.out, 'vae-manifold.png', imageGrid({ images: manifold, count: side * side, columns: side, scale: 2 })),
      caption: 'The decoded manifold: decoder outputs on a grid of latent points from −3 to 3 in each dimension.',
    },
  ];
  const summary = `vae: test −ELBO ${final.elbo.toFixed(1)} nats per image (reconstruction ${final.reconstruction.toFixed(1)} + KL ${final.kl.toFixed(2)}), ${activeUnits}/${LATENT} active units`;
  const result: ExampleResult = {
    name: 'vae',
    title: 'VAE: the VAESampling layer under model.fit',
    summary,
    figures: {
      'test −ELBO (nats/image)': final.elbo.toFixed(2),
      'test reconstruction (nats/image)': final.reconstruction.toFixed(2),
      'test KL (nats/image)': final.kl.toFixed(3),
      'active latent units': `${activeUnits}/${LATENT}`,
      'training images': train.count,
      epochs,
    },
    plots,
    lossHistory: curves.elbo,
  };
  recordResult(options.out, result);
  [train, test].forEach(disposeSplit);
  vae.dispose();
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runVae(await exampleOptions());
  console.log(result.summary);
}
