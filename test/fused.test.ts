/**
 * The fused kernels (src/kernels/) against the composite path they replace,
 * on this project's backend: every public function, with random valid
 * options, at ordinary values, at its extremes and with NaN and ±Infinity
 * entries, gives the same values and gradients with the kernels on and off:
 * finite numbers within a float32 bound, NaN and ±Infinity exactly. And the
 * kernels do run: each fused core shows up in tf.profile where it should.
 */
import * as tf from '@tensorflow/tfjs';
import { fc } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { afterEach, describe, expect, test } from 'vitest';
import * as entropy from '../src/index.js';
import { FUSED_KERNELS_FLAG } from '../src/kernels/fused.js';
import { UNIT_ROUNDOFF } from './support/float32.js';
import { FUSED_CORES } from './support/fused-cores.js';
import { extreme, inputShape, publicCases, toInputs, valueAndGradients, type Options, type PublicCase } from './support/public-functions.js';

const fusedDefault = tf.env().getBool(FUSED_KERNELS_FLAG);
afterEach(() => {
  tf.env().set(FUSED_KERNELS_FLAG, fusedDefault);
});

/** Every number of the value and of the gradients, with the fused kernels on or off. */
function evaluate(c: PublicCase, inputs: readonly tf.Tensor[], options: Options, fused: boolean): number[] {
  tf.env().set(FUSED_KERNELS_FLAG, fused);
  return tf.tidy(() => {
    const { value, gradients } = valueAndGradients(c, inputs, options);
    return [...value.dataSync(), ...gradients.flatMap((g) => Array.from(g.dataSync()))];
  });
}

/**
 * The float32 bound of one number: both paths round each of at most
 * 16 + C terms once per operation, on numbers as large as `scale`.
 */
const bound = (value: number, classes: number, scale: number) => 2 * (16 + classes) * UNIT_ROUNDOFF * scale * (1 + Math.abs(value));

function expectSame(fused: number[], composite: number[], classes: number, scale: number, what: string): void {
  expect(fused).toHaveLength(composite.length);
  composite.forEach((b, i) => {
    const a = fused[i]!;
    const at = `${what}[${i}]: fused ${a}, composite ${b}`;
    if (!Number.isFinite(b) || !Number.isFinite(a)) expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), at).toBe(true);
    else expect(Math.abs(a - b), at).toBeLessThanOrEqual(bound(b, classes, scale));
  });
}

const SPECIAL = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

/** Puts one special value into one float input (not a label or a weight), at a random entry. */
function withSpecial(c: PublicCase, raw: Array<number[][] | number[]>, random: () => number): Array<number[][] | number[]> {
  const candidates = c.differentiable.filter((i) => c.kinds[i] !== 'weight' && (raw[i] as number[]).flat().length > 0);
  if (candidates.length === 0) return raw;
  const input = candidates[Math.floor(random() * candidates.length)]!;
  const copy = raw.map((x) => JSON.parse(JSON.stringify(x)) as number[][] | number[]);
  const rows = copy[input] as number[][];
  const row = Array.isArray(rows[0]) ? rows[Math.floor(random() * rows.length)]! : (rows as unknown as number[]);
  row[Math.floor(random() * row.length)] = SPECIAL[Math.floor(random() * SPECIAL.length)]!;
  return copy;
}

