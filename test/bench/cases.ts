/**
 * What `npm run bench` measures, on whatever backend is selected (in Node,
 * and bundled into a page for webgl): each loss forward and backward through
 * `tf.grads`, ours with the fused kernels and with them off, against tfjs's
 * own `tf.losses`, the tfjs-layers losses (of probabilities, as `model.compile`
 * resolves their names)
 * and the textbook composite of tfjs ops; median time, kernels run and peak
 * memory from `tf.profile`.
 */
import * as tf from '@tensorflow/tfjs';
import * as entropy from '../../src/index.js';

/** A contender: a scalar loss of the inputs. */
type Loss = (inputs: tf.Tensor[]) => tf.Tensor;

export interface LossBench {
  readonly loss: string;
  /** The inputs at `[rows, classes]`, from a seeded generator. */
  readonly inputs: (rows: number, classes: number, random: () => number) => tf.Tensor[];
  /** The inputs differentiated: the model's outputs. */
  readonly differentiated: readonly number[];
  readonly ours: Loss;
  /** tfjs's equivalents, closest first: the first is the goal's reference. */
  readonly theirs: ReadonlyArray<readonly [string, Loss]>;
}

const matrix = (rows: number, classes: number, f: () => number) => tf.tensor2d(Float32Array.from({ length: rows * classes }, f), [rows, classes]);
const logits = (rows: number, classes: number, random: () => number) => matrix(rows, classes, () => 6 * random() - 3);
const classes = (rows: number, count: number, random: () => number) => tf.tensor1d(Int32Array.from({ length: rows }, () => Math.floor(random() * count)), 'int32');
const distribution = (rows: number, count: number, random: () => number) => tf.tidy(() => tf.softmax(logits(rows, count, random)));
const mean = (x: tf.Tensor) => tf.mean(x);

/**
 * A tfjs-layers loss as `model.compile` resolves its string name (most are
 * not exported; a compiled model holds the function).
 */
function layersLoss(name: string): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor {
  const input = tf.input({ shape: [1] });
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 1 }).apply(input) as tf.SymbolicTensor });
  model.compile({ optimizer: 'sgd', loss: name });
  const [loss] = (model as unknown as { lossFunctions: Array<(yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor> }).lossFunctions;
  model.dispose();
  return loss!;
}

export const LOSSES: readonly LossBench[] = [
  {
    loss: 'softmaxCrossEntropy',
    inputs: (rows, count, random) => [tf.tidy(() => tf.oneHot(classes(rows, count, random), count).toFloat()), logits(rows, count, random)],
    differentiated: [1],
    ours: ([y, z]) => entropy.softmaxCrossEntropy(y!, z!),
    theirs: [
      ['tf.losses', ([y, z]) => tf.losses.softmaxCrossEntropy(y!, z!)],
      ['tfjs-layers', ([y, z]) => mean(layersLoss('categoricalCrossentropy')(y!, tf.softmax(z!)))],
      ['textbook', ([y, z]) => mean(tf.neg(tf.sum(tf.mul(y!, tf.logSoftmax(z!)), -1)))],
    ],
  },
  {
    loss: 'sparseSoftmaxCrossEntropy',
    inputs: (rows, count, random) => [classes(rows, count, random), logits(rows, count, random)],
    differentiated: [1],
    ours: ([y, z]) => entropy.sparseSoftmaxCrossEntropy(y!, z!),
    theirs: [
      ['tf.losses (one-hot)', ([y, z]) => tf.losses.softmaxCrossEntropy(tf.oneHot(y!, z!.shape[1]!), z!)],
      ['tfjs-layers', ([y, z]) => mean(layersLoss('sparseCategoricalCrossentropy')(y!.toFloat(), tf.softmax(z!)))],
      ['textbook', ([y, z]) => mean(tf.neg(tf.sum(tf.mul(tf.oneHot(y!, z!.shape[1]!), tf.logSoftmax(z!)), -1)))],
    ],
  },
  {
    loss: 'sigmoidCrossEntropy',
    inputs: (rows, count, random) => [matrix(rows, count, () => (random() < 0.5 ? 0 : 1)), logits(rows, count, random)],
    differentiated: [1],
    ours: ([y, z]) => entropy.sigmoidCrossEntropy(y!, z!),
    theirs: [
      ['tf.losses', ([y, z]) => tf.losses.sigmoidCrossEntropy(y!, z!)],
      ['tfjs-layers', ([y, z]) => mean(layersLoss('binaryCrossentropy')(y!, tf.sigmoid(z!)))],
      ['textbook', ([y, z]) => mean(tf.add(tf.sub(tf.relu(z!), tf.mul(z!, y!)), tf.log1p(tf.exp(tf.neg(tf.abs(z!))))))],
    ],
  },
  {
    loss: 'categoricalKL',
    inputs: (rows, count, random) => [logits(rows, count, random), logits(rows, count, random)],
    differentiated: [1],
    ours: ([p, q]) => entropy.categoricalKL(p!, q!),
    theirs: [
      ['tfjs-layers', ([p, q]) => mean(layersLoss('kullbackLeiblerDivergence')(tf.softmax(p!), tf.softmax(q!)))],
      ['textbook', ([p, q]) => mean(tf.sum(tf.mul(tf.softmax(p!), tf.sub(tf.logSoftmax(p!), tf.logSoftmax(q!))), -1))],
    ],
  },
  {
    loss: 'klDivergence',
    inputs: (rows, count, random) => [distribution(rows, count, random), distribution(rows, count, random)],
    differentiated: [1],
    ours: ([p, q]) => mean(entropy.klDivergence(p!, q!)),
    theirs: [
      ['tfjs-layers', ([p, q]) => mean(layersLoss('kullbackLeiblerDivergence')(p!, q!))],
      ['textbook', ([p, q]) => mean(tf.sum(tf.mul(p!, tf.sub(tf.log(p!), tf.log(q!))), -1))],
    ],
  },
  {
    loss: 'entropy',
    inputs: (rows, count, random) => [distribution(rows, count, random)],
    differentiated: [0],
    ours: ([p]) => mean(entropy.entropy(p!)),
    theirs: [['textbook', ([p]) => mean(tf.neg(tf.sum(tf.mul(p!, tf.log(p!)), -1)))]],
  },
  {
    loss: 'gaussianKL',
    inputs: (rows, count, random) => [logits(rows, count, random), logits(rows, count, random)],
    differentiated: [0, 1],
    ours: ([m, v]) => entropy.gaussianKL(m!, v!),
    theirs: [['textbook', ([m, v]) => mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, v!), tf.square(m!)), tf.exp(v!)), -1)))]],
  },
];

