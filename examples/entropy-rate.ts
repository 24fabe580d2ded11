/**
 * Entropy as a rate: text drawn from a Markov source over 2048 symbols whose
 * entropy rate H is known exactly (lib/markov.ts: H = −Σ_i π_i Σ_j P_ij log2 P_ij,
 * π the stationary distribution), and a small model of the next symbol
 * given the previous one trained on it in an optimizer.minimize loop: an
 * embedding of the previous symbol is the `hidden` input of
 * linearCrossEntropy over the 2048 classes, which never holds the [N, V]
 * logits. Its cross-entropy H(p, q) falls towards H and can never go below
 * it: H(p, q) = H(p) + D_KL(p ‖ q), the gap being the KL divergence per
 * symbol between the source's next-symbol distributions and the model's.
 *
 *   npx tsx examples/entropy-rate.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 *
 * The text is endless, so nothing is read twice: --samples is the number of
 * symbols the model reads in training, --epochs the number of times its
 * cross-entropy is computed along the way (after each 1/N of the text).
 */
import * as tf from '@tensorflow/tfjs';
import { linearCrossEntropy } from '../src/index.js';
import { exampleOptions, isMain, seededInitializer, type ExampleOptions } from './lib/cli.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { entropyRate, expectedCrossEntropy, groupedSource, stationaryDistribution, textReader, type MarkovSource } from './lib/markov.js';
import { lineChart } from './lib/svg.js';

/**
 * The source (lib/markov.ts, groupedSource): V symbols in groups; each symbol
 * is followed by a symbol of one of its own successor groups.
 */
const SOURCE = {
  default: { symbols: 2048, groupSize: 64, successorGroups: 2 },
  quick: { symbols: 128, groupSize: 8, successorGroups: 2 },
};
/** The width of each symbol's embedding: the model's hidden vector. */
const EMBEDDING = 128;
/** Symbols of text per optimizer step, symbols read in training, and measurements of the cross-entropy. */
const BATCH = { default: 256, quick: 128 };
const SAMPLES = { default: 1000 * 256, quick: 40 * 128 };
const EPOCHS = { default: 10, quick: 4 };
const LEARNING_RATE = 0.01;
/** The learning rate falls to LEARNING_RATE × FINAL_FACTOR over the second half of training. */
const FINAL_FACTOR = 0.1;
/** Symbols of fresh text on which the final model's cross-entropy is also measured, a check on the exact value. */
const HELD_OUT = { default: 20_000, quick: 5000 };
const LOG2_E = Math.LOG2E;

/** Adam whose learning rate can change between steps. */
class DecayingAdam extends tf.AdamOptimizer {
  constructor() {
    super(LEARNING_RATE, 0.9, 0.999);
  }

  /**
   * Constant for the first half of training, then falling exponentially to
   * FINAL_FACTOR of it: by then the noise of the steps, not the model, is
   * what keeps the cross-entropy above the entropy rate.
   */
  schedule(progress: number): void {
    this.learningRate = LEARNING_RATE * FINAL_FACTOR ** Math.max(0, 2 * progress - 1);
  }
}

/** logits(previous symbol i) = E_i·W + b: a log-bilinear bigram model (Mnih & Hinton 2007). */
interface Model {
  /** E, [V, EMBEDDING]: the hidden vector after each symbol. */
  readonly embedding: tf.Variable;
  /** W, [EMBEDDING, V], and b, [V]: the output layer. */
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
}

function buildModel(symbols: number, seed: number): Model {
  // tidy disposes the initial values; each variable keeps its own reference to the data.
  return tf.tidy(() => ({
    embedding: tf.variable(seededInitializer(seed, 1).apply([symbols, EMBEDDING])),
    weight: tf.variable(seededInitializer(seed, 2).apply([EMBEDDING, symbols])),
    bias: tf.variable(tf.zeros([symbols])),
  }));
}

/**
 * The rows of `table` at `indices`. tf.gather's gradient needs the
 * UnsortedSegmentSum kernel, which tfjs-backend-wasm 4.22 lacks; scatterND
 * sums the gradient rows of repeated indices the same way.
 */
export const embed = tf.customGrad((table, indices, save) => {
  const [t, i] = [table as tf.Tensor2D, indices as tf.Tensor1D];
  (save as tf.GradSaveFunc)([i]);
  return {
    value: tf.gather(t, i),
    gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) => [tf.scatterND(tf.expandDims(saved!, 1), dy, t.shape), tf.zerosLike(saved!)],
  };
}) as (table: tf.Tensor, indices: tf.Tensor1D) => tf.Tensor2D;

/** The mean loss in nats of predicting each symbol of `text` from the one before it. */
function loss(model: Model, text: Int32Array): tf.Scalar {
  return tf.tidy(() => {
    const previous = tf.tensor1d(text.subarray(0, -1), 'int32');
    const next = tf.tensor1d(text.subarray(1), 'int32');
    return linearCrossEntropy(embed(model.embedding, previous), model.weight, next, { bias: model.bias }) as tf.Scalar;
  });
}

/** The model's mean loss in bits per symbol on `text` it has never read: an estimate of H(p, q), with sampling error. */
function sampledCrossEntropy(model: Model, text: Int32Array): number {
  const value = loss(model, text);
  const bits = value.dataSync()[0]! * LOG2_E;
  value.dispose();
  return bits;
}

/** Rows of the model's conditional distributions computed at a time: [ROWS, V] log-probabilities. */
const ROWS = 256;

/**
 * The model's exact cross-entropy on the source, −Σ_i π_i Σ_j P_ij log2 q(j | i)
 * in bits per symbol, from its full conditional distribution after every symbol.
 */
