/**
 * Runs in the test pages (bundled by test/browser/support/page.ts, after
 * tfjs's tf.min.js and the script-tag build): the registry of public
 * functions, the README's edge cases and the numeric primitives, evaluated on
 * whichever backend the page has selected, as plain numbers the Node side
 * compares, with the tensors each call left behind.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import * as entropy from '../../src/index.js';
import { expm1, log, log1p } from '../../src/machinery/numerics.js';
import { inputShape, publicCases, toInputs, valueAndGradients } from '../support/public-functions.js';
import { hessianVectorProduct, optionsAt, reductionsOf, scalarCase } from '../support/second-order.js';
import { k3Inputs, primitiveInputs } from './support/inputs.js';

/** Numbers as JSON carries them: NaN and ±Infinity as strings. */
export type Encoded = Array<number | 'NaN' | 'Infinity' | '-Infinity'>;
const encode = (values: ArrayLike<number>): Encoded => Array.from(values, (v) => (Number.isFinite(v) ? v : (String(v) as 'NaN')));

/** A call's numbers, how many float32 terms each was summed from at most, and the tensors it left (outside any tidy scope). */
export interface Result {
  readonly numbers: Encoded;
  readonly terms: number;
  readonly leaked: number;
}

/** The backends a page can select, with the flags that make webgl run its shaders on small tensors too. */
async function useBackend(name: 'cpu' | 'webgl' | 'wasm', flags: Record<string, boolean> = {}): Promise<string> {
  if (name === 'wasm') (tf as unknown as { wasm: { setWasmPaths(prefix: string): void } }).wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(name))) throw new Error(`could not start the tfjs '${name}' backend`);
  // The fused kernels are on unless the flags say otherwise.
  for (const [flag, value] of Object.entries({ [entropy.FUSED_KERNELS_FLAG]: true, ...flags })) tf.env().set(flag, value);
  return tf.getBackend();
}

/** The value and gradients of `compute`, read and disposed, and the tensors it left. */
function measured(compute: () => { value: tf.Tensor; gradients: tf.Tensor[] }, terms: number): Result {
  const before = tf.memory().numTensors;
  const { value, gradients } = compute();
  const numbers = encode([...value.dataSync(), ...gradients.flatMap((g) => Array.from(g.dataSync()))]);
  tf.dispose([value, ...gradients]);
  return { numbers, terms, leaked: tf.memory().numTensors - before };
}

/** Value and gradients of a registry case at `[batch, classes]`, its inputs seeded by its title. */
function evaluateCase(title: string, batch: number, classes: number): Result {
  const c = publicCases.find((candidate) => candidate.title === title);
  if (c === undefined) throw new Error(`no public function titled ${title}`);
  const raw = c.inputs(batch, classes, seedrandom(title));
  const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [batch, classes])));
  const result = measured(() => valueAndGradients(c, inputs, c.fixedOptions), batch * classes);
  tf.dispose(inputs);
  return result;
}

/** The Hessian-vector product (double backward) of a registry case at `[batch, classes]` and its default reduction, and the tensors it left. */
function secondOrder(title: string, batch: number, classes: number): Result {
  const c = publicCases.find((candidate) => candidate.title === title)!;
  const { f, xs, v, dispose } = scalarCase(c, optionsAt(c, reductionsOf(c).at(-1)), batch, classes);
  const before = tf.memory().numTensors;
  const numbers = encode(hessianVectorProduct(f, xs, v).flat());
  const leaked = tf.memory().numTensors - before;
  dispose();
  return { numbers, terms: batch * classes, leaked };
}

/** The kernels tfjs runs for the value and gradients of a registry case at `[batch, classes]`. */
async function kernelNames(title: string, batch: number, classes: number): Promise<string[]> {
  const c = publicCases.find((candidate) => candidate.title === title)!;
  const raw = c.inputs(batch, classes, seedrandom(title));
  const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [batch, classes])));
  const profile = await tf.profile(() => tf.tidy(() => valueAndGradients(c, inputs, c.fixedOptions).gradients));
  tf.dispose(inputs);
  return profile.kernels.map((k) => k.name);
}