describe('fused kernels and the composite path agree', () => {
  test.each(publicCases.map((c) => [c.title, c] as const))('%s: ordinary, extreme and special values', (_name, c) => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer(), c.validOptions(2), fc.constantFrom('ordinary', 'extreme', 'special'), (batch, classes, seed, options, kind) => {
        fc.pre(!(batch === 0 && (options['axis'] === 0 || options['axis'] === -2)));
        const random = seedrandom(String(seed));
        let raw = c.inputs(batch, classes, random);
        if (kind === 'extreme') raw = raw.map((x, i) => extreme(c.kinds[i]!, x));
        if (kind === 'special') raw = withSpecial(c, raw, random);
        const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [batch, classes], options)));
        const scale = Math.max(10, ...raw.flatMap((x) => (x as number[]).flat()).filter(Number.isFinite).map(Math.abs));
        try {
          expectSame(evaluate(c, inputs, options, true), evaluate(c, inputs, options, false), classes, scale, `${kind} ${JSON.stringify(options)}`);
        } finally {
          tf.dispose(inputs);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('the fused kernels run', () => {
  test('every fused core names a public function', () => {
    const titles = publicCases.map((c) => c.title);
    expect(Object.keys(FUSED_CORES).filter((title) => !titles.includes(title))).toEqual([]);
  });

  test.each(Object.entries(FUSED_CORES))('%s runs %s forward and its gradient kernels backward, and not with the flag off', async (title, kernelName) => {
    const c = publicCases.find((candidate) => candidate.title === title)!;
    const raw = c.inputs(3, 4, seedrandom(title));
    const inputs = toInputs(c, raw, raw.map((_, i) => inputShape(c, i, [3, 4])));
    const kernelsRun = async (fused: boolean) => {
      tf.env().set(FUSED_KERNELS_FLAG, fused);
      const profile = await tf.profile(() => tf.tidy(() => valueAndGradients(c, inputs, {}).gradients));
      return profile.kernels.map((k) => k.name);
    };
    const on = await kernelsRun(true);
    expect(on).toContain(kernelName);
    expect(on.some((name) => name.startsWith(kernelName) && name.includes('Grad'))).toBe(true);
    expect((await kernelsRun(false)).filter((name) => name.startsWith('Entropy'))).toEqual([]);
    tf.dispose(inputs);
  });
});

/** Value and gradients of `f` at `inputs` (differentiated: those listed), with the fused kernels on or off. */
function valueAndGradientsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], differentiated: number[], fused: boolean): number[] {
  tf.env().set(FUSED_KERNELS_FLAG, fused);
  return tf.tidy(() => {
    const call = (...xs: tf.Tensor[]) => f(...inputs.map((x, i) => (differentiated.includes(i) ? xs[differentiated.indexOf(i)]! : x)));
    const { value, grads } = tf.valueAndGrads(call)(differentiated.map((i) => inputs[i]!));
    return [...value.dataSync(), ...grads.flatMap((g) => Array.from(g.dataSync()))];
  });
}

describe('fused and composite agree where the random inputs do not reach', () => {
  const same = (f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], differentiated: number[], scale: number) => {
    try {
      expectSame(valueAndGradientsOf(f, inputs, differentiated, true), valueAndGradientsOf(f, inputs, differentiated, false), 4, scale, 'values and gradients');
    } finally {
      tf.dispose(inputs);
    }
  };

  test('an ignoreIndex outside int32 ignores nothing (the kernels take an int32)', () => {
    same((z) => entropy.sparseSoftmaxCrossEntropy(tf.tensor1d([0, 1], 'int32'), z!, { ignoreIndex: 2 ** 32, reduction: 'none' }), [tf.tensor2d([[2, 1, 0.1], [0.5, 2.5, 0.3]])], [0], 10);
  });

  test('a label smoothing whose ε/C is subnormal in float64 is 0 in float32: no mass on a −Infinity logit', () => {
    same((z) => entropy.sparseSoftmaxCrossEntropy(tf.tensor1d([0], 'int32'), z!, { labelSmoothing: 1e-323, reduction: 'none' }), [tf.tensor2d([[0, -Infinity]])], [0], 10);
    same((y, z) => entropy.softmaxCrossEntropy(y!, z!, { labelSmoothing: 1e-323, reduction: 'none' }), [tf.tensor2d([[1, 0]]), tf.tensor2d([[0, -Infinity]])], [0, 1], 10);
  });

  test('huge tied logits: log softmax as (z − m) − log-sum, not z − (m + log-sum)', () => {
    same((y, z) => entropy.softmaxCrossEntropy(y!, z!, { reduction: 'none' }), [tf.tensor2d([[1, 0, 0, 0]]), tf.tensor2d([[1e30, 1e30, 0, -5]])], [1], 10);
  });

  test('categorical KL of huge logits at a temperature: logits/T rounded as the composite path rounds them', () => {
    same((p, q) => entropy.categoricalKL(p!, q!, { temperature: 1.7, reduction: 'none' }), [tf.tensor2d([[1e30, 1e30, 0, 1]]), tf.tensor2d([[1e30, 0, 1e30, 2]])], [0, 1], 10);
  });

  test('exp near the ends of float32: e^88.6 and e^−95 are neither clipped nor flushed', () => {
    same((m, v, mq, vq) => entropy.gaussianCrossEntropy(m!, v!, mq!, vq!), [tf.tensor2d([[0, 0, 0, 0]]), tf.tensor2d([[88.6, -95, 1, 0]]), tf.tensor2d([[0, 0, 0, 0]]), tf.tensor2d([[0, 0, 0, 0]])], [0, 1, 2, 3], 10);
  });
});