export const SHAPES: ReadonlyArray<readonly [number, number]> = [
  [256, 1000],
  [4096, 10],
  [64, 32000],
];

/** One contender's measurement: median milliseconds, kernels run, peak memory in units of rows·classes·4 bytes. */
export interface Measurement {
  readonly ms: number;
  readonly kernels: number;
  readonly peak: number;
}

/** A small seeded generator (mulberry32), the same in Node and in the page. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Times `loss` forward and backward (the gradients read back, so the
 * backend has finished): `runs` runs after two warm-ups, the median; then
 * one run under tf.profile.
 */
export async function measure(loss: Loss, inputs: tf.Tensor[], differentiated: readonly number[], runs: number): Promise<Measurement> {
  const step = () =>
    tf.tidy(() => {
      const f = (...xs: tf.Tensor[]) => loss(inputs.map((x, i) => (differentiated.includes(i) ? xs[differentiated.indexOf(i)]! : x)));
      const { value, grads } = tf.valueAndGrads(f)(differentiated.map((i) => inputs[i]!));
      return [value, ...grads];
    });
  const once = async () => {
    const start = performance.now();
    const outputs = step();
    await Promise.all(outputs.map((t) => t.data()));
    tf.dispose(outputs);
    return performance.now() - start;
  };
  for (let i = 0; i < 2; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const profile = await tf.profile(() => step());
  tf.dispose(profile.result as tf.Tensor[]);
  const unit = inputs[inputs.length - 1]!.size * 4;
  return { ms: times[Math.floor(runs / 2)]!, kernels: profile.kernels.length, peak: profile.peakBytes / unit };
}

/** Every contender of one loss at one shape on the current backend, ours first (fused, then composite). */
export async function benchLoss(bench: LossBench, [rows, count]: readonly [number, number], runs: number): Promise<Array<readonly [string, Measurement]>> {
  const inputs = bench.inputs(rows, count, seeded(rows * 31 + count));
  const results: Array<readonly [string, Measurement]> = [];
  try {
    for (const fused of [true, false]) {
      tf.env().set(entropy.FUSED_KERNELS_FLAG, fused);
      results.push([fused ? 'ours (fused)' : 'ours (composite)', await measure(bench.ours, inputs, bench.differentiated, runs)]);
    }
    tf.env().set(entropy.FUSED_KERNELS_FLAG, true);
    for (const [name, loss] of bench.theirs) results.push([name, await measure(loss, inputs, bench.differentiated, runs)]);
  } finally {
    tf.dispose(inputs);
  }
  return results;
}