/** `rows` repeated until there are at least 128 entries, so that webgl runs its shaders with its default flags too. */
const tiled = (rows: number[][]): number[][] => Array.from({ length: Math.ceil(128 / (rows.length * rows[0]!.length)) }, () => rows).flat();

/** Value and the gradients of `f` with respect to every input (rows of numbers, tiled), and the tensors it left. */
function edgeCaseOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: number[][][]): Result {
  const xs = inputs.map((x) => tf.tensor2d(tiled(x)));
  const result = measured(() => {
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return { value, gradients: grads };
  }, xs[0]!.size);
  tf.dispose(xs);
  return result;
}

/**
 * The README's edge cases, each a value with its gradients: p > 0 against
 * q = 0 (+Infinity), zeros on both sides (0·log 0 = 0), −Infinity logits (a
 * masked class), extreme finite logits, a KL near 0, and k3 near equal
 * log-densities; each at least 128 entries.
 */
const EDGE_CASES: Record<string, () => Result> = {
  'crossEntropy, q = 0 under p > 0, zeros in both': () =>
    edgeCaseOf((p, q) => entropy.crossEntropy(p!, q!), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]]]),
  'klDivergence, q = 0 under p > 0, zeros in both': () =>
    edgeCaseOf((p, q) => entropy.klDivergence(p!, q!), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]]]),
  'jsDivergence and entropy with zeros': () =>
    edgeCaseOf((p, q) => tf.add(entropy.jsDivergence(p!, q!), entropy.entropy(p!)), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 0.5, 0.5]]]),
  'softmaxCrossEntropy, a −Infinity logit without label mass': () =>
    edgeCaseOf((y, z) => entropy.softmaxCrossEntropy(y!, z!, { reduction: 'none' }), [[[0, 1, 0], [0.5, 0.5, 0]], [[-Infinity, 1, 0], [1, 2, -Infinity]]]),
  'sparseSoftmaxCrossEntropy, logits ±1e4': () =>
    edgeCaseOf((z) => entropy.sparseSoftmaxCrossEntropy(tf.tensor1d(Array.from({ length: z!.shape[0]! }, (_, i) => 2 * (1 - (i % 2))), 'int32'), z!, { reduction: 'none' }), [[[1e4, 0, -1e4], [-1e4, 0, 1e4]]]),
  'sigmoidCrossEntropy and focal losses, logits ±1e4 and ±20': () =>
    edgeCaseOf(
      (y, z) => tf.add(entropy.sigmoidCrossEntropy(y!, z!), tf.add(entropy.sigmoidFocalLoss(y!, z!, { gamma: 0.5 }), entropy.softmaxFocalLoss(y!, z!))),
      [[[1, 0, 1, 0], [0, 1, 0, 1]], [[1e4, -1e4, 20, -20], [-20, 20, -1e4, 1e4]]],
    ),
  'softmax cross-entropy over three chunks of classes: a chunk of −Infinity, a NaN, ±Infinity rows': () => {
    // 70 classes: webgl's reductions run over chunks of 32, then over the chunks.
    const row = (f: (k: number) => number) => Array.from({ length: 70 }, (_, k) => f(k));
    const logits = [
      row((k) => (k >= 32 && k < 64 ? -Infinity : Math.sin(k))),
      row((k) => (k === 40 ? NaN : Math.cos(k))),
      row(() => -Infinity),
      row((k) => (k === 65 ? Infinity : k / 70)),
    ];
    const labels = [row((k) => (k === 5 ? 1 : 0)), row((k) => (k === 5 ? 0.5 : k === 66 ? 0.5 : 0)), row((k) => (k === 0 ? 1 : 0)), row((k) => (k === 1 ? 1 : 0))];
    const classes = (rows: number) => tf.tensor1d(Array.from({ length: rows }, (_, i) => [5, 5, 0, 1][i % 4]!), 'int32');
    return edgeCaseOf((y, z) => tf.add(entropy.softmaxCrossEntropy(y!, z!, { reduction: 'none' }), entropy.sparseSoftmaxCrossEntropy(classes(z!.shape[0]!), z!, { reduction: 'none' })), [labels, logits]);
  },
  'sigmoidCrossEntropy, gaussianKL and klDivergence with NaN and ±Infinity entries': () =>
    edgeCaseOf(
      (a, b) => tf.add(tf.add(tf.sum(entropy.sigmoidCrossEntropy(tf.clipByValue(a!, 0, 1), b!, { reduction: 'none' }), -1), entropy.gaussianKL(a!, b!, { reduction: 'none' })), entropy.klDivergence(tf.abs(a!), tf.softmax(b!))),
      [[[0.2, NaN, 1, 0], [0.5, 0.25, 0, 1]], [[1, 2, Infinity, -Infinity], [NaN, -1, 3, 0.5]]],
    ),
  'categoricalKL, a −Infinity p logit and logits ±1e3': () =>
    edgeCaseOf((p, q) => entropy.categoricalKL(p!, q!, { reduction: 'none' }), [[[-Infinity, 1, 0], [1e3, 0, -1e3]], [[0, 0, 0], [0, 1e3, 0]]]),
  'categoricalEntropy, −Infinity logits (masked classes, a single finite one), logits ±1e4, NaN and +Infinity': () =>
    edgeCaseOf(
      (z) => entropy.categoricalEntropy(z!, { temperature: 0.5, reduction: 'none' }),
      [[[-Infinity, 1, 0], [5, -Infinity, -Infinity], [1e4, 0, -1e4], [1e4, 1e4, -1e4], [NaN, 0, 1], [Infinity, 0, 1]]],
    ),
  'gaussianKL near 0 (mean 1e-4, logVar 1e-4)': () =>
    edgeCaseOf((m, v) => entropy.gaussianKL(m!, v!, { reduction: 'none' }), [Array.from({ length: 16 }, () => Array(16).fill(1e-4)), Array.from({ length: 16 }, () => Array(16).fill(1e-4))]),
  'monteCarloKL k3 near equal log-densities': () => edgeCaseOf((p, q) => entropy.monteCarloKL(p!, q!, { estimator: 'k3', reduction: 'none' }), k3Inputs()),
  'layers losses of probabilities exactly 0 and 1': () =>
    edgeCaseOf(
      (y, p) => tf.add(tf.add(entropy.layers.categoricalCrossentropy()(y!, p!), entropy.layers.binaryCrossentropy()(y!, p!)), entropy.layers.kullbackLeiblerDivergence()(y!, p!)),
      [[[0, 1, 0], [1, 0, 0]], [[0, 1, 0], [0.5, 0.5, 0]]],
    ),
  'layers.sparseCategoricalCrossentropy, a probability of 0 at the label': () =>
    edgeCaseOf((p) => entropy.layers.sparseCategoricalCrossentropy()(tf.tensor1d(Array.from({ length: p!.shape[0]! }, (_, i) => i % 2)), p!), [[[0, 0.5, 0.5], [0.2, 0.8, 0]]]),
  'the sigmoid focal loss\'s gradient with respect to labels at saturated logits (γ = ½)': () =>
    edgeCaseOf((y) => entropy.sigmoidFocalLoss(y!, tf.tensor2d(tiled([[20, -20, 30, -30]])), { gamma: 0.5, reduction: 'sum' }), [[[1, 0, 1, 0]]]),
};

