/**
 * cpu and wasm give the same values and gradients for every public function,
 * within twice the float32 error bound that each meets against float64
 * (the bound of test/support/float32.ts, with the scale of these inputs).
 * One process switches between the two backends; it runs in the cpu project.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { afterAll, describe, expect, test } from 'vitest';
import { UNIT_ROUNDOFF } from './support/float32.js';
import { inputShape, publicCases, toInputs, valueAndGradients } from './support/public-functions.js';

const BATCH = 4;
const CLASSES = 5;
/** Inputs are logits in [−3, 3] and probabilities ≥ 0.05: terms up to (1 + 2·3 + log 5)·(1 + |value|) < 10·(1 + |value|). */
const SCALE = 10;
const tolerance = (value: number) => 2 * (16 + BATCH * CLASSES) * UNIT_ROUNDOFF * SCALE * (1 + Math.abs(value));

async function evaluate(backend: string, title: string): Promise<number[]> {
  expect(await tf.setBackend(backend)).toBe(true);
  const c = publicCases.find((candidate) => candidate.title === title)!;
  const random = seedrandom(title);
  const raw = c.inputs(BATCH, CLASSES, random);
  return tf.tidy(() => {
    const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [BATCH, CLASSES])));
    const { value, gradients } = valueAndGradients(c, inputs, c.fixedOptions);
    return [...value.dataSync(), ...gradients.flatMap((g) => Array.from(g.dataSync()))];
  });
}

describe.runIf(process.env['TFJS_BACKEND'] === 'cpu')('cpu and wasm agree', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  test.each(publicCases.map((c) => c.title))('%s: values and gradients', async (title) => {
    const onCpu = await evaluate('cpu', title);
    const onWasm = await evaluate('wasm', title);
    expect(onWasm).toHaveLength(onCpu.length);
    onCpu.forEach((a, i) => expect(Math.abs(a - onWasm[i]!), `${title}[${i}]: cpu ${a}, wasm ${onWasm[i]}`).toBeLessThanOrEqual(tolerance(a)));
  });
});
