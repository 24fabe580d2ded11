/**
 * The registry the fuzz, invalid-input and backend suites walk
 * (test/support/public-functions.ts) is complete: every export of the entry
 * point, and of its `layers` namespace, is in it or is named in
 * `outsideTheRegistry` with the suite that tests it instead. A new export in
 * neither fails here, instead of being silently skipped by those suites.
 */
import { describe, expect, test } from 'vitest';
import * as entry from '../src/index.js';
import * as layersEntry from '../src/layers/index.js';
import { outsideTheRegistry, publicCases } from './support/public-functions.js';

const exported = [...Object.keys(entry).filter((name) => name !== 'layers'), ...Object.keys(entry.layers).map((name) => `layers.${name}`)];

describe('the registry of public functions', () => {
  test('every export of the entry is in the registry, or outside it with a reason', () => {
    const registered = new Set(publicCases.map((c) => c.name));
    expect(exported.filter((name) => !registered.has(name) && !(name in outsideTheRegistry))).toEqual([]);
  });

  test('the registry names nothing that is not exported', () => {
    const names = [...publicCases.map((c) => c.name), ...Object.keys(outsideTheRegistry)];
    expect(names.filter((name) => !exported.includes(name))).toEqual([]);
  });

  test('the tfjs-entropy/layers subpath exports what the layers namespace holds', () => {
    expect(Object.keys(layersEntry).sort()).toEqual(Object.keys(entry.layers).sort());
  });
});
