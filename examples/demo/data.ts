/** The MNIST subset the page is served with (examples/demo/vite.config.ts writes it). */
import * as tf from '@tensorflow/tfjs';

export interface Digits {
  /** [count, 784] in [0, 1]. */
  readonly trainImages: tf.Tensor2D;
  readonly trainLabels: number[];
  readonly testImages: tf.Tensor2D;
  readonly testLabels: number[];
}

/** The digits; with `samples`, only the first that many training digits. */
export async function loadDigits(samples = Infinity): Promise<Digits> {
  const response = await fetch('/mnist-subset.bin');
  if (!response.ok) throw new Error(`mnist-subset.bin: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const view = new DataView(bytes.buffer);
  const [train, test] = [view.getUint32(0, true), view.getUint32(4, true)];
  const pixels = (from: number, count: number) => tf.tidy(() => tf.div(tf.tensor2d(bytes.subarray(from, from + count * 784), [count, 784], 'int32'), 255)) as tf.Tensor2D;
  const labelsAt = 8 + (train + test) * 784;
  const used = Math.min(train, samples);
  return {
    trainImages: pixels(8, used),
    trainLabels: Array.from(bytes.subarray(labelsAt, labelsAt + used)),
    testImages: pixels(8 + train * 784, test),
    testLabels: Array.from(bytes.subarray(labelsAt + train, labelsAt + train + test)),
  };
}