/** The numeric primitives on the page's backend, at `primitiveInputs()` (exp and expm1 clipped to ±80; log at 0, 1 and ½), with the backend's own exp. */
function primitives(): Record<'log1p' | 'expm1' | 'exp' | 'log', Encoded> {
  return tf.tidy(() => {
    const x = tf.tensor1d(primitiveInputs());
    const clipped = tf.clipByValue(x, -80, 80);
    return {
      log1p: encode(log1p(x).dataSync()),
      expm1: encode(expm1(clipped).dataSync()),
      exp: encode(tf.exp(clipped).dataSync()),
      log: encode(log(tf.tensor1d([0, 1, 0.5])).dataSync()),
    };
  });
}

/** A call's value and gradients as numbers and the tensors it left, or the error it threw. */
type Outcome = { readonly numbers: number[][]; readonly leaked: number } | { readonly error: string };

/**
 * Where the [N, V] logits exceed webgl's texture limit (tfjs issue #920),
 * `maxTextureSize` standing for the GPU's (tfjs reads it from
 * WEBGL_MAX_TEXTURE_SIZE): sparseSoftmaxCrossEntropy of the materialised
 * logits h·W + b on webgl there and at the GPU's own limit, linearCrossEntropy
 * on webgl there, and the materialised path on cpu (no texture limit); each
 * one's value and gradients with respect to h, W and b, seeded inputs.
 */
