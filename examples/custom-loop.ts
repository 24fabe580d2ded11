/**
 * The classifier again, for users who do not use model.fit: a hand-written
 * optimizer.minimize loop with softmaxCrossEntropy, after checkGradients has
 * checked the loss's gradient on a small batch.
 *
 *   npx tsx examples/custom-loop.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 */
import * as tf from '@tensorflow/tfjs';
import { checkGradients, softmaxCrossEntropy } from '../src/index.js';
import { IMAGE_SIZE } from './mnist.js';
import { exampleOptions, isMain, PREDICT, seededInitializer, type ExampleOptions } from './lib/cli.js';
import { accuracyOf, disposeSplit, mnistSplits } from './lib/data.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { lineChart } from './lib/svg.js';

const BATCH = 128;

export async function runCustomLoop(options: ExampleOptions): Promise<ExampleResult> {
  const epochs = options.epochs ?? (options.quick ? 2 : 3);
  const samples = options.samples ?? (options.quick ? 1000 : 20000);
  const { train, validation, test } = mnistSplits(samples, options.quick ? 500 : 10000, options.seed);
  disposeSplit(validation);

  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: 128, activation: 'relu', kernelInitializer: seededInitializer(options.seed, 1) }),
      tf.layers.dense({ units: 10, kernelInitializer: seededInitializer(options.seed, 2) }),
    ],
  });
  const oneHot = tf.tidy(() => tf.oneHot(tf.cast(train.labels, 'int32'), 10));
  const loss = (labels: tf.Tensor, logits: tf.Tensor) => softmaxCrossEntropy(labels, logits, { labelSmoothing: 0.1, reduction: 'none' });

  // First, check the loss's analytic gradient (labels and logits) on four digits' logits.
  const [labels, logits] = tf.tidy(() => [
    oneHot.slice(0, 4).cast('float32').arraySync() as number[][],
    (model.predict(train.x.slice(0, 4)) as tf.Tensor).arraySync() as number[][],
  ]);
  const check = checkGradients(loss, [labels, logits]);
  console.log(`checkGradients on the loss: ${check.ok ? 'ok' : 'FAILED'} (max relative error ${check.maxRelError.toExponential(1)})`);

  const optimizer = tf.train.adam(1e-3);
  const losses: number[] = [];
  const accuracies: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    for (let start = 0; start < train.count; start += BATCH) {
      const size = Math.min(BATCH, train.count - start);
      const batchLoss = tf.tidy(() => {
        const x = train.x.slice(start, size);
        const y = oneHot.slice(start, size);
        // The default reduction 'mean' gives the scalar that minimize needs; true returns it.
        return optimizer.minimize(() => softmaxCrossEntropy(y, model.apply(x) as tf.Tensor, { labelSmoothing: 0.1 }) as tf.Scalar, true) as tf.Scalar;
      });
      total += batchLoss.dataSync()[0]! * size;
      batchLoss.dispose();
    }
    losses.push(total / train.count);
    const logits = model.predict(test.x, PREDICT) as tf.Tensor;
    accuracies.push(accuracyOf(logits, test.labelValues).accuracy);
    logits.dispose();
    console.log(`epoch ${epoch + 1}/${epochs} · loss ${losses.at(-1)!.toFixed(4)} · test accuracy ${accuracies.at(-1)!.toFixed(4)}`);
  }

  const plots = [
    {
      file: writeOutput(options.out, 'custom-loop.svg', lineChart({
        title: 'Custom loop: training loss and test accuracy per epoch',
        xLabel: 'epoch',
        yLabel: 'nats / accuracy',
        series: [
          { name: 'training loss', values: losses },
          { name: 'test accuracy', values: accuracies },
        ],
      })),
      caption: 'The classifier trained by optimizer.minimize on softmaxCrossEntropy (label smoothing 0.1), without model.fit.',
    },
  ];
  const summary = `custom-loop: test accuracy ${accuracies.at(-1)!.toFixed(3)} (${test.count} images), gradient check ${check.ok ? 'passed' : 'FAILED'}`;
  const result: ExampleResult = {
    name: 'custom-loop',
    title: 'Custom loop: optimizer.minimize with softmaxCrossEntropy',
    summary,
    figures: { 'test accuracy': accuracies.at(-1)!.toFixed(4), 'gradient check': check.ok ? 'passed' : 'failed', 'training images': train.count, epochs },
    plots,
    lossHistory: losses,
  };
  recordResult(options.out, result);
  [train, test].forEach(disposeSplit);
  oneHot.dispose();
  optimizer.dispose();
  model.dispose();
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runCustomLoop(await exampleOptions());
  console.log(result.summary);
}
