/**
 * The layering the README describes, as import rules checked on the sources:
 * the machinery (src/machinery) and the fused kernels (src/kernels) below
 * the losses (losses/), the tools
 * (src/tools) beside them, the tfjs-layers adapters (src/layers) and the entry
 * point (src/index.ts) above; examples use only the entry point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');

type Layer = 'machinery' | 'kernels' | 'losses' | 'tools' | 'layers' | 'entry' | 'examples';

/** The layers each may import from (besides its own, and packages). */
const allowed: Record<Layer, readonly Layer[]> = {
  machinery: [],
  kernels: [],
  losses: ['machinery', 'kernels'],
  tools: ['machinery'],
  layers: ['machinery', 'losses', 'tools'],
  entry: ['machinery', 'kernels', 'losses', 'tools', 'layers'],
  examples: ['entry'],
};

function layerOf(path: string): Layer | undefined {
  const file = relative(root, path);
  if (file === 'src/index.ts') return 'entry';
  const [top, sub] = file.split('/');
  if (top === 'losses' || top === 'examples') return top;
  if (top === 'src' && (sub === 'machinery' || sub === 'kernels' || sub === 'tools' || sub === 'layers')) return sub;
  return undefined;
}

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, folder, file));
}

/** Every relative import (static, bare or dynamic, either quote) of source text at `path`, resolved to a .ts path. */
function importsOf(path: string, text = readFileSync(path, 'utf8')): string[] {
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)].map(([, specifier]) => resolve(dirname(path), specifier!).replace(/\.js$/, '.ts'));
}

/** The imports of source text at `path` that break the rules. */
function breaches(path: string, text?: string): string[] {
  const layer = layerOf(path)!;
  return importsOf(path, text)
    .filter((target) => {
      const targetLayer = layerOf(target);
      if (layer === 'examples' && targetLayer === undefined) return false; // examples' own helpers, data
      return targetLayer !== layer && !allowed[layer].includes(targetLayer as Layer);
    })
    .map((target) => relative(root, target));
}

const files = [...sources('src'), ...sources('losses'), ...sources('examples')];

describe('import rules', () => {
  test.each(files.map((file) => [relative(root, file), file]))('%s imports only from the layers below it', (_name, file) => {
    expect(breaches(file)).toEqual([]);
  });

  test('the check catches breaches in every form of import', () => {
    const loss = join(root, 'losses/bernoulli-kl.ts');
    expect(breaches(loss, "import { layers } from '../src/layers/index.js';")).toEqual(['src/layers/index.ts']);
    expect(breaches(loss, 'import "../src/index.js";')).toEqual(['src/index.ts']);
    expect(breaches(join(root, 'src/machinery/numerics.ts'), "const m = await import('../../losses/gaussian.js');")).toEqual(['losses/gaussian.ts']);
    expect(breaches(join(root, 'examples/vae.ts'), "import { safeSum } from '../src/machinery/tfjs-workarounds.js';")).toEqual(['src/machinery/tfjs-workarounds.ts']);
    expect(breaches(loss, "import { logSoftmax } from '../src/machinery/numerics.js';")).toEqual([]);
  });
});

/**
 * True when test source takes `test` from @fast-check/vitest: its plain
 * test() runs the body as a property, numRuns times (60 here, see
 * test/support/fast-check.ts), so plain tests come from vitest and
 * properties are written `it.prop(...)`.
 */
function takesTestFromFastCheck(text: string): boolean {
  return [...text.matchAll(/^import\s*\{([^}]*)\}\s*from\s*['"]@fast-check\/vitest['"]/gm)].some(([, names]) => /\btest\b/.test(names!));
}

describe('test files', () => {
  const testFiles = sources('test').filter((file) => file.endsWith('.test.ts'));
  test.each(testFiles.map((file) => [relative(root, file), file]))('%s runs each plain test once (test from vitest)', (_name, file) => {
    expect(takesTestFromFastCheck(readFileSync(file, 'utf8'))).toBe(false);
  });

  test('the check catches test taken from @fast-check/vitest, alone or beside others', () => {
    expect(takesTestFromFastCheck("import { fc, test } from '@fast-check/vitest';")).toBe(true);
    expect(takesTestFromFastCheck("import { test } from \"@fast-check/vitest\";")).toBe(true);
    expect(takesTestFromFastCheck("import { fc, it } from '@fast-check/vitest';\nimport { test } from 'vitest';")).toBe(false);
  });
});
