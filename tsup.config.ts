import type { Plugin } from 'esbuild';
import { defineConfig, type Options } from 'tsup';

/**
 * For the script-tag build: every `@tensorflow/…` import is the page's global
 * `tf` (tfjs's own `tf.min.js`, which holds tfjs-core and tfjs-layers), so the
 * page has one copy of tfjs.
 */
export const tfjsFromGlobal: Plugin = {
  name: 'tfjs-from-global',
  setup(build) {
    build.onResolve({ filter: /^@tensorflow\// }, (args) => ({ path: args.path, namespace: 'tfjs-global' }));
    build.onLoad({ filter: /.*/, namespace: 'tfjs-global' }, () => ({
      contents: "if (!globalThis.tf) throw new Error('tfjs-entropy: load tfjs (tf.min.js) before tfjs-entropy.min.js'); module.exports = globalThis.tf;",
      loader: 'js',
    }));
  },
};

/**
 * The script-tag build: one minified file, loaded after tfjs's tf.min.js,
 * that defines the global `tfEntropy` (the main entry, `layers` included).
 * The browser tests build it too (test/browser/support/page.ts).
 */
export const scriptTagBuild: Options = {
  entry: { 'tfjs-entropy': 'src/index.ts' },
  format: ['iife'],
  globalName: 'tfEntropy',
  outExtension: () => ({ js: '.min.js' }),
  esbuildPlugins: [tfjsFromGlobal],
  platform: 'browser',
  // The browsers tfjs 4.22 itself supports.
  target: 'es2017',
  minify: true,
  sourcemap: true,
  dts: false,
  // Both builds run at once: neither removes the other's output (see packageBuild's clean).
  clean: false,
};

/** The package: ESM and CommonJS for `import` and `require`, with type declarations. */
export const packageBuild: Options = {
  // Two entry points: the package and its `tfjs-entropy/layers` subpath.
  entry: { index: 'src/index.ts', layers: 'src/layers/index.ts' },
  // ESM for bundlers and `import`, CJS for `require`; package.json's exports map picks one.
  format: ['esm', 'cjs'],
  // .d.ts for ESM and .d.cts for CJS, so TypeScript resolves the right one in each mode.
  dts: true,
  // tfjs must stay external: a second bundled copy of tfjs-core would have
  // its own engine, and kernels and gradients registered in one would be
  // invisible to the other. tsup leaves peer dependencies external; this says so.
  external: [/^@tensorflow\//],
  // Node 20 is the oldest supported runtime; browsers get it through a bundler.
  target: 'es2022',
  sourcemap: true,
  // Empties dist/ first, except the script-tag build's files, which that
  // build, running alongside, may already have written.
  clean: ['!tfjs-entropy.min.js', '!tfjs-entropy.min.js.map'],
  // Code both entries share (the layers adapters, which the main entry
  // re-exports as `layers`) goes into one shared chunk per format, so the
  // layer class registered with tf.serialization is one class whichever
  // entry a user imports. (For CJS this is tsup's own splitting.)
  splitting: true,
  treeshake: true,
};

export default defineConfig([packageBuild, scriptTagBuild]);
