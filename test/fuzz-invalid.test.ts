/**
 * Fuzzing every public function with invalid inputs (fast-check, fixed seed,
 * bounded runs). Each corruption of a valid call has one documented outcome
 * (README, "Bad input"), and none leaves a tensor behind, in the call or
 * under `tf.grads`:
 *
 * - an invalid option value, an option set to null, an unknown option name;
 *   a mismatched shape; a scalar where a `[…, classes]` input belongs; a
 *   string, bool or int32 tensor where float32 is expected: an Error whose
 *   message starts with the function's name (and names the option);
 * - an int32 or bool tensor for a target that accepts one-hot labels: the
 *   value of the same numbers as float32;
 * - a label outside [0, C): a RangeError naming the value;
 * - NaN in any float input: NaN in every output it reaches, and the other
 *   outputs unchanged;
 * - a negative probability: NaN in its row where the probability is under a
 *   log; the formula's value where it only weighs one.
 */
import * as tf from '@tensorflow/tfjs';
import { fc } from '@fast-check/vitest';
import seedrandom from 'seedrandom';
import { describe, expect, test } from 'vitest';
import { extreme, inputShape, outputShape, publicCases, toInputs, valueAndGradients, type Options, type PublicCase } from './support/public-functions.js';

const BATCH = 3;

/** Valid raw inputs and their tensors' shapes, for `classes` classes. */
function validCall(c: PublicCase, classes: number, seed: number) {
  const raw = c.inputs(BATCH, classes, seedrandom(String(seed)));
  const shapes = raw.map((_, i) => inputShape(c, i, [BATCH, classes], c.fixedOptions));
  return { raw, shapes };
}

/**
 * Runs `f` on fresh inputs outside any tidy scope (which would hide a leak)
 * and checks that, once what it returned is disposed, it left no tensor,
 * whether it returned or threw. `read` takes numbers out before the disposal.
 */
function leakFree<R>(makeInputs: () => tf.Tensor[], f: (inputs: tf.Tensor[]) => tf.TensorContainer, read: (out: never) => R = () => undefined as R): R {
  const inputs = makeInputs();
  const before = tf.memory().numTensors;
  let out: tf.TensorContainer | undefined;
  try {
    out = f(inputs);
    return read(out as never);
  } finally {
    tf.dispose(out);
    const left = tf.memory().numTensors - before;
    tf.dispose(inputs);
    expect(left, 'tensors left behind').toBe(0);
  }
}

/** The error `call` throws, in a plain call and under tf.grads, checking both leave nothing behind. */
function errorOf(c: PublicCase, makeInputs: () => tf.Tensor[], options: Options): Error {
  const attempts = [(inputs: tf.Tensor[]) => c.call(inputs, options), (inputs: tf.Tensor[]) => ({ ...valueAndGradients(c, inputs, options) })];
  const errors = attempts.map((f) => {
    try {
      leakFree(makeInputs, f);
    } catch (error) {
      return error as Error;
    }
    throw new Error(`${c.name} accepted ${JSON.stringify(options)}`);
  });
  expect(errors[1]!.message).toBe(errors[0]!.message);
  return errors[0]!;
}

/** Value (as numbers) and shape, with the gradients computed too, checking nothing is left behind. */
function numbersOf(c: PublicCase, makeInputs: () => tf.Tensor[], options: Options): { value: number[]; shape: number[] } {
  return leakFree(
    makeInputs,
    (inputs) => ({ ...valueAndGradients(c, inputs, options) }),
    ({ value, gradients }: { value: tf.Tensor; gradients: tf.Tensor[] }) => {
      gradients.forEach((g) => g.dataSync());
      return { value: Array.from(value.dataSync()), shape: value.shape };
    },
  );
}

const floatInputs = (c: PublicCase) => c.kinds.flatMap((kind, i) => (kind === 'label' ? [] : [i]));
const labelInputs = (c: PublicCase) => c.kinds.flatMap((kind, i) => (kind === 'label' ? [i] : []));
/** Inputs of the `[…, classes]` shape, which cannot be scalars (priors, class and sample weights broadcast). */
const fullInputs = (c: PublicCase) => c.kinds.flatMap((kind, i) => (['weight', 'prior', 'classWeight'].includes(kind) ? [] : [i]));

/**
 * Inputs whose last axis, grown, no longer matches another input: every input
 * but a lone `[…, classes]` one (more classes for sparse labels are valid).
 */
const mismatchable = (c: PublicCase) => {
  const classInputs = c.kinds.flatMap((kind, i) => (['label', 'weight'].includes(kind) ? [] : [i]));
  return c.kinds.map((_, i) => i).filter((i) => !(classInputs.length === 1 && classInputs[0] === i));
};

