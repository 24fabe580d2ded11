/**
 * Every public function as `(inputs) => Tensor` on a fixed, valid, moderately
 * sized problem, with which inputs are float (differentiable): the list the
 * cross-backend and fuzz tests walk.
 */
import type * as tf from '@tensorflow/tfjs';
import * as entropyPackage from '../../src/index.js';

const { layers } = entropyPackage;

/**
 * probability: in [0, 1] (extremes: exact 0s and 1s); logit: any real (extremes: ±1e4);
 * logVar: a log-variance (extremes: ±30); label: a class index; weight: ≥ 0; prior: a prior mean.
 */
export type InputKind = 'probability' | 'logit' | 'logVar' | 'label' | 'weight' | 'prior';

export interface PublicCase {
  readonly name: string;
  /** Makes the inputs for a batch of `batch` rows of `classes` entries (classes ≥ 1; batch may be 0). */
  readonly inputs: (batch: number, classes: number, random: () => number) => Array<number[][] | number[]>;
  /** Which inputs are float and differentiated. */
  readonly differentiable: readonly number[];
  /** Rank of each input: 2 for `[batch, classes]`, 1 for `[batch]` (or `[classes]` for a prior). */
  readonly ranks: readonly number[];
  /** What each input holds, so the fuzzer can push it to its extremes. */
  readonly kinds: readonly InputKind[];
  /** The documented output: one value per sample (the leading axes) or a scalar. */
  readonly output: 'perSample' | 'scalar';
  readonly call: (...inputs: tf.Tensor[]) => tf.Tensor;
}

const matrix = (batch: number, classes: number, f: () => number) => Array.from({ length: batch }, () => Array.from({ length: classes }, f));
const distribution = (batch: number, classes: number, random: () => number) =>
  matrix(batch, classes, () => 0.05 + random()).map((row) => row.map((x) => x / row.reduce((a, b) => a + b, 0)));
const logits = (batch: number, classes: number, random: () => number) => matrix(batch, classes, () => 6 * random() - 3);
const labels = (batch: number, classes: number, random: () => number) => Array.from({ length: batch }, () => Math.floor(random() * classes));
const oneHot = (batch: number, classes: number, random: () => number) =>
  labels(batch, classes, random).map((y) => Array.from({ length: classes }, (_, k) => (k === y ? 1 : 0)));
const unit = (batch: number, classes: number, random: () => number) => matrix(batch, classes, () => 0.05 + 0.9 * random());

