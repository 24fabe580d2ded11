/**
 * Contrastive learning on MNIST without labels: an encoder learns from
 * infoNCE that two randomly augmented views of a digit (shifted by up to
 * two pixels, with added noise) belong together and apart from the other
 * digits of the batch (SimCLR's recipe, Chen et al. 2020, on a small MLP;
 * symmetric, so each view also picks out its partner among the other views).
 * The training loop is optimizer.minimize over the encoder's variables.
 * A linear probe (softmax regression trained with sparseSoftmaxCrossEntropy)
 * on the frozen embeddings then shows what the encoder learnt: its test
 * accuracy against the same probe on a randomly initialised encoder.
 *
 *   npx tsx examples/contrastive.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 *
 * Writes the infoNCE loss per epoch and the test embeddings (scaled to unit
 * length) on their first two principal components, coloured by digit (SVG).
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { infoNCE, sparseSoftmaxCrossEntropy } from '../src/index.js';
import { IMAGE_SIZE } from './mnist.js';
import { exampleOptions, isMain, seededInitializer, shuffledIndices, type ExampleOptions } from './lib/cli.js';
import { accuracyOf, disposeSplit, mnistSplits, type Split } from './lib/data.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { lineChart, scatterChart } from './lib/svg.js';

const SIDE = 28;
const HIDDEN = 256;
const EMBEDDING = 64;
const TEMPERATURE = 0.1;
/** Largest shift of a view, in pixels, along each axis. */
const MAX_SHIFT = 2;
/** Standard deviation of the Gaussian noise added to each pixel of a view. */
const NOISE = 0.2;
const PROBE_EPOCHS = 40;
const PROBE_BATCH = 256;

/**
 * x·W as an op whose gradient transposes its operands before multiplying:
 * dx = dy·transpose(W), dW = transpose(x)·dy. These are the products tfjs's
 * own matMul gradient takes, but tfjs 4.22's wasm backend multiplies by a
 * transposed operand (matMul's transposeA/transposeB flags) over ten times
 * slower than it transposes it and multiplies (measured for the first layer's
 * gradient on a batch of 256: 75–86 ms against 5–7 ms); with tf.layers.dense
 * those two products took nearly all of a training step, three times longer.
 */
const product = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [x, w, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor, [savedX, savedW]: tf.Tensor[]) => [tf.matMul(dy, tf.transpose(savedW!)), tf.matMul(tf.transpose(savedX!), dy)],
  };
});

interface Encoder {
  /** The 64-D embeddings `[n, 64]` of images `[n, 784]`. */
  readonly embed: (images: tf.Tensor) => tf.Tensor2D;
  readonly weights: readonly tf.Variable[];
}

/** The encoder 784 → 256 (ReLU) → 64, from seeded Glorot-uniform weights: the 64 outputs are the embedding the probe reads. */
function encoder(seed: number): Encoder {
  const weights = tf.tidy(() => [
    tf.variable(seededInitializer(seed, 1).apply([IMAGE_SIZE, HIDDEN])),
    tf.variable(tf.zeros([HIDDEN])),
    tf.variable(seededInitializer(seed, 2).apply([HIDDEN, EMBEDDING])),
    tf.variable(tf.zeros([EMBEDDING])),
  ]);
  const [w1, b1, w2, b2] = weights as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const embed = (images: tf.Tensor) => tf.tidy(() => tf.add(product(tf.relu(tf.add(product(images, w1), b1)), w2), b2) as tf.Tensor2D);
  return { embed, weights };
}

/**
 * One random view of each image in `images` (row-major 28×28 digits): shifted
 * by whole pixels (the uncovered border is black), plus Gaussian noise,
 * clipped to [0, 1]. The same generator state gives the same views.
 */
export function augmentedViews(images: Float32Array, random: () => number): Float32Array {
  const views = new Float32Array(images.length);
  const shift = () => Math.floor(random() * (2 * MAX_SHIFT + 1)) - MAX_SHIFT;
  for (let start = 0; start < images.length; start += IMAGE_SIZE) {
    const [dx, dy] = [shift(), shift()];
    for (let row = Math.max(0, dy); row < Math.min(SIDE, SIDE + dy); row++) {
      for (let column = Math.max(0, dx); column < Math.min(SIDE, SIDE + dx); column++) {
        views[start + row * SIDE + column] = images[start + (row - dy) * SIDE + column - dx]!;
      }
    }
  }
  // Box–Muller: each pair of uniform draws gives two independent standard normal draws, r·cos θ and r·sin θ.
  for (let i = 0; i < views.length; i += 2) {
    const radius = NOISE * Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    views[i] = Math.min(1, Math.max(0, views[i]! + radius * Math.cos(angle)));
    views[i + 1] = Math.min(1, Math.max(0, views[i + 1]! + radius * Math.sin(angle)));
  }
  return views;
}