const cases = publicCases.map((c) => [c.title, c] as const);
const common = { classes: fc.integer({ min: 1, max: 4 }), seed: fc.integer() };

describe('fuzzing every public function with invalid inputs', () => {
  test.each(cases)('%s: an invalid, null or unknown option is an Error naming the function and the option', (_name, c) => {
    fc.assert(
      fc.property(common.classes, common.seed, fc.constantFrom(...c.invalidOptions(2)), (classes, seed, bad) => {
        const { raw, shapes } = validCall(c, classes, seed);
        const error = errorOf(c, () => toInputs(c, raw, shapes), { ...c.fixedOptions, ...bad });
        expect(error.message.startsWith(`${c.name}: `), error.message).toBe(true);
        expect(error.message).toContain(Object.keys(bad)[0]);
      }),
      { numRuns: 30 },
    );
  });

  test.each(cases)('%s: a mismatched shape or a scalar input is an Error naming the function', (_name, c) => {
    fc.assert(
      fc.property(common.classes, common.seed, fc.nat(), fc.boolean(), (classes, seed, pick, scalar) => {
        const { raw, shapes } = validCall(c, classes, seed);
        const candidates = scalar ? fullInputs(c) : mismatchable(c);
        fc.pre(candidates.length > 0);
        const i = candidates[pick % candidates.length]!;
        // Two more entries along the last axis (or the only one) never broadcast, nor match.
        const badShape = scalar ? [] : shapes[i]!.map((size, axis) => (axis === shapes[i]!.length - 1 ? size + 2 : size));
        const badRaw = raw.map((x, k) => (k === i ? Array.from({ length: badShape.reduce((a, b) => a * b, 1) }, () => (c.kinds[k] === 'label' ? 0 : 0.5)) : x));
        const error = errorOf(c, () => toInputs(c, badRaw, shapes.map((s, k) => (k === i ? badShape : s))), c.fixedOptions);
        expect(error.message.startsWith(`${c.name}: `), error.message).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  test.each(cases)('%s: a wrong dtype is an Error naming the function, or a documented cast', (_name, c) => {
    fc.assert(
      fc.property(common.classes, common.seed, fc.nat(), fc.constantFrom('int32', 'bool', 'string', 'float32'), (classes, seed, pick, dtype) => {
        const { raw, shapes } = validCall(c, classes, seed);
        const i = pick % c.kinds.length;
        const isLabel = c.kinds[i] === 'label';
        fc.pre(dtype !== (isLabel ? 'int32' : 'float32') && !(dtype === 'float32' && c.floatLabels?.includes(i)));
        const values = (raw[i] as number[]).flat();
        const asDtype = () => {
          const inputs = toInputs(c, raw, shapes);
          inputs[i]!.dispose();
          inputs[i] = dtype === 'string' ? tf.tensor(values.map(String), shapes[i], 'string') : tf.tensor(values, shapes[i], dtype);
          return inputs;
        };
        if (c.castsIntegers?.includes(i) && dtype !== 'string') {
          // Cast: the value of the same numbers as float32 (tfjs truncates to int32, and rounds to bool).
          const same = () => toInputs(c, raw.map((x, k) => (k === i ? (x as number[][]).map((row) => row.map((v) => (dtype === 'bool' ? Number(Math.round(v) !== 0) : Math.trunc(v)))) : x)), shapes);
          const valueOf = (makeInputs: () => tf.Tensor[]) => leakFree(makeInputs, (inputs) => c.call(inputs, c.fixedOptions), (value: tf.Tensor) => Array.from(value.dataSync()));
          const [cast, float] = [valueOf(asDtype), valueOf(same)];
          expect(cast).toEqual(float);
          return;
        }
        const error = errorOf(c, asDtype, c.fixedOptions);
        expect(error.message.startsWith(`${c.name}: `), error.message).toBe(true);
      }),
      { numRuns: 20 },
    );
  });

  test.each(cases.filter(([, c]) => labelInputs(c).length > 0))('%s: a label outside [0, C) is a RangeError naming it', (_name, c) => {
    fc.assert(
      fc.property(common.classes, common.seed, fc.nat({ max: BATCH - 1 }), fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: -50, max: -1 })), (classes, seed, row, offset) => {
        const { raw, shapes } = validCall(c, classes, seed);
        const i = labelInputs(c)[0]!;
        const label = offset >= 0 ? (c.labelClasses?.(classes) ?? classes) + offset : offset;
        const badRaw = raw.map((x, k) => (k === i ? (x as number[]).map((v, r) => (r === row ? label : v)) : x));
        const error = errorOf(c, () => toInputs(c, badRaw, shapes), c.fixedOptions);
        expect(error).toBeInstanceOf(RangeError);
        expect(error.message).toContain(`${c.name}: label ${label} at [${row}]`);
      }),
      { numRuns: 15 },
    );
  });

  test.each(cases)('%s: NaN in a float input gives NaN where it reaches, whatever the options, and nothing else changes', (_name, c) => {
    // Classes stay on the last axis, and no label is ignored (an ignored sample's logits are unused, as in PyTorch).
    const options = c.validOptions(2).map(({ axis: _axis, ignoreIndex: _ignoreIndex, ...rest }) => rest);
    fc.assert(
      fc.property(common.classes, common.seed, fc.nat(), fc.nat(), options, fc.boolean(), (classes, seed, pick, position, chosen, pushed) => {
        const call = validCall(c, classes, seed);
        // The options may reshape an input (a transposed weight).
        const shapes = call.raw.map((_, k) => inputShape(c, k, [BATCH, classes], chosen));
        // Pushed: logits ±3e4, log-variances ±30, probabilities exactly 0 and 1 (where a weight of 0 must not hide NaN).
        const raw = pushed ? call.raw.map((x, k) => extreme(c.kinds[k]!, x)) : call.raw;
        const i = floatInputs(c)[pick % floatInputs(c).length]!;
        const flat = (raw[i] as number[]).flat();
        const at = position % flat.length;
        const withNaN = raw.map((x, k) => (k === i ? flat.map((v, n) => (n === at ? NaN : v)) : x));
        const clean = numbersOf(c, () => toInputs(c, raw, shapes), chosen);
        const dirty = numbersOf(c, () => toInputs(c, withNaN, shapes), chosen);
        expect(dirty.shape).toEqual(clean.shape);
        if (c.unused?.includes(i)) {
          expect(dirty.value).toEqual(clean.value);
          return;
        }
        // Outputs the entry surely reaches: all of a scalar, all for a prior or a projection (every row's logits); its own row (or entry) otherwise.
        // Class weights reach the rows whose label (or smoothed mass) uses that class: each output is NaN or unchanged.
        const reached = (n: number) => {
          if (c.kinds[i] === 'classWeight') return undefined;
          if (clean.shape.length === 0 || ['prior', 'projection', 'projectionBias'].includes(c.kinds[i]!)) return true;
          // An embedding is compared with every row of the other input: its own row surely, any other perhaps.
          if (c.kinds[i] === 'embedding') return n === Math.floor(at / classes) ? true : undefined;
          const perEntry = c.output(chosen) === 'elements';
          if (c.kinds[i] === 'weight') return perEntry ? Math.floor(n / classes) === at : n === at;
          return perEntry ? n === at : n === Math.floor(at / classes);
        };
        dirty.value.forEach((v, n) => {
          const message = `output ${n} with ${JSON.stringify(chosen)}: ${v} (clean ${clean.value[n]})`;
          const sure = reached(n);
          if (sure === undefined) expect(Number.isNaN(v) || Object.is(v, clean.value[n]), message).toBe(true);
          else if (sure) expect(v, message).toBeNaN();
          else expect(v, message).toBe(clean.value[n]);
        });
      }),
      { numRuns: 50 },
    );
  });

  const probabilityCases = cases.filter(([, c]) => c.kinds.includes('probability'));
  test.each(probabilityCases)('%s: a negative probability gives NaN under a log, the formula\'s value where it only weighs a log', (_name, c) => {
    fc.assert(
      fc.property(common.classes, common.seed, fc.nat(), fc.nat(), (classes, seed, pick, position) => {
        const { raw, shapes } = validCall(c, classes, seed);
        const probabilities = c.kinds.flatMap((kind, k) => (kind === 'probability' ? [k] : []));
        const i = probabilities[pick % probabilities.length]!;
        const flat = (raw[i] as number[]).flat();
        const at = position % flat.length;
        const negative = raw.map((x, k) => (k === i ? flat.map((v, n) => (n === at ? -0.25 : v)) : x));
        const { value } = numbersOf(c, () => toInputs(c, negative, shapes), c.fixedOptions);
        const row = outputShape(c, c.fixedOptions, [BATCH, classes]).length === 0 ? 0 : Math.floor(at / classes);
        if ((c.negative?.[i] ?? 'nan') === 'nan') expect(value[row]).toBeNaN();
        else expect(value.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });
});
