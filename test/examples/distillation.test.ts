/**
 * The distillation example's own checks: the conv2d filter gradient that
 * examples/lib/wasm-conv.ts registers for the wasm backend agrees with the cpu
 * backend's own kernel, and a --quick run leaves no tensor behind. (Its
 * summary line, falling loss and plots are checked in test/examples.test.ts.)
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, test } from 'vitest';
import '../../examples/backend.js';
import '../../examples/lib/wasm-conv.js';
import { runDistillation } from '../../examples/distillation.js';
import { quickOptions, temporaryOutput } from '../support/examples.js';

const out = temporaryOutput();

afterEach(async () => {
  await tf.setBackend(process.env['TFJS_BACKEND'] ?? 'cpu');
});

/** Seeded values of a shape, as a nested array that either backend can take. */
function normal(shape: number[], seed: number): number[] {
  return tf.tidy(() => Array.from(tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync()));
}

/** ∂/∂w of Σ conv2d(x, w) ⊙ dy on `backend`: the kernel Conv2DBackpropFilter's output. */
async function filterGradient(backend: string, x: number[], w: number[], pad: 'valid' | 'same'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const images = tf.tensor4d(x, [3, 9, 8, 2]);
    const filter = tf.tensor4d(w, [3, 4, 2, 5]);
    const outShape = tf.conv2d(images, filter, 1, pad).shape;
    const dy = tf.tensor(normal(outShape, 3), outShape);
    const grad = tf.grad((f) => tf.sum(tf.mul(tf.conv2d(images, f as tf.Tensor4D, 1, pad), dy)))(filter);
    return grad.dataSync() as Float32Array;
  });
}

describe('the distillation example', () => {
  test.each(['valid', 'same'] as const)("conv2d's filter gradient on wasm equals the cpu kernel's (padding %s)", async (pad) => {
    const x = normal([3, 9, 8, 2], 1);
    const w = normal([3, 4, 2, 5], 2);
    const expected = await filterGradient('cpu', x, w, pad);
    const actual = await filterGradient('wasm', x, w, pad);
    const scale = Math.max(...expected.map(Math.abs));
    expect(actual.length).toBe(expected.length);
    actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(1e-5 * scale));
  });

  test('the wasm filter gradient refuses strides it does not implement', async () => {
    await tf.setBackend('wasm');
    const f = tf.zeros([3, 3, 1, 2]) as tf.Tensor4D;
    const x = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => tf.grad((g) => tf.sum(tf.conv2d(x, g as tf.Tensor4D, 2, 'valid')))(f)).toThrow(/wasm-conv: .*stride 1/);
    tf.dispose([f, x]);
  });

  test('a --quick run leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const result = await runDistillation(await quickOptions(out));
    expect(tf.memory().numTensors).toBe(before);
    const figures = result.figures;
    expect(Number(figures['labelled images (students)']) + Number(figures['transfer images (distilled student)'])).toBe(figures['teacher training images']);
  }, 120_000);
});
