/**
 * Knowledge distillation as it is used (Hinton et al. 2015): a teacher
 * convnet learns from every training digit; a small student MLP is given the
 * labels of only a few thousand of them. Trained on those alone, the student
 * stops well short of the teacher. Distilled, it also learns from the
 * teacher's softened outputs (distillationLoss at T = 4) on the rest of the
 * training images, a transfer set it sees without labels, and closes much of
 * the gap. Both students take the same steps on the same labelled batches in
 * a hand-written optimizer.minimize loop, from the same start, for three
 * seeds (each seed draws its own labelled digits, initial weights and batches).
 *
 *   npx tsx examples/distillation.ts [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 *
 * --epochs sets the teacher's epochs; --samples the training images (the
 * teacher's, and the students' labelled and transfer sets together).
 */
import * as tf from '@tensorflow/tfjs';
import { distillationLoss, layers, sparseSoftmaxCrossEntropy } from '../src/index.js';
import { IMAGE_SIZE } from './mnist.js';
import { exampleOptions, isMain, PREDICT, seededInitializer, shuffledIndices, type ExampleOptions } from './lib/cli.js';
import { accuracyOf, disposeSplit, mnistSplits, type Split } from './lib/data.js';
import { recordResult, writeOutput, type ExampleResult } from './lib/gallery.js';
import { lineChart } from './lib/svg.js';
import './lib/wasm-conv.js'; // the conv2d filter gradient that tfjs-backend-wasm lacks

const TEMPERATURE = 4;
const STUDENT_SEEDS = 3;
const STUDENT_UNITS = 64;

/** How big each part of the run is: the default run, or a few seconds for --quick. */
interface Sizes {
  readonly samples: number;
  readonly testCount: number;
  readonly teacherEpochs: number;
  readonly labelled: number;
  readonly rounds: number;
  readonly stepsPerRound: number;
  /** Images per step: labelled ones, and as many transfer ones for the distilled student. */
  readonly batch: number;
}

function sizesOf(options: ExampleOptions): Sizes {
  const sizes = options.quick
    ? { samples: 600, testCount: 200, teacherEpochs: 1, labelled: 60, rounds: 3, stepsPerRound: 4, batch: 32 }
    : { samples: 60000, testCount: 10000, teacherEpochs: 3, labelled: 2000, rounds: 6, stepsPerRound: 100, batch: 64 };
  return { ...sizes, samples: options.samples ?? sizes.samples, teacherEpochs: options.epochs ?? sizes.teacherEpochs };
}

interface Teacher {
  readonly model: tf.Sequential;
  readonly description: string;
}

/** LeNet-like: conv 5×5×8 → max-pool → conv 5×5×16 → max-pool → dense 64 → 10 logits, on flat 784-pixel images. */
function convnetTeacher(seed: number): Teacher {
  const model = tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [IMAGE_SIZE], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({ filters: 8, kernelSize: 5, activation: 'relu', kernelInitializer: seededInitializer(seed, 1) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 5, activation: 'relu', kernelInitializer: seededInitializer(seed, 2) }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: seededInitializer(seed, 3) }),
      tf.layers.dense({ units: 10, kernelInitializer: seededInitializer(seed, 4) }),
    ],
  });
  return { model, description: 'convnet (conv 5×5×8 → pool → conv 5×5×16 → pool → 64 → 10)' };
}

/**
 * The --quick teacher, an MLP: the cpu backend's conv2d gradients take
 * seconds per batch, too slow for a run of a few seconds.
 */
function mlpTeacher(seed: number): Teacher {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: 64, activation: 'relu', kernelInitializer: seededInitializer(seed, 1) }),
      tf.layers.dense({ units: 10, kernelInitializer: seededInitializer(seed, 2) }),
    ],
  });
  return { model, description: 'MLP (784-64-10; --quick)' };
}

/**
 * Trains the teacher on every training image with model.fit, each epoch at a
 * quarter of the previous one's learning rate; returns its logits on the
 * training images and its test accuracy.
 */