/** Trains `model` on infoNCE between two views of each image, in a new seeded order each epoch; returns the mean loss per epoch. */
function trainEncoder(model: Encoder, train: Split, { epochs, batchSize, seed }: { epochs: number; batchSize: number; seed: number }): number[] {
  const images = train.x.dataSync() as Float32Array;
  const random = seedrandom.alea(`views-${seed}`); // alea: about twice as fast as seedrandom's default, for the ~4·10⁵ draws of each step's views
  const optimizer = tf.train.adam(2e-3);
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = shuffledIndices(train.count, seed * 1000 + epoch);
    let total = 0;
    let batches = 0;
    // Full batches only: infoNCE's chance level, log(batch size), stays the same for every step.
    for (let start = 0; start + batchSize <= train.count; start += batchSize) {
      const batch = new Float32Array(batchSize * IMAGE_SIZE);
      for (let i = 0; i < batchSize; i++) {
        const source = order[start + i]! * IMAGE_SIZE;
        batch.set(images.subarray(source, source + IMAGE_SIZE), i * IMAGE_SIZE);
      }
      const [first, second] = [augmentedViews(batch, random), augmentedViews(batch, random)].map((v) => tf.tensor2d(v, [batchSize, IMAGE_SIZE]));
      const loss = optimizer.minimize(
        () => infoNCE(model.embed(first!), model.embed(second!), { temperature: TEMPERATURE, symmetric: true }) as tf.Scalar,
        true,
      ) as tf.Scalar;
      total += loss.dataSync()[0]!;
      batches++;
      tf.dispose([first, second, loss]);
    }
    losses.push(total / batches);
    console.log(`  epoch ${epoch + 1}/${epochs} · infoNCE ${losses.at(-1)!.toFixed(4)} (chance ${Math.log(batchSize).toFixed(4)})`);
  }
  optimizer.dispose();
  return losses;
}

/** The embeddings of the training and test images, each feature standardised with the training set's mean and spread. */
function standardisedEmbeddings(model: Encoder, train: Split, test: Split): [tf.Tensor2D, tf.Tensor2D] {
  return tf.tidy(() => {
    const [trainEmbedding, testEmbedding] = [train, test].map((s) => model.embed(s.x));
    const { mean, variance } = tf.moments(trainEmbedding!, 0);
    const spread = tf.sqrt(tf.add(variance, 1e-6));
    return [tf.div(tf.sub(trainEmbedding!, mean), spread), tf.div(tf.sub(testEmbedding!, mean), spread)];
  });
}

/**
 * The linear probe: softmax regression from the frozen embeddings to the
 * digit, trained with sparseSoftmaxCrossEntropy on the training labels;
 * returns its accuracy on the test images.
 */
function probeAccuracy(model: Encoder, train: Split, test: Split, seed: number): number {
  const [trainEmbedding, testEmbedding] = standardisedEmbeddings(model, train, test);
  const labels = tf.tensor1d(train.labelValues, 'int32');
  const probe = tf.sequential({ layers: [tf.layers.dense({ inputShape: [EMBEDDING], units: 10, kernelInitializer: seededInitializer(seed, 3) })] });
  const optimizer = tf.train.adam(1e-2);
  for (let epoch = 0; epoch < PROBE_EPOCHS; epoch++) {
    for (let start = 0; start < train.count; start += PROBE_BATCH) {
      const size = Math.min(PROBE_BATCH, train.count - start);
      tf.tidy(() => {
        const x = trainEmbedding.slice(start, size);
        const y = labels.slice(start, size);
        optimizer.minimize(() => sparseSoftmaxCrossEntropy(y, probe.apply(x) as tf.Tensor) as tf.Scalar);
      });
    }
  }
  const logits = probe.apply(testEmbedding) as tf.Tensor;
  const { accuracy } = accuracyOf(logits, test.labelValues);
  tf.dispose([trainEmbedding, testEmbedding, labels, logits]);
  probe.dispose();
  optimizer.dispose();
  return accuracy;
}

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, j) => sum + value * b[j]!, 0);

/** Unit vector of the largest eigenvalue of the symmetric matrix `m`, by power iteration (from a fixed start: no randomness). */
function leadingEigenvector(m: readonly number[][]): number[] {
  let v = m.map((_, i) => 1 + i / m.length);
  for (let step = 0; step < 200; step++) {
    const next = m.map((row) => dot(row, v));
    const length = Math.hypot(...next) || 1;
    v = next.map((value) => value / length);
  }
  return v;
}

