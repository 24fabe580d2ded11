/**
 * The tfjs ops against the float64 reference on random inputs, values and
 * gradients, with tolerances from the float32 error model in
 * test/support/reference.ts (not tuned to what passes).
 */
import * as tf from '@tensorflow/tfjs';
import { fc, test } from '@fast-check/vitest';
import { describe } from 'vitest';
import { crossEntropy, entropy, jsDivergence, klDivergence } from '../../src/index.js';
import { distributionPair } from '../support/arbitraries.js';
import { expectNear } from '../support/float32.js';
import {
  crossEntropy64,
  entropy64,
  float32GradientBound,
  float32ValueBound,
  jsDivergence64,
  klDivergence64,
  type Measured,
} from '../support/reference.js';

type Pair = (p: tf.Tensor, q: tf.Tensor, options: { axis?: number; base?: number }) => tf.Tensor;

interface Measure {
  name: string;
  op: Pair;
  reference: (p: number[], q: number[], base: number) => Measured;
  /** Which distribution plays "q" in the error bounds (the mixture for JS). */
  errorPartners: (p: number[], q: number[]) => Array<[number[], number[]]>;
}

const mixture = (p: number[], q: number[]) => p.map((pi, i) => (pi + q[i]!) / 2);
const measures: Measure[] = [
  {
    name: 'entropy',
    op: (p, _q, options) => entropy(p, options),
    reference: (p, _q, base) => entropy64(p, base),
    errorPartners: (p) => [[p, p]],
  },
  { name: 'crossEntropy', op: crossEntropy, reference: crossEntropy64, errorPartners: (p, q) => [[p, q]] },
  { name: 'klDivergence', op: klDivergence, reference: klDivergence64, errorPartners: (p, q) => [[p, q]] },
  {
    name: 'jsDivergence',
    op: jsDivergence,
    reference: jsDivergence64,
    errorPartners: (p, q) => [
      [p, mixture(p, q)],
      [q, mixture(p, q)],
    ],
  },
];

const bases = fc.constantFrom(Math.E, 2, 10);

describe.each(measures)('$name against the float64 reference', ({ op, reference, errorPartners, name }) => {
  const inputCount = name === 'entropy' ? 1 : 2;

  test.prop([distributionPair({ allowZeros: true }), bases, fc.boolean()])(
    'values and gradients on random batches (classes on the last axis or on axis 0)',
    ([pRows, qRows], base, classesFirst) => {
      const dyValues = pRows.map((_, row) => Math.fround(0.5 + row / 4) * (row % 2 === 0 ? 1 : -1));
      const [value, gradients] = tf.tidy(() => {
        const layout = (rows: number[][]) => (classesFirst ? tf.transpose(tf.tensor2d(rows)) : tf.tensor2d(rows));
        const options = { axis: classesFirst ? 0 : -1, base };
        const p = layout(pRows);
        const q = layout(qRows);
        const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b, options))([p, q].slice(0, inputCount), tf.tensor1d(dyValues));
        const restore = (g: tf.Tensor) => (classesFirst ? tf.transpose(g) : g).arraySync() as number[][];
        return [Array.from(op(p, q, options).dataSync()), grads.map(restore)] as const;
      });

      pRows.forEach((pRow, row) => {
        const qRow = qRows[row]!;
        const expected = reference(pRow, qRow, base);
        const valueBound = errorPartners(pRow, qRow).reduce((s, [a, b]) => s + float32ValueBound(a, b, base), 0);
        expectNear(value[row]!, expected.value, valueBound, `value [${row}]`);

        gradients.forEach((gradient, input) => {
          pRow.forEach((_, c) => {
            const partners = errorPartners(pRow, qRow).map(([a, b]) => float32GradientBound(a[c]!, b[c]!, base));
            const bound = Math.abs(dyValues[row]!) * partners.reduce((s, x) => s + x, 0);
            const expectedEntry = dyValues[row]! * expected.gradients[input]![c]!;
            expectNear(gradient[row]![c]!, expectedEntry, bound, `input ${input} [${row},${c}]`);
          });
        });
      });
    },
  );
});