async function teach({ model: teacher, description }: Teacher, train: Split, test: Split, epochs: number): Promise<{ logits: tf.Tensor2D; accuracy: number; description: string }> {
  console.log(`teacher, a ${description}, on ${train.count} digits, ${epochs} epoch(s):`);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const learningRate = 2e-3 / 4 ** epoch;
    const optimizer = tf.train.adam(learningRate);
    teacher.compile({ optimizer, loss: layers.sparseCategoricalCrossentropy({ fromLogits: true }) });
    const start = Date.now();
    const history = await teacher.fit(train.x, train.labels, { epochs: 1, batchSize: 64, shuffle: false, verbose: 0 });
    console.log(`  epoch ${epoch + 1}/${epochs} · learning rate ${learningRate} · loss ${Number(history.history['loss']![0]).toFixed(4)} · ${((Date.now() - start) / 1000).toFixed(1)} s`);
    optimizer.dispose();
  }
  const testLogits = teacher.predict(test.x, PREDICT) as tf.Tensor;
  const { accuracy } = accuracyOf(testLogits, test.labelValues);
  const logits = teacher.predict(train.x, PREDICT) as tf.Tensor2D;
  testLogits.dispose();
  teacher.dispose();
  console.log(`  teacher test accuracy ${accuracy.toFixed(4)}`);
  return { logits, accuracy, description };
}

function studentModel(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [IMAGE_SIZE], units: STUDENT_UNITS, activation: 'relu', kernelInitializer: seededInitializer(seed, 11) }),
      tf.layers.dense({ units: 10, kernelInitializer: seededInitializer(seed, 12) }),
    ],
  });
}

/** Endless batches of indices drawn from `pool`, a fresh seeded shuffle of it on each pass. */
function batchStream(pool: Int32Array, size: number, seed: number): () => tf.Tensor1D {
  let order = new Int32Array(0);
  let position = 0;
  let pass = 0;
  return () => {
    if (position + size > order.length) {
      order = shuffledIndices(pool.length, seed * 1000 + pass++).map((i) => pool[i]!);
      position = 0;
    }
    position += size;
    return tf.tensor1d(order.subarray(position - size, position), 'int32');
  };
}

/** The data a student trains on: all training images, their labels (int32) and the teacher's logits. */
interface Lesson {
  readonly x: tf.Tensor2D;
  readonly labels: tf.Tensor1D;
  readonly teacherLogits: tf.Tensor2D;
}

interface StudentRun {
  /** Test accuracy after each round of steps. */
  readonly accuracies: number[];
  /** Mean training loss of each round. */
  readonly losses: number[];
}

/**
 * Trains a fresh student (seed `seed`) for rounds × steps steps of Adam. Each
 * step takes a batch of labelled images; a distilled student also takes a
 * batch of transfer images and adds distillationLoss on the teacher's logits.
 */
function trainStudent(lesson: Lesson, labelled: Int32Array, transfer: Int32Array | undefined, test: Split, sizes: Sizes, seed: number): StudentRun {
  const student = studentModel(seed);
  const optimizer = tf.train.adam(2e-3);
  const nextLabelled = batchStream(labelled, Math.min(sizes.batch, labelled.length), seed);
  const nextTransfer = transfer && batchStream(transfer, Math.min(sizes.batch, transfer.length), seed + 500);
  const step = () =>
    tf.tidy(() => {
      // The batches are gathered outside minimize: inside it, tfjs would save each gather's
      // input for the backward pass, which on wasm copies all the training images every step.
      const labelledBatch = nextLabelled();
      const hard = { x: tf.gather(lesson.x, labelledBatch), labels: tf.gather(lesson.labels, labelledBatch) };
      const transferBatch = nextTransfer?.();
      const soft = transferBatch && { x: tf.gather(lesson.x, transferBatch), teacherLogits: tf.gather(lesson.teacherLogits, transferBatch) };
      return optimizer.minimize(() => {
        const hardLoss = sparseSoftmaxCrossEntropy(hard.labels, student.apply(hard.x) as tf.Tensor);
        if (soft === undefined) return hardLoss as tf.Scalar;
        const softLoss = distillationLoss(soft.teacherLogits, student.apply(soft.x) as tf.Tensor, { temperature: TEMPERATURE });
        return tf.add(hardLoss, softLoss) as tf.Scalar;
      }, true) as tf.Scalar;
    });
  const run: StudentRun = { accuracies: [], losses: [] };
  for (let round = 0; round < sizes.rounds; round++) {
    let total = 0;
    for (let i = 0; i < sizes.stepsPerRound; i++) {
      const value = step();
      total += value.dataSync()[0]!;
      value.dispose();
    }
    run.losses.push(total / sizes.stepsPerRound);
    const logits = student.predict(test.x, PREDICT) as tf.Tensor;
    run.accuracies.push(accuracyOf(logits, test.labelValues).accuracy);
    logits.dispose();
  }
  optimizer.dispose();
  student.dispose();
  return run;
}

/** Mean and (sample) standard deviation. */
function meanAndSpread(values: readonly number[]): { mean: number; spread: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, spread: Math.sqrt(variance) };
}