/** Each row of `x` `[n, d]` projected on the first two principal components of the rows. */
function principalPlane(x: tf.Tensor2D): Array<[number, number]> {
  const [centred, covariance] = tf.tidy(() => {
    const c = tf.sub(x, tf.mean(x, 0)) as tf.Tensor2D;
    return [c.arraySync(), tf.div(tf.matMul(c, c, true), x.shape[0]).arraySync() as number[][]];
  });
  const first = leadingEigenvector(covariance);
  const firstVariance = dot(first, covariance.map((row) => dot(row, first)));
  // Deflation: without the first component's variance, the leading eigenvector is the second.
  const second = leadingEigenvector(covariance.map((row, i) => row.map((value, j) => value - firstVariance * first[i]! * first[j]!)));
  return centred.map((row) => [dot(row, first), dot(row, second)]);
}

export async function runContrastive(options: ExampleOptions): Promise<ExampleResult> {
  const epochs = options.epochs ?? (options.quick ? 2 : 5);
  const samples = options.samples ?? (options.quick ? 160 : 20000);
  // Each digit's negatives are the other digits of its batch; --quick takes fewer, to stay within seconds on cpu.
  const batchSize = options.quick ? 64 : 256;
  const chance = Math.log(batchSize); // infoNCE when the embeddings cannot tell the views apart
  const { train, validation, test } = mnistSplits(samples, options.quick ? 250 : 10000, options.seed);
  disposeSplit(validation);

  console.log(`encoder (784-${HIDDEN}-${EMBEDDING}) on two views of ${train.count} digits, no labels: infoNCE at T = ${TEMPERATURE}, batches of ${batchSize}`);
  const trained = encoder(options.seed);
  const lossHistory = trainEncoder(trained, train, { epochs, batchSize, seed: options.seed });
  // The baseline: the same encoder as it started, from the same seeded weights, never trained.
  const untrained = encoder(options.seed);
  const accuracy = probeAccuracy(trained, train, test, options.seed);
  const randomAccuracy = probeAccuracy(untrained, train, test, options.seed);
  console.log(`  linear probe test accuracy: infoNCE encoder ${accuracy.toFixed(4)} · random encoder ${randomAccuracy.toFixed(4)}`);

  // The embeddings scaled to unit length, as infoNCE compares them (cosine similarity), then flattened to 2-D.
  const plane = tf.tidy(() => {
    const embeddings = trained.embed(test.x);
    return principalPlane(tf.div(embeddings, tf.norm(embeddings, 'euclidean', -1, true)) as tf.Tensor2D);
  });
  const plots = [
    {
      file: writeOutput(options.out, 'contrastive-loss.svg', lineChart({
        title: 'Contrastive: infoNCE per epoch',
        xLabel: 'epoch',
        yLabel: 'infoNCE (nats)',
        series: [{ name: `training (chance ${chance.toFixed(2)})`, values: lossHistory }],
      })),
      caption: `Mean symmetric infoNCE (T = ${TEMPERATURE}) between two augmented views of each digit, ${batchSize} digits a batch; log ${batchSize} = ${chance.toFixed(2)} nats is chance.`,
    },
    {
      file: writeOutput(options.out, 'contrastive-embeddings.svg', scatterChart({
        title: `Unit-length embeddings of ${test.count} test digits, first two principal components`,
        xLabel: 'principal component 1',
        yLabel: 'principal component 2',
        points: plane.map(([x, y], i) => ({ x, y, group: test.labelValues[i]! })),
        groupNames: Array.from({ length: 10 }, (_, k) => `digit ${k}`),
      })),
      caption:
        `The infoNCE encoder's ${EMBEDDING}-D embeddings, scaled to unit length, on their two directions of largest variance; colours are the digits, which the encoder never saw. ` +
        `A few digits sit apart at the rim, most overlap: infoNCE spreads the embeddings over all ${EMBEDDING} dimensions, where the linear probe separates them far better than any 2-D view shows.`,
    },
  ];
  const summary = `contrastive: linear probe test accuracy ${accuracy.toFixed(3)} on the infoNCE encoder, ${randomAccuracy.toFixed(3)} on a random encoder (${test.count} images)`;
  const result: ExampleResult = {
    name: 'contrastive',
    title: 'Contrastive: infoNCE on augmented views, then a linear probe',
    summary,
    figures: {
      'probe test accuracy, infoNCE encoder': accuracy.toFixed(4),
      'probe test accuracy, random encoder': randomAccuracy.toFixed(4),
      'final infoNCE (nats)': lossHistory.at(-1)!.toFixed(4),
      'chance level log N (nats)': chance.toFixed(4),
      temperature: TEMPERATURE,
      'training images (no labels for the encoder)': train.count,
      epochs,
    },
    plots,
    lossHistory,
  };
  recordResult(options.out, result);
  [train, test].forEach(disposeSplit);
  tf.dispose([...trained.weights, ...untrained.weights]);
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runContrastive(await exampleOptions());
  console.log(result.summary);
}
