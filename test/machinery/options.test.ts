/**
 * src/machinery/options.ts: reading options against one declaration
 * (defaults, checks, unknown names, null, required options, a twin's share).
 */
import { describe, expect, test } from 'vitest';
import { optional, pick, readOptions, required, withDefault } from '../../src/machinery/options.js';
import { inRange, positiveNumber } from '../../src/machinery/validate.js';

const spec = {
  size: required(positiveNumber),
  rate: withDefault(0.5, inRange(0, 1)),
  seed: optional(inRange(0, Infinity)),
};

describe('readOptions', () => {
  test('defaults where left out or undefined; given values checked and returned', () => {
    expect(readOptions('f', spec, { size: 2 })).toEqual({ size: 2, rate: 0.5, seed: undefined });
    expect(readOptions('f', spec, { size: 2, rate: undefined, seed: 3 })).toEqual({ size: 2, rate: 0.5, seed: 3 });
  });

  test.each([
    [{ size: 2, rate: 2 }, 'f: rate must be a finite number in [0, 1], got 2'],
    [{}, 'f: size must be a finite number > 0, got undefined'],
    [{ size: 2, Rate: 1 }, "f: unknown option 'Rate' (expected one of: size, rate, seed)"],
    [{ size: 2, seed: null }, "f: option 'seed' is null; leave it out (or pass undefined) for its default"],
  ])('%j: %s', (options, message) => {
    expect(() => readOptions('f', spec, options as never)).toThrowError(message);
  });

  test('options that are not an object are an error', () => {
    expect(() => readOptions('f', spec, null as never)).toThrowError('f: options must be an object, got null');
    expect(() => readOptions('f', spec, 3 as never)).toThrowError('f: options must be an object, got 3');
  });

  test('pick takes a twin\'s share in the order given, which is the order messages list', () => {
    const twin = pick(spec, ['seed', 'rate']);
    expect(Object.keys(twin)).toEqual(['seed', 'rate']);
    expect(() => readOptions('g', twin, { size: 1 } as never)).toThrowError("g: unknown option 'size' (expected one of: seed, rate)");
  });
});
