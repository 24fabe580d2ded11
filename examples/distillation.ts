/**
 * Knowledge distillation on MNIST: a teacher MLP learns from all the training
 * digits; then the same small student, from the same start, learns from a
 * quarter of them twice: on their labels alone, and with distillationLoss at
 * T = 4 (Hinton et al. 2015), the teacher's softened outputs carrying what it
 * learnt from the rest; in a hand-written optimizer.minimize loop.
 *
 *   npx tsx examples/distillation.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 */
import * as tf from '@tensorflow/tfjs';
import { distillationLoss, layers, sparseSoftmaxCrossEntropy } from '../src/index.js';
import { IMAGE_SIZE } from './mnist.js';
import { exampleOptions, isMain, PREDICT, seededInitializer, type ExampleOptions } from './lib/cli.js';
import { accuracyOf, disposeSplit, mnistSplits, type Split } from './lib/data.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { lineChart } from './lib/svg.js';

const TEMPERATURE = 4;
const ALPHA = 0.5; // weight of the hard-label term
const BATCH = 128;
const STUDENT_UNITS = 64;

function mlp(hidden: number, seed: number, offset: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: hidden, activation: 'relu', kernelInitializer: seededInitializer(seed, offset) }),
      tf.layers.dense({ units: 10, kernelInitializer: seededInitializer(seed, offset + 1) }),
    ],
  });
}

interface Batch {
  readonly x: tf.Tensor;
  readonly labels: tf.Tensor;
  readonly teacherLogits: tf.Tensor;
}

/** The training set cut into batches once, with the teacher's logits beside each. */
function batchesOf(train: Split, teacherLogits: tf.Tensor): Batch[] {
  const labels = tf.cast(train.labels, 'int32');
  const batches: Batch[] = [];
  for (let start = 0; start < train.count; start += BATCH) {
    const size = Math.min(BATCH, train.count - start);
    batches.push({ x: train.x.slice(start, size), labels: labels.slice(start, size), teacherLogits: teacherLogits.slice(start, size) });
  }
  labels.dispose();
  return batches;
}

/** Trains `student` on `loss(studentLogits, labels, teacherLogits)`, returning the test accuracy and mean loss of each epoch. */
function trainStudent(
  student: tf.Sequential,
  batches: readonly Batch[],
  test: Split,
  epochs: number,
  loss: (studentLogits: tf.Tensor, labels: tf.Tensor, teacherLogits: tf.Tensor) => tf.Tensor,
): { accuracies: number[]; losses: number[] } {
  const optimizer = tf.train.adam(1e-3);
  const accuracies: number[] = [];
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    let total = 0;
    for (const batch of batches) {
      const value = optimizer.minimize(() => loss(student.apply(batch.x) as tf.Tensor, batch.labels, batch.teacherLogits) as tf.Scalar, true) as tf.Scalar;
      total += value.dataSync()[0]!;
      value.dispose();
    }
    losses.push(total / batches.length);
    const logits = student.predict(test.x, PREDICT) as tf.Tensor;
    accuracies.push(accuracyOf(logits, test.labelValues).accuracy);
    logits.dispose();
  }
  optimizer.dispose();
  return { accuracies, losses };
}

export async function runDistillation(options: ExampleOptions): Promise<ExampleResult> {
  const epochs = options.epochs ?? (options.quick ? 2 : 15);
  // The teacher learns from `samples` digits; the students see only the first quarter of them with labels.
  const samples = options.samples ?? (options.quick ? 1000 : 20000);
  const { train, validation, test } = mnistSplits(samples, options.quick ? 500 : 10000, options.seed);
  disposeSplit(validation);
  const studentCount = Math.ceil(train.count / 4);

  const teacher = mlp(256, options.seed, 1);
  teacher.compile({ optimizer: tf.train.adam(1e-3), loss: layers.sparseCategoricalCrossentropy({ fromLogits: true }) });
  console.log('teacher (784-256-10):');
  await teacher.fit(train.x, train.labels, { epochs: options.quick ? 1 : 5, batchSize: BATCH, shuffle: false, verbose: 0, callbacks: [new layers.ProgressLogger()] });
  const studentSplit = { ...train, x: train.x.slice(0, studentCount), labels: train.labels.slice(0, studentCount), count: studentCount };
  const teacherLogits = teacher.predict(studentSplit.x, PREDICT) as tf.Tensor;
  const teacherTestLogits = teacher.predict(test.x, PREDICT) as tf.Tensor;
  const teacherAccuracy = accuracyOf(teacherTestLogits, test.labelValues).accuracy;
  teacherTestLogits.dispose();

  // Two students from the same initial weights (same seeds).
  console.log(`students (784-${STUDENT_UNITS}-10) on ${studentCount} digits, ${epochs} epochs each: hard labels, then distillation at T = ${TEMPERATURE}`);
  const batches = batchesOf(studentSplit, teacherLogits);
  const { accuracies: hard } = trainStudent(mlp(STUDENT_UNITS, options.seed, 10), batches, test, epochs, (s, y) => sparseSoftmaxCrossEntropy(y, s));
  const { accuracies: distilled, losses: distilledLosses } = trainStudent(mlp(STUDENT_UNITS, options.seed, 10), batches, test, epochs, (s, y, t) =>
    distillationLoss(t, s, { temperature: TEMPERATURE, labels: y, alpha: ALPHA }),
  );
  tf.dispose([teacherLogits, studentSplit.x, studentSplit.labels, ...batches.flatMap((b) => [b.x, b.labels, b.teacherLogits])]);
  console.log(`  test accuracy, hard labels only: ${hard.at(-1)!.toFixed(4)} · distilled: ${distilled.at(-1)!.toFixed(4)} · teacher: ${teacherAccuracy.toFixed(4)}`);

  const plots = [
    {
      file: writeOutput(options.out, 'distillation-accuracy.svg', lineChart({
        title: 'Students: test accuracy per epoch',
        xLabel: 'epoch',
        yLabel: 'test accuracy',
        series: [
          { name: 'hard labels', values: hard },
          { name: `distilled (T = ${TEMPERATURE})`, values: distilled },
        ],
      })),
      caption: `The same 784-${STUDENT_UNITS}-10 student from the same start, trained on ${studentCount} labelled digits alone, or with α·CE + (1 − α)·T²·KL from a teacher that learnt from ${train.count} (α = ${ALPHA}, T = ${TEMPERATURE}).`,
    },
  ];
  const summary = `distillation: student test accuracy ${hard.at(-1)!.toFixed(3)} with hard labels, ${distilled.at(-1)!.toFixed(3)} distilled (teacher ${teacherAccuracy.toFixed(3)})`;
  const result: ExampleResult = {
    name: 'distillation',
    title: 'Distillation: distillationLoss in an optimizer.minimize loop',
    summary,
    figures: {
      'teacher test accuracy': teacherAccuracy.toFixed(4),
      'student, hard labels': hard.at(-1)!.toFixed(4),
      'student, distilled': distilled.at(-1)!.toFixed(4),
      temperature: TEMPERATURE,
      'teacher training images': train.count,
      'student training images': studentCount,
    },
    plots,
    lossHistory: distilledLosses,
  };
  recordResult(options.out, result);
  [train, test].forEach(disposeSplit);
  teacher.dispose();
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runDistillation(await exampleOptions());
  console.log(result.summary);
}
