/**
 * Runs in the test pages (bundled by test/browser/support/page.ts, after
 * tfjs's tf.min.js and the script-tag build): the registry of public
 * functions and the README's edge cases, evaluated on whichever backend the
 * page has selected, as plain numbers the Node side compares.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import * as entropy from '../../src/index.js';
import { inputShape, publicCases, toInputs, valueAndGradients } from '../support/public-functions.js';

/** Numbers as JSON carries them: NaN and ±Infinity as strings. */
export type Encoded = Array<number | 'NaN' | 'Infinity' | '-Infinity'>;
const encode = (values: ArrayLike<number>): Encoded => Array.from(values, (v) => (Number.isFinite(v) ? v : (String(v) as 'NaN')));

/** The backends a page can select, with the flags that make webgl run its shaders on small tensors too. */
async function useBackend(name: 'cpu' | 'webgl' | 'wasm', flags: Record<string, boolean> = {}): Promise<string> {
  if (name === 'wasm') (tf as unknown as { wasm: { setWasmPaths(prefix: string): void } }).wasm.setWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');
  if (!(await tf.setBackend(name))) throw new Error(`could not start the tfjs '${name}' backend`);
  for (const [flag, value] of Object.entries(flags)) tf.env().set(flag, value);
  return tf.getBackend();
}

/** Value and gradients of a registry case at `[batch, classes]`, its inputs seeded by its title. */
function evaluateCase(title: string, batch: number, classes: number): Encoded {
  const c = publicCases.find((candidate) => candidate.title === title);
  if (c === undefined) throw new Error(`no public function titled ${title}`);
  const raw = c.inputs(batch, classes, seedrandom(title));
  return tf.tidy(() => {
    const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [batch, classes])));
    const { value, gradients } = valueAndGradients(c, inputs, c.fixedOptions);
    return encode([...value.dataSync(), ...gradients.flatMap((g) => Array.from(g.dataSync()))]);
  });
}

/** Value and the gradients of `f` with respect to every input, as numbers. */
function valueAndGradientsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: number[][][]): Encoded {
  return tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor2d(x));
    const { value, grads } = tf.valueAndGrads(f)(xs);
    return encode([...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))]);
  });
}

/**
 * The README's edge cases, each a value with its gradients: p > 0 against
 * q = 0 (+Infinity), zeros on both sides (0·log 0 = 0), −Infinity logits (a
 * masked class), extreme finite logits, a KL near 0, and k3 near equal
 * log-densities. 256 entries each where the shape allows, so webgl's shaders
 * run with its default flags too.
 */
const EDGE_CASES: Record<string, () => Encoded> = {
  'crossEntropy, q = 0 under p > 0, zeros in both': () =>
    valueAndGradientsOf((p, q) => entropy.crossEntropy(p!, q!), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]]]),
  'klDivergence, q = 0 under p > 0, zeros in both': () =>
    valueAndGradientsOf((p, q) => entropy.klDivergence(p!, q!), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 1, 0]]]),
  'jsDivergence and entropy with zeros': () =>
    valueAndGradientsOf((p, q) => tf.add(entropy.jsDivergence(p!, q!), entropy.entropy(p!)), [[[0.5, 0.5, 0], [0, 1, 0]], [[1, 0, 0], [0, 0.5, 0.5]]]),
  'softmaxCrossEntropy, a −Infinity logit without label mass': () =>
    valueAndGradientsOf((y, z) => entropy.softmaxCrossEntropy(y!, z!, { reduction: 'none' }), [[[0, 1, 0], [0.5, 0.5, 0]], [[-Infinity, 1, 0], [1, 2, -Infinity]]]),
  'sparseSoftmaxCrossEntropy, logits ±1e4': () =>
    valueAndGradientsOf((z) => entropy.sparseSoftmaxCrossEntropy([2, 0], z!, { reduction: 'none' }), [[[1e4, 0, -1e4], [-1e4, 0, 1e4]]]),
  'sigmoidCrossEntropy and focal losses, logits ±1e4 and ±20': () =>
    valueAndGradientsOf(
      (y, z) => tf.add(entropy.sigmoidCrossEntropy(y!, z!), tf.add(entropy.sigmoidFocalLoss(y!, z!, { gamma: 0.5 }), entropy.softmaxFocalLoss(y!, z!))),
      [[[1, 0, 1, 0], [0, 1, 0, 1]], [[1e4, -1e4, 20, -20], [-20, 20, -1e4, 1e4]]],
    ),
  'categoricalKL, a −Infinity p logit and logits ±1e3': () =>
    valueAndGradientsOf((p, q) => entropy.categoricalKL(p!, q!, { reduction: 'none' }), [[[-Infinity, 1, 0], [1e3, 0, -1e3]], [[0, 0, 0], [0, 1e3, 0]]]),
  'gaussianKL near 0 (mean 1e-4, logVar 1e-4)': () =>
    valueAndGradientsOf((m, v) => entropy.gaussianKL(m!, v!, { reduction: 'none' }), [Array.from({ length: 16 }, () => Array(16).fill(1e-4)), Array.from({ length: 16 }, () => Array(16).fill(1e-4))]),
  'monteCarloKL k3 near equal log-densities': () =>
    valueAndGradientsOf((p, q) => entropy.monteCarloKL(p!, q!, { estimator: 'k3', reduction: 'none' }), [Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => -1 - (i * 16 + j) * 1e-3)), Array.from({ length: 16 }, (_, i) => Array.from({ length: 16 }, (_, j) => -1 - (i * 16 + j) * 1e-3 + 1e-6))]),
  'layers losses of probabilities exactly 0 and 1': () =>
    valueAndGradientsOf(
      (y, p) => tf.add(tf.add(entropy.layers.categoricalCrossentropy()(y!, p!), entropy.layers.binaryCrossentropy()(y!, p!)), entropy.layers.kullbackLeiblerDivergence()(y!, p!)),
      [[[0, 1, 0], [1, 0, 0]], [[0, 1, 0], [0.5, 0.5, 0]]],
    ),
  'layers.sparseCategoricalCrossentropy, a probability of 0 at the label': () =>
    valueAndGradientsOf((p) => entropy.layers.sparseCategoricalCrossentropy()(tf.tensor1d([0, 1]), p!), [[[0, 0.5, 0.5], [0.2, 0.8, 0]]]),
};

const harness = {
  useBackend,
  evaluateCase,
  titles: (): string[] => publicCases.map((c) => c.title),
  edgeCaseNames: (): string[] => Object.keys(EDGE_CASES),
  edgeCase: (name: string): Encoded => EDGE_CASES[name]!(),
  numTensors: (): number => tf.memory().numTensors,
};

declare global {
  interface Window {
    harness: typeof harness;
  }
}
window.harness = harness;
