/**
 * The layering the README describes, as import rules checked on the sources:
 * the machinery (src/machinery) below the losses (losses/), the tools
 * (src/tools) beside them, the tfjs-layers adapters (src/layers) and the entry
 * point (src/index.ts) above; examples use only the entry point.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');

type Layer = 'machinery' | 'losses' | 'tools' | 'layers' | 'entry' | 'examples';

/** The layers each may import from (besides its own, and packages). */
const allowed: Record<Layer, readonly Layer[]> = {
  machinery: [],
  losses: ['machinery'],
  tools: ['machinery'],
  layers: ['machinery', 'losses', 'tools'],
  entry: ['machinery', 'losses', 'tools', 'layers'],
  examples: ['entry'],
};

function layerOf(path: string): Layer | undefined {
  const file = relative(root, path);
  if (file === 'src/index.ts') return 'entry';
  const [top, sub] = file.split('/');
  if (top === 'losses' || top === 'examples') return top;
  if (top === 'src' && (sub === 'machinery' || sub === 'tools' || sub === 'layers')) return sub;
  return undefined;
}

function sources(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(root, folder, file));
}

/** Every relative import of a source file, resolved to a .ts path. */
function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:from|import)\s+'(\.[^']+)'/g)].map(([, specifier]) => resolve(dirname(path), specifier!).replace(/\.js$/, '.ts'));
}

const files = [...sources('src'), ...sources('losses'), ...sources('examples')];

describe('import rules', () => {
  test.each(files.map((file) => [relative(root, file), file]))('%s imports only from the layers below it', (_name, file) => {
    const layer = layerOf(file)!;
    const breaking = importsOf(file).filter((target) => {
      const targetLayer = layerOf(target);
      if (layer === 'examples' && targetLayer === undefined) return false; // examples' own helpers, data
      return targetLayer !== layer && !allowed[layer].includes(targetLayer as Layer);
    });
    expect(breaking.map((target) => relative(root, target))).toEqual([]);
  });

  test('the rules catch a breach (a loss importing a layers adapter)', () => {
    expect(allowed.losses.includes(layerOf(join(root, 'src/layers/loss-functions.ts'))!)).toBe(false);
    expect(allowed.machinery.includes(layerOf(join(root, 'losses/information.ts'))!)).toBe(false);
    expect(allowed.examples.includes(layerOf(join(root, 'losses/information.ts'))!)).toBe(false);
  });
});
