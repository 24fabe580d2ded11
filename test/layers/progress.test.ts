/** ProgressLogger: one line per epoch when not a terminal, a bar redrawn per batch on one. */
import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { layers } from '../../src/index.js';

async function trainWith(isTTY: boolean): Promise<string> {
  let output = '';
  const stream = { isTTY, write: (text: string) => (output += text) };
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [2] })] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tf.ones([8, 2]);
  const y = tf.zeros([8, 1]);
  await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, validationData: [x, y], callbacks: [new layers.ProgressLogger({ stream })] });
  tf.dispose([x, y]);
  model.dispose();
  return output;
}

test('not a terminal: one line per epoch with the time and the logs', async () => {
  const lines = (await trainWith(false)).trimEnd().split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^epoch 1\/3 · \d+\.\d s · loss \d\.\d+ · val_loss \d\.\d+$/);
  expect(lines[2]).toMatch(/^epoch 3\/3 /);
});

test('a terminal: a bar per epoch, redrawn after each batch', async () => {
  const output = await trainWith(true);
  expect(output).toContain('epoch 2/3 [');
  expect(output).toMatch(/\[=+>?\s*\] 2\/2 loss \d/);
  expect(output.split('\n')).toHaveLength(4); // three finished epochs and an empty tail
});

test('an unknown option is an error, not ignored', () => {
  expect(() => new layers.ProgressLogger({ barwidth: 10 } as never)).toThrow("ProgressLogger: unknown option 'barwidth' (expected one of: stream, barWidth)");
});

test('a bar width that is not a positive number is an error', () => {
  expect(() => new layers.ProgressLogger({ barWidth: 0 })).toThrow('ProgressLogger: barWidth must be a finite number > 0, got 0');
  expect(() => new layers.ProgressLogger({ barWidth: NaN })).toThrow('ProgressLogger: barWidth must be a finite number > 0, got NaN');
});
