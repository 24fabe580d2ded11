import { defineConfig } from 'tsup';

export default defineConfig({
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
  clean: true,
  // Code both entries share (the layers adapters, which the main entry
  // re-exports as `layers`) goes into one shared chunk per format, so the
  // layer class registered with tf.serialization is one class whichever
  // entry a user imports. (For CJS this is tsup's own splitting.)
  splitting: true,
  treeshake: true,
});
