/**
 * Options, declared once per function: each option's name, default, check
 * and message in one declaration, from which come the options type users
 * write, the check of unknown names and of `null`, the values the function
 * reads, and (by picking) the options of a function's tfjs-layers twin.
 *
 * @example
 * ```ts
 * export const categoricalKLOptions = { axis: AXIS, temperature: withDefault(1, positiveNumber), reduction: REDUCTION };
 * export type CategoricalKLOptions = OptionsOf<typeof categoricalKLOptions>;
 * const { axis, temperature, reduction } = readOptions('categoricalKL', categoricalKLOptions, options);
 * ```
 */
import type { TensorInput } from './validate.js';

/**
 * Checks one option's value and returns it, or throws an `Error` whose
 * message starts `${fn}: ${name}` (see validate.ts for the checks).
 */
export type Check<T> = (fn: string, name: string, value: T) => T;

/** How one option is read: `Given` is what users pass, `Read` what the function gets (its default applied). */
export interface Option<Given, Read> {
  readonly read: (fn: string, name: string, given: Given | undefined) => Read;
  /** Set on an option that must be given (its type is then not optional). */
  readonly required?: true;
}

/** A function's options: their names, in the order messages list them. */
export type OptionSpec = { readonly [name: string]: Option<never, unknown> };

type GivenOf<O> = O extends Option<infer Given, unknown> ? Given : never;
type ReadOf<O> = O extends Option<never, infer Read> ? Read : never;

type IsRequired<O> = O extends { readonly required: true } ? true : false;

/** The options object users pass: every option optional (`undefined` meaning its default) but the required ones. */
export type OptionsOf<S extends OptionSpec> = {
  readonly [K in keyof S as IsRequired<S[K]> extends true ? never : K]?: GivenOf<S[K]> | undefined;
} & { readonly [K in keyof S as IsRequired<S[K]> extends true ? K : never]: GivenOf<S[K]> };

/** The options as the function reads them: checked, defaults applied. */
export type ReadOptions<S extends OptionSpec> = { readonly [K in keyof S]: ReadOf<S[K]> };

/** An option that takes `value` when left out; a given value is checked. */
export function withDefault<T>(value: T, check: Check<T>): Option<T, T> {
  return { read: (fn, name, given) => (given === undefined ? value : check(fn, name, given)) };
}

/** An option with no default: `undefined` when left out; a given value is checked. */
export function optional<T>(check: Check<T>): Option<T, T | undefined> {
  return { read: (fn, name, given) => (given === undefined ? undefined : check(fn, name, given)) };
}

/** An option that must be given: checked even when left out (so the check's message says it is missing). */
export function required<T>(check: Check<T>): Option<T, T> & { readonly required: true } {
  return { read: (fn, name, given) => check(fn, name, given as T), required: true };
}

/** No check here: a tensor option (checked against the inputs' shapes when they are known) or the class axis (checked against their rank). */
export const unchecked = <T>(_fn: string, _name: string, value: T): T => value;

/** An optional tensor option: `[C]` class weights, sample weights, `posWeight`. */
export const TENSOR = optional<TensorInput>(unchecked);

/** The axis that holds the classes or the distribution: default `-1`, checked against the input's rank when it is known. */
export const AXIS = withDefault<number>(-1, unchecked);

/**
 * Reads `options` against the declaration `spec`: throws on a name not in
 * `spec`, on an option set to `null` (left out or `undefined` take the
 * default; `null` is read as neither), and on a value its check rejects.
 */
export function readOptions<S extends OptionSpec>(fn: string, spec: S, options: OptionsOf<S>): ReadOptions<S> {
  if (typeof options !== 'object' || options === null) {
    throw new Error(`${fn}: options must be an object, got ${String(options)}`);
  }
  const names = Object.keys(spec);
  for (const [name, value] of Object.entries(options)) {
    if (!names.includes(name)) {
      throw new Error(`${fn}: unknown option '${name}' (expected one of: ${names.join(', ')})`);
    }
    if (value === null) {
      throw new Error(`${fn}: option '${name}' is null; leave it out (or pass undefined) for its default`);
    }
  }
  const given = options as Record<string, unknown>;
  return Object.fromEntries(names.map((name) => [name, spec[name]!.read(fn, name, given[name] as never)])) as ReadOptions<S>;
}

/** The options of `spec` named in `names`, in that order: a twin's share of a function's options. */
export function pick<S extends OptionSpec, const K extends keyof S>(spec: S, names: readonly K[]): Pick<S, K> {
  return Object.fromEntries(names.map((name) => [name, spec[name]])) as Pick<S, K>;
}
