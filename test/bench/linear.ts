/**
 * The bench's linearCrossEntropy part, on whatever backend is selected (in
 * Node, and bundled into a page for webgl): forward and backward through
 * `tf.valueAndGrads` with respect to hidden, weight and bias, ours against
 * materialising the logits (`hidden·W + b`, then `sparseSoftmaxCrossEntropy`):
 * median time, peak memory from tf.profile, and the largest difference of
 * the value and of each gradient; or the error a contender threw (on webgl,
 * the [N, V] logits can exceed the texture limit).
 */
import * as tf from '@tensorflow/tfjs';
import * as entropy from '../../src/index.js';
import { seeded } from './cases.js';

/** N rows of D features, V classes. */
export interface LinearShape {
  readonly rows: number;
  readonly features: number;
  readonly classes: number;
}

/** The size of issue 14's goal: a small language model's output layer over a 32 000-token vocabulary. */
export const GOAL_SHAPE: LinearShape = { rows: 2048, features: 256, classes: 32000 };

type Contender = (inputs: tf.Tensor[], labels: tf.Tensor) => tf.Tensor;

export const CONTENDERS: ReadonlyArray<readonly [string, Contender]> = [
  ['linearCrossEntropy', ([h, w, b], labels) => entropy.linearCrossEntropy(h!, w!, labels, { bias: b! })],
  ['materialised logits', ([h, w, b], labels) => entropy.sparseSoftmaxCrossEntropy(labels, tf.add(tf.matMul(h!, w!), b!))],
];

/** One contender's run: median milliseconds, tf.profile's peak bytes, and its value and gradients; or the error it threw. */
export type LinearRun = { readonly ms: number; readonly peakBytes: number; readonly numbers: Float32Array[] } | { readonly error: string };

/** Seeded inputs: hidden ~ N(0, 1), W ~ N(0, 1/D) (logits of size 1), b ~ N(0, 0.1), labels uniform in [0, V). */
export function linearInputs({ rows, features, classes }: LinearShape): { inputs: tf.Tensor[]; labels: tf.Tensor } {
  const random = seeded(rows * 7 + classes);
  return {
    inputs: [tf.randomNormal([rows, features], 0, 1, 'float32', 1), tf.randomNormal([features, classes], 0, 1 / Math.sqrt(features), 'float32', 2), tf.randomNormal([classes], 0, 0.1, 'float32', 3)],
    labels: tf.tensor1d(Int32Array.from({ length: rows }, () => Math.floor(random() * classes)), 'int32'),
  };
}

/**
 * Runs `contender` forward and backward: once under tf.profile (its peak
 * memory, and the value and gradients it gives), then `runs` times timed
 * (the gradients read back, so the backend has finished).
 */
export async function runContender(contender: Contender, inputs: tf.Tensor[], labels: tf.Tensor, runs: number): Promise<LinearRun> {
  const step = () => tf.tidy(() => {
    const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => contender(xs, labels))(inputs);
    return [value, ...grads];
  });
  try {
    const profile = await tf.profile(() => step());
    const outputs = profile.result as tf.Tensor[];
    const numbers = await Promise.all(outputs.map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(outputs);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const timed = step();
      await Promise.all(timed.map((t) => t.data()));
      tf.dispose(timed);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(runs / 2)]!, peakBytes: profile.peakBytes, numbers };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Both contenders at one shape: each one's time and peak memory (or error), and how far ours is from the materialised path's numbers. */
export interface LinearComparison {
  readonly shape: LinearShape;
  readonly runs: ReadonlyArray<readonly [string, { readonly ms: number; readonly peakBytes: number } | { readonly error: string }]>;
  /** Empty when a contender failed. */
  readonly differences: ReturnType<typeof differences>;
}

/** Both contenders at `shape` on the current backend, ours first. */
export async function compareLinear(shape: LinearShape, runs: number): Promise<LinearComparison> {
  const { inputs, labels } = linearInputs(shape);
  const results: LinearRun[] = [];
  try {
    for (const [, contender] of CONTENDERS) results.push(await runContender(contender, inputs, labels, runs));
  } finally {
    tf.dispose([...inputs, labels]);
  }
  const [ours, theirs] = results as [LinearRun, LinearRun];
  return {
    shape,
    runs: results.map((run, i) => [CONTENDERS[i]![0], 'numbers' in run ? { ms: run.ms, peakBytes: run.peakBytes } : run] as const),
    differences: 'numbers' in ours && 'numbers' in theirs ? differences(ours.numbers, theirs.numbers) : [],
  };
}

/** The largest |ours − theirs| of the value and of each gradient, and the largest |theirs| it compares with. */
export function differences(ours: Float32Array[], theirs: Float32Array[]): Array<{ name: string; difference: number; largest: number }> {
  return ['value', '∂/∂hidden', '∂/∂weight', '∂/∂bias'].map((name, i) => {
    const [a, e] = [ours[i]!, theirs[i]!];
    let [difference, largest] = [0, 0];
    for (let k = 0; k < e.length; k++) {
      difference = Math.max(difference, Math.abs(a[k]! - e[k]!));
      largest = Math.max(largest, Math.abs(e[k]!));
    }
    return { name, difference, largest };
  });
}