function exactCrossEntropy(model: Model, source: MarkovSource, pi: Float64Array): number {
  const symbols = source.rows.length;
  const log2q: Float64Array[] = [];
  for (let start = 0; start < symbols; start += ROWS) {
    const rows = Math.min(ROWS, symbols - start);
    const logProbabilities = tf.tidy(() => {
      const hidden = embed(model.embedding, tf.range(start, start + rows, 1, 'int32') as tf.Tensor1D);
      return tf.logSoftmax(tf.add(tf.matMul(hidden, model.weight), model.bias));
    });
    // Read outside tf.tidy: tidy walks a returned typed array element by element (seconds for a million).
    const values = logProbabilities.dataSync();
    logProbabilities.dispose();
    for (let r = 0; r < rows; r++) {
      const { successors } = source.rows[start + r]!;
      log2q.push(Float64Array.from(successors, (j) => values[r * symbols + j]! * LOG2_E));
    }
  }
  return expectedCrossEntropy(source, pi, (i) => log2q[i]!);
}

export async function runEntropyRate(options: ExampleOptions): Promise<ExampleResult> {
  const size = options.quick ? 'quick' : 'default';
  const shape = SOURCE[size];
  const { symbols } = shape;
  const successors = shape.groupSize * shape.successorGroups;
  const [batch, heldOut] = [BATCH[size], HELD_OUT[size]];
  const epochs = options.epochs ?? EPOCHS[size];
  const stepsPerEpoch = Math.max(1, Math.round((options.samples ?? SAMPLES[size]) / batch / epochs));

  const source = groupedSource({ ...shape, seed: `source-${options.seed}` });
  const pi = stationaryDistribution(source);
  const rate = entropyRate(source, pi);
  console.log(`source: ${symbols} symbols, ${successors} successors each; entropy rate ${rate.toFixed(4)} bits/symbol (log2 V = ${Math.log2(symbols)})`);

  const model = buildModel(symbols, options.seed);
  const optimizer = new DecayingAdam();
  const text = textReader(source, pi, `text-${options.seed}`);
  const crossEntropies = [exactCrossEntropy(model, source, pi)];
  const losses: number[] = [];
  console.log(`model: ${EMBEDDING}-wide embeddings, ${epochs} × ${stepsPerEpoch} steps of ${batch} symbols; cross-entropy at the start ${crossEntropies[0]!.toFixed(4)} bits/symbol`);
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      // batch + 1 symbols make batch (previous, next) pairs; the next passage starts where this one ended.
      const passage = text.next(batch + 1);
      optimizer.schedule((epoch * stepsPerEpoch + step) / (epochs * stepsPerEpoch));
      const value = optimizer.minimize(() => loss(model, passage), true) as tf.Scalar;
      total += value.dataSync()[0]! * LOG2_E;
      value.dispose();
    }
    losses.push(total / stepsPerEpoch);
    crossEntropies.push(exactCrossEntropy(model, source, pi));
    console.log(`epoch ${epoch + 1}/${epochs} · training loss ${losses.at(-1)!.toFixed(4)} · cross-entropy ${crossEntropies.at(-1)!.toFixed(4)} bits/symbol, gap ${(crossEntropies.at(-1)! - rate).toFixed(4)}`);
  }
  const final = crossEntropies.at(-1)!;
  const sampled = sampledCrossEntropy(model, text.next(heldOut + 1));
  console.log(`cross-entropy on ${heldOut} symbols of fresh text: ${sampled.toFixed(4)} bits/symbol (exactly: ${final.toFixed(4)})`);
  optimizer.dispose();
  Object.values(model).forEach((v: tf.Variable) => v.dispose());

  const symbolsRead = (epoch: number) => epoch * stepsPerEpoch * batch;
  const plots = [
    {
      file: writeOutput(options.out, 'entropy-rate.svg', lineChart({
        title: 'Cross-entropy falling towards the entropy rate',
        xLabel: `measurement (1: before training, then after every ${symbolsRead(1)} symbols of text)`,
        yLabel: 'bits per symbol',
        series: [
          { name: 'model: H(p, q)', values: crossEntropies },
          { name: 'source: entropy rate H(p)', values: crossEntropies.map(() => rate) },
        ],
      })),
      caption:
        `The model's cross-entropy H(p, q) = −Σ_i π_i Σ_j P_ij log2 q(j | i), computed exactly from its next-symbol distribution after each of the ${symbols} symbols ` +
        `weighted by the stationary distribution π (not estimated from samples), against the source's entropy rate H(p) = ${rate.toFixed(3)} bits; ` +
        `the gap is D_KL(p ‖ q) per symbol. A uniform guess scores log2 V = ${Math.log2(symbols)} bits.`,
    },
  ];
  const summary = `entropy-rate: cross-entropy ${final.toFixed(2)} bits/symbol against the source's entropy rate ${rate.toFixed(2)}, gap (KL) ${(final - rate).toFixed(2)}`;
  const result: ExampleResult = {
    name: 'entropy-rate',
    title: 'Entropy as a rate: linearCrossEntropy on a Markov source',
    summary,
    figures: {
      'vocabulary V': symbols,
      'successors per symbol': successors,
      'entropy rate H(p), bits/symbol': rate.toFixed(4),
      'log2 V, bits': Math.log2(symbols),
      'model cross-entropy H(p, q), bits/symbol': final.toFixed(4),
      'gap D_KL(p ‖ q), bits/symbol': (final - rate).toFixed(4),
      'cross-entropy on fresh text, bits/symbol': sampled.toFixed(4),
      'fresh text for that, symbols': heldOut,
      'training symbols': symbolsRead(epochs),
    },
    plots,
    lossHistory: losses,
  };
  recordResult(options.out, result);
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runEntropyRate(await exampleOptions());
  console.log(result.summary);
}