async function linearBeyondTextureLimit(maxTextureSize: number, rows: number, features: number, classes: number) {
  const random = seedrandom('linear beyond the texture limit');
  const uniform = (count: number, scale: number) => Float32Array.from({ length: count }, () => scale * (2 * random() - 1));
  const [hidden, weight, bias] = [uniform(rows * features, 1), uniform(features * classes, 1 / Math.sqrt(features)), uniform(classes, 0.1)];
  const labels = Int32Array.from({ length: rows }, () => Math.floor(random() * classes));
  type Loss = (h: tf.Tensor, w: tf.Tensor, b: tf.Tensor, y: tf.Tensor) => tf.Tensor;
  const materialised: Loss = (h, w, b, y) => entropy.sparseSoftmaxCrossEntropy(y, tf.add(tf.matMul(h, w), b));
  const ours: Loss = (h, w, b, y) => entropy.linearCrossEntropy(h, w, y, { bias: b });
  const run = (loss: Loss): Outcome => {
    const [xs, y] = [[tf.tensor2d(hidden, [rows, features]), tf.tensor2d(weight, [features, classes]), tf.tensor1d(bias)], tf.tensor1d(labels, 'int32')];
    const before = tf.memory().numTensors;
    try {
      const { value, grads } = tf.valueAndGrads((h: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => loss(h, w, b, y))(xs);
      const numbers = [value, ...grads].map((t) => Array.from(t.dataSync()));
      tf.dispose([value, ...grads]);
      return { numbers, leaked: tf.memory().numTensors - before };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    } finally {
      tf.dispose([...xs, y]);
    }
  };
  await useBackend('webgl', { WEBGL_CPU_FORWARD: false });
  const gpuLimit = tf.env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  tf.env().set('WEBGL_MAX_TEXTURE_SIZE', maxTextureSize);
  let outcomes: [Outcome, Outcome];
  try {
    outcomes = [run(materialised), run(ours)];
  } finally {
    tf.env().set('WEBGL_MAX_TEXTURE_SIZE', gpuLimit);
  }
  // After the lowered limit: tfjs checks the limit only when it makes a texture, and reuses the ones it made.
  const atGpuLimit = run(materialised);
  await useBackend('cpu');
  return { gpuLimit, atGpuLimit, materialised: outcomes[0], ours: outcomes[1], onCpu: run(materialised) };
}

const harness = {
  linearBeyondTextureLimit,
  kernelNames,
  useBackend,
  evaluateCase,
  secondOrder,
  primitives,
  titles: (): string[] => publicCases.map((c) => c.title),
  edgeCaseNames: (): string[] => Object.keys(EDGE_CASES),
  edgeCase: (name: string): Result => EDGE_CASES[name]!(),
  fitWithEachLayersLoss,
  vaeFitSaveReload,
  fitWithProgressLogger,
};

/** A small two-class problem of `count` points in 8 dimensions, separable, with fixed noise. */
function problem(count: number) {
  const random = seedrandom('problem');
  const labels = Array.from({ length: count }, (_, i) => i % 2);
  const x = labels.map((y) => Array.from({ length: 8 }, (_, d) => (d < 4 ? 2 * y - 1 : 0) + random() - 0.5));
  return { x: tf.tensor2d(x), labels, oneHot: tf.tensor2d(labels.map((y) => [1 - y, y])) };
}

/**
 * Trains a small model with each layers loss through `model.fit`, of logits
 * and of probabilities (a softmax or sigmoid head), and returns each one's
 * loss per epoch and the tensors left after the model is disposed.
 */
async function fitWithEachLayersLoss(): Promise<Record<string, { losses: number[]; leaked: number }>> {
  const { x, labels, oneHot } = problem(64);
  const indices = tf.tensor1d(labels);
  const losses: Array<[string, entropy.layers.LayersLoss, tf.Tensor, 'softmax' | 'sigmoid' | 'linear']> = [
    ['categoricalCrossentropy (logits)', entropy.layers.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }), oneHot, 'linear'],
    ['categoricalCrossentropy (probabilities)', entropy.layers.categoricalCrossentropy(), oneHot, 'softmax'],
    ['sparseCategoricalCrossentropy (class indices)', entropy.layers.sparseCategoricalCrossentropy({ fromLogits: true }), indices, 'linear'],
    ['binaryCrossentropy', entropy.layers.binaryCrossentropy(), oneHot, 'sigmoid'],
    ['kullbackLeiblerDivergence', entropy.layers.kullbackLeiblerDivergence({ fromLogits: true }), oneHot, 'linear'],
    ['categoricalFocalCrossentropy', entropy.layers.categoricalFocalCrossentropy(), oneHot, 'softmax'],
    ['binaryFocalCrossentropy', entropy.layers.binaryFocalCrossentropy({ fromLogits: true }), oneHot, 'linear'],
  ];
  const results: Record<string, { losses: number[]; leaked: number }> = {};
  for (const [name, loss, y, activation] of losses) {
    const before = tf.memory().numTensors;
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 2, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const optimizer = tf.train.adam(0.05);
    model.compile({ optimizer, loss });
    const history = await model.fit(x, y, { epochs: 6, batchSize: 16, shuffle: false, verbose: 0 });
    model.dispose();
    optimizer.dispose();
    results[name] = { losses: history.history['loss'] as number[], leaked: tf.memory().numTensors - before };
  }
  tf.dispose([x, oneHot, indices]);
  return results;
}

