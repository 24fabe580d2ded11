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
  // The main entry imports the layers entry by name rather than bundling a
  // second copy: the layer class it registers must be one class.
  external: [/^@tensorflow\//, 'tfjs-entropy/layers'],
  // Node 20 is the oldest supported runtime; browsers get it through a bundler.
  target: 'es2022',
  sourcemap: true,
  clean: true,
  // One file per format: the package is small, and splitting only adds chunks.
  splitting: false,
  treeshake: true,
});