const format = ({ mean, spread }: { mean: number; spread: number }) => `${mean.toFixed(3)} ± ${spread.toFixed(3)}`;

/** Element-wise mean of equal-length curves. */
function meanCurve(curves: readonly (readonly number[])[]): number[] {
  return curves[0]!.map((_, i) => curves.reduce((sum, curve) => sum + curve[i]!, 0) / curves.length);
}

export async function runDistillation(options: ExampleOptions): Promise<ExampleResult> {
  const sizes = sizesOf(options);
  const { train, validation, test } = mnistSplits(sizes.samples, sizes.testCount, options.seed);
  disposeSplit(validation);
  const teacher = await teach((options.quick ? mlpTeacher : convnetTeacher)(options.seed), train, test, sizes.teacherEpochs);
  const lesson: Lesson = { x: train.x, labels: tf.cast(train.labels, 'int32'), teacherLogits: teacher.logits };
  const labelledCount = Math.min(sizes.labelled, Math.floor(train.count / 2));

  const hard: StudentRun[] = [];
  const distilled: StudentRun[] = [];
  console.log(
    `students (784-${STUDENT_UNITS}-10), ${sizes.rounds * sizes.stepsPerRound} steps each, ${labelledCount} labelled digits; ` +
      `distilled: also ${train.count - labelledCount} transfer digits at T = ${TEMPERATURE}`,
  );
  for (let s = 0; s < STUDENT_SEEDS; s++) {
    const seed = options.seed * 100 + s;
    const order = shuffledIndices(train.count, seed);
    const labelled = order.slice(0, labelledCount);
    const transfer = order.slice(labelledCount);
    hard.push(trainStudent(lesson, labelled, undefined, test, sizes, seed));
    distilled.push(trainStudent(lesson, labelled, transfer, test, sizes, seed));
    console.log(`  seed ${s + 1}: test accuracy ${hard[s]!.accuracies.at(-1)!.toFixed(4)} with hard labels, ${distilled[s]!.accuracies.at(-1)!.toFixed(4)} distilled`);
  }
  tf.dispose([lesson.labels, lesson.teacherLogits]);

  const hardFinal = meanAndSpread(hard.map((run) => run.accuracies.at(-1)!));
  const distilledFinal = meanAndSpread(distilled.map((run) => run.accuracies.at(-1)!));
  const plots = [
    {
      file: writeOutput(options.out, 'distillation-accuracy.svg', lineChart({
        title: `Students: test accuracy (mean of ${STUDENT_SEEDS} seeds)`,
        xLabel: `steps (×${sizes.stepsPerRound})`,
        yLabel: 'test accuracy',
        series: [
          { name: `hard labels (${labelledCount} digits)`, values: meanCurve(hard.map((run) => run.accuracies)) },
          { name: `distilled (T = ${TEMPERATURE})`, values: meanCurve(distilled.map((run) => run.accuracies)) },
        ],
      })),
      caption:
        `The same 784-${STUDENT_UNITS}-10 student from the same start and the same labelled batches: on ${labelledCount} labelled digits alone, ` +
        `or adding distillationLoss at T = ${TEMPERATURE} on ${train.count - labelledCount} unlabelled digits, the soft targets of a teacher ` +
        `that learnt from all ${train.count} (a ${teacher.description}, test accuracy ${teacher.accuracy.toFixed(3)}).`,
    },
  ];
  const summary =
    `distillation: student test accuracy ${format(hardFinal)} with hard labels, ${format(distilledFinal)} distilled ` +
    `over ${STUDENT_SEEDS} seeds (teacher ${teacher.accuracy.toFixed(3)})`;
  const result: ExampleResult = {
    name: 'distillation',
    title: 'Distillation: distillationLoss on a transfer set, in an optimizer.minimize loop',
    summary,
    figures: {
      teacher: teacher.description,
      'teacher test accuracy': teacher.accuracy.toFixed(4),
      'student, hard labels (mean ± sd)': format(hardFinal),
      'student, distilled (mean ± sd)': format(distilledFinal),
      'student seeds': STUDENT_SEEDS,
      temperature: TEMPERATURE,
      'teacher training images': train.count,
      'labelled images (students)': labelledCount,
      'transfer images (distilled student)': train.count - labelledCount,
      'test images': test.count,
    },
    plots,
    lossHistory: meanCurve(distilled.map((run) => run.losses)),
  };
  recordResult(options.out, result);
  [train, test].forEach(disposeSplit);
  return result;
}

if (isMain(import.meta.url)) {
  const result = await runDistillation(await exampleOptions());
  console.log(result.summary);
}