/**
 * A small VAE whose encoder ends in VAESampling: fit (the KL falls), save to
 * the page's IndexedDB, reload, predict the same, and the tensors left.
 */
async function vaeFitSaveReload(): Promise<{ klStart: number; klEnd: number; maxDifference: number; leaked: number }> {
  const before = tf.memory().numTensors;
  const { x, oneHot } = problem(64);
  oneHot.dispose();
  const input = tf.input({ shape: [8] });
  const hidden = tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(input) as tf.SymbolicTensor;
  const mean = tf.layers.dense({ units: 2 }).apply(hidden) as tf.SymbolicTensor;
  const logVar = tf.layers.dense({ units: 2, biasInitializer: tf.initializers.constant({ value: 2 }) }).apply(hidden) as tf.SymbolicTensor;
  const sampling = new entropy.layers.VAESampling({ beta: { kind: 'linearWarmup', warmupSteps: 10 }, seed: 3 });
  const z = sampling.apply([mean, logVar]) as tf.SymbolicTensor;
  const output = tf.layers.dense({ units: 8 }).apply(tf.layers.dense({ units: 16, activation: 'relu' }).apply(z) as tf.SymbolicTensor) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: output });
  const optimizer = tf.train.adam(0.02);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  await model.fit(x, x, { epochs: 1, batchSize: 16, verbose: 0 });
  const klStart = sampling.lastKL()!.total;
  await model.fit(x, x, { epochs: 12, batchSize: 16, verbose: 0 });
  const klEnd = sampling.lastKL()!.total;
  await model.save('indexeddb://tfjs-entropy-vae');
  const reloaded = await tf.loadLayersModel('indexeddb://tfjs-entropy-vae');
  const maxDifference = tf.tidy(() => tf.max(tf.abs(tf.sub(model.predict(x) as tf.Tensor, reloaded.predict(x) as tf.Tensor))).dataSync()[0]!);
  model.dispose();
  reloaded.dispose();
  optimizer.dispose();
  x.dispose();
  return { klStart, klEnd, maxDifference, leaked: tf.memory().numTensors - before };
}

/** fit with a ProgressLogger, which writes to the page's console here (no `process`). */
async function fitWithProgressLogger(): Promise<void> {
  const { x, oneHot } = problem(32);
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 2 })] });
  model.compile({ optimizer: 'sgd', loss: entropy.layers.categoricalCrossentropy({ fromLogits: true }) });
  await model.fit(x, oneHot, { epochs: 2, verbose: 0, callbacks: [new entropy.layers.ProgressLogger()] });
  model.dispose();
  tf.dispose([x, oneHot]);
}

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