export const publicCases: readonly PublicCase[] = [
  { name: 'entropy', inputs: (b, c, r) => [distribution(b, c, r)], kinds: ['probability'], output: 'perSample', ranks: [2], differentiable: [0], call: (p) => entropyPackage.entropy(p!) },
  { name: 'crossEntropy', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.crossEntropy(p!, q!) },
  { name: 'klDivergence', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.klDivergence(p!, q!, { base: 2 }) },
  { name: 'jsDivergence', inputs: (b, c, r) => [distribution(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.jsDivergence(p!, q!) },
  { name: 'gaussianEntropy', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['prior', 'logVar'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (m, v) => entropyPackage.gaussianEntropy(m!, v!) },
  {
    name: 'gaussianCrossEntropy',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), logits(b, c, r), logits(b, c, r)],
    kinds: ['prior', 'logVar', 'prior', 'logVar'], output: 'perSample', ranks: [2, 2, 2, 2], differentiable: [0, 1, 2, 3],
    call: (a, b, c, d) => entropyPackage.gaussianCrossEntropy(a!, b!, c!, d!),
  },
  {
    name: 'gaussianKL',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), logits(1, c, r)[0]!],
    kinds: ['prior', 'logVar', 'prior'], output: 'scalar', ranks: [2, 2, 1], differentiable: [0, 1, 2],
    call: (m, v, prior) => entropyPackage.gaussianKL(m!, v!, { priorMean: prior!, freeBits: 0.1 }),
  },
  { name: 'monteCarloKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['prior', 'prior'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.monteCarloKL(p!, q!, { estimator: 'k3' }) },
  { name: 'categoricalKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['logit', 'logit'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.categoricalKL(p!, q!, { temperature: 2 }) },
  { name: 'bernoulliKL', inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r)], kinds: ['logit', 'logit'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (p, q) => entropyPackage.bernoulliKL(p!, q!) },
  {
    name: 'distillationLoss',
    inputs: (b, c, r) => [logits(b, c, r), logits(b, c, r), labels(b, c, r)],
    kinds: ['logit', 'logit', 'label'], output: 'scalar', ranks: [2, 2, 1], differentiable: [0, 1],
    call: (t, s, y) => entropyPackage.distillationLoss(t!, s!, { temperature: 3, labels: y!.toInt() }),
  },
  {
    name: 'softmaxCrossEntropy',
    inputs: (b, c, r) => [distribution(b, c, r), logits(b, c, r), unit(1, b, r)[0] ?? []],
    kinds: ['probability', 'logit', 'weight'], output: 'scalar', ranks: [2, 2, 1], differentiable: [0, 1, 2],
    call: (y, z, w) => entropyPackage.softmaxCrossEntropy(y!, z!, { labelSmoothing: 0.1, weights: w! }),
  },
  {
    name: 'sparseSoftmaxCrossEntropy',
    inputs: (b, c, r) => [labels(b, c, r), logits(b, c, r)],
    kinds: ['label', 'logit'], output: 'scalar', ranks: [1, 2], differentiable: [1],
    call: (y, z) => entropyPackage.sparseSoftmaxCrossEntropy(y!.toInt(), z!, { labelSmoothing: 0.1 }),
  },
  { name: 'sigmoidCrossEntropy', inputs: (b, c, r) => [unit(b, c, r), logits(b, c, r)], kinds: ['probability', 'logit'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (y, z) => entropyPackage.sigmoidCrossEntropy(y!, z!, { labelSmoothing: 0.1 }) },
  { name: 'sigmoidFocalLoss', inputs: (b, c, r) => [unit(b, c, r), logits(b, c, r)], kinds: ['probability', 'logit'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (y, z) => entropyPackage.sigmoidFocalLoss(y!, z!) },
  { name: 'softmaxFocalLoss', inputs: (b, c, r) => [distribution(b, c, r), logits(b, c, r)], kinds: ['probability', 'logit'], output: 'scalar', ranks: [2, 2], differentiable: [0, 1], call: (y, z) => entropyPackage.softmaxFocalLoss(y!, z!) },
  { name: 'layers.categoricalCrossentropy', inputs: (b, c, r) => [oneHot(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (y, p) => layers.categoricalCrossentropy()(y!, p!) },
  {
    name: 'layers.sparseCategoricalCrossentropy',
    inputs: (b, c, r) => [labels(b, c, r), logits(b, c, r)],
    kinds: ['label', 'logit'], output: 'perSample', ranks: [1, 2], differentiable: [1],
    call: (y, z) => layers.sparseCategoricalCrossentropy({ fromLogits: true })(y!, z!),
  },
  { name: 'layers.binaryCrossentropy', inputs: (b, c, r) => [unit(b, c, r), unit(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (y, p) => layers.binaryCrossentropy()(y!, p!) },
  {
    name: 'layers.kullbackLeiblerDivergence',
    inputs: (b, c, r) => [distribution(b, c, r), logits(b, c, r)],
    kinds: ['probability', 'logit'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1],
    call: (y, z) => layers.kullbackLeiblerDivergence({ fromLogits: true })(y!, z!),
  },
  { name: 'layers.categoricalFocalCrossentropy', inputs: (b, c, r) => [oneHot(b, c, r), distribution(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (y, p) => layers.categoricalFocalCrossentropy()(y!, p!) },
  { name: 'layers.binaryFocalCrossentropy', inputs: (b, c, r) => [unit(b, c, r), unit(b, c, r)], kinds: ['probability', 'probability'], output: 'perSample', ranks: [2, 2], differentiable: [0, 1], call: (y, p) => layers.binaryFocalCrossentropy()(y!, p!) },
];
