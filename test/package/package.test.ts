/**
 * The packed package works for its users: `npm pack`, install the tarball
 * next to @tensorflow/tfjs in a fresh project with the README's own install
 * line, then run the README's quick start, import it from an ES module and
 * require it from CommonJS, and compute the worked example.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const tfjsVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies['@tensorflow/tfjs'];
const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const readme = readFileSync(join(root, 'README.md'), 'utf8');
/** The first code block of the given language after a README heading. */
function readmeBlock(heading: string, language: string): string {
  const section = readme.split(`\n## ${heading}\n`)[1];
  const block = section && new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(section);
  if (!block) throw new Error(`README: no \`\`\`${language} block under '## ${heading}'`);
  return block[1]!;
}

/** The README's install line as arguments, with the package name replaced by the tarball's path. */
function installArguments(tarball: string): string[] {
  const line = readmeBlock('Install', 'sh').trim();
  const words = line.split(/\s+/);
  if (words[0] !== 'npm' || words[1] !== 'install' || !words.includes('tfjs-entropy')) {
    throw new Error(`README: the install line is not 'npm install tfjs-entropy …': ${line}`);
  }
  return [...words.slice(1).map((word) => (word === 'tfjs-entropy' ? tarball : word)), '--no-audit', '--no-fund', '--prefer-offline'];
}

// Prints as JSON: the worked example (H(R,S) in nats and bits, both KLs, H(R)), a gradient check,
// whether a tiny model.fit with our loss lowers its loss, and the layer-class checks.
const script = (importLine: string) => `${importLine}
// Wrapped in an async function: CommonJS has no top-level await.
(async () => {
tf.env().set('PROD', true);
const R = [0.42, 0.31, 0.27], S = [0.25, 0.5, 0.25];
const first = (t) => t.dataSync()[0];
// A tiny classifier compiled with our loss: its loss must fall over a few epochs.
async function trainedLossFalls() {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
  model.compile({ optimizer: tf.train.adam(0.1), loss: entropy.layers.sparseCategoricalCrossentropy({ fromLogits: true }) });
  const x = tf.tensor2d([[1, 0], [0, 1], [1, 1], [0, 0], [2, 0], [0, 2]]);
  const y = tf.tensor1d([0, 1, 2, 2, 0, 1]);
  const history = await model.fit(x, y, { epochs: 20, verbose: 0 });
  const losses = history.history.loss;
  return losses[losses.length - 1] < losses[0];
}
console.log(JSON.stringify([
  first(entropy.crossEntropy(R, S)), first(entropy.crossEntropy(R, S, { base: 2 })),
  first(entropy.klDivergence(R, S)), first(entropy.klDivergence(S, R)), first(entropy.entropy(R)),
  entropy.checkGradients((p, q) => entropy.klDivergence(p, q), [[R], [S]]).ok,
  await trainedLossFalls(),
  // The subpath and the main entry's namespace hold the same registered class.
  entropy.layers.VAESampling === layersEntry.VAESampling,
  tf.serialization.getRegisteredName(entropy.layers.VAESampling) === 'tfjsEntropy>VAESampling',
]));
})();
`;

describe('the packed package', () => {
  let workDir = '';
  let tarball = '';

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'tfjs-entropy-pack-'));
    // Build first, then pack without the prepack build, whose log would mix with --json's output.
    run('npm', ['run', 'build'], root);
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], root));
    tarball = join(workDir, packed[0].filename);
    const consumer = join(workDir, 'consumer');
    run('mkdir', ['-p', consumer], workDir);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // The README's line, literally: the newest @tensorflow/tfjs our peer range allows, as a user gets.
    run('npm', installArguments(tarball), consumer);
    writeFileSync(join(consumer, 'quick-start.mjs'), readmeBlock('Quick start', 'ts'));
    writeFileSync(
      join(consumer, 'esm.mjs'),
      script("import * as tf from '@tensorflow/tfjs';\nimport * as entropy from 'tfjs-entropy';\nimport * as layersEntry from 'tfjs-entropy/layers';"),
    );
    // One process loading the ES-module copy and the CommonJS copy together.
    writeFileSync(
      join(consumer, 'dual.mjs'),
      `import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import * as esm from 'tfjs-entropy';
const cjs = createRequire(import.meta.url)('tfjs-entropy/layers');
tf.env().set('PROD', true);
const model = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [2] })] });
model.compile({ optimizer: 'sgd', loss: cjs.sparseCategoricalCrossentropy({ fromLogits: true }) });
const history = await model.fit(tf.ones([4, 2]), tf.tensor1d([0, 1, 2, 1]), { epochs: 1, verbose: 0 });
console.log(JSON.stringify([history.history.loss[0], tf.serialization.getRegisteredName(esm.layers.VAESampling)]));
`,
    );
    // A TypeScript consumer with the old node10 resolution, which ignores the exports map.
    writeFileSync(
      join(consumer, 'types.ts'),
      [
        "import { layers, klDivergence } from 'tfjs-entropy';",
        "import { VAESampling } from 'tfjs-entropy/layers';",
        '// Fails to compile if either entry point\'s types did not resolve (they would be any).',
        'type IsAny<T> = 0 extends 1 & T ? true : false;',
        'const resolved: [IsAny<typeof layers>, IsAny<typeof VAESampling>] = [false, false];',
        'const same: typeof layers.VAESampling = VAESampling;',
        'export { resolved, same, klDivergence };',
      ].join('\n'),
    );
    // tfjs's own declarations need skipLibCheck and an ES2020 library.
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'commonjs', moduleResolution: 'node10', target: 'es2020', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['types.ts'],
      }),
    );
    writeFileSync(
      join(consumer, 'cjs.cjs'),
      script("const tf = require('@tensorflow/tfjs');\nconst entropy = require('tfjs-entropy');\nconst layersEntry = require('tfjs-entropy/layers');"),
    );
  });
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  test('contains the built entry points and no sources or tests', () => {
    const files = run('tar', ['-tzf', tarball], workDir).trim().split('\n').sort();
    const expected = ['index', 'layers'].flatMap((entry) => ['js', 'cjs', 'd.ts', 'd.cts'].map((ext) => `package/dist/${entry}.${ext}`));
    expect(files).toEqual(expect.arrayContaining([...expected, 'package/package.json', 'package/README.md', 'package/LICENSE']));
    expect(files.filter((f) => /^package\/(src|losses|test|examples)\//.test(f))).toEqual([]);
  });

  test('an ES-module copy and a CommonJS copy in one process: sparse targets work, one class is registered', () => {
    const [loss, registeredName] = JSON.parse(run('node', ['dual.mjs'], join(workDir, 'consumer')));
    expect(Number.isFinite(loss)).toBe(true);
    expect(registeredName).toBe('tfjsEntropy>VAESampling');
  });

  test('publint and arethetypeswrong find no problem in the packed package', () => {
    run('npx', ['--no-install', 'publint', '--strict'], root);
    // Every resolution mode (node10, node16 from CJS and ESM, bundler) for both entry points.
    run('npx', ['--no-install', 'attw', tarball, '--format', 'ascii'], root);
  });

  test('a bundler keeps the layers entry\'s side effect: a bare import of it registers VAESampling', () => {
    const consumer = join(workDir, 'consumer');
    writeFileSync(join(consumer, 'bare.mjs'), "import 'tfjs-entropy/layers';\n");
    const esbuild = join(root, 'node_modules', '.bin', 'esbuild');
    const bundle = run(esbuild, ['bare.mjs', '--bundle', '--format=esm', '--external:@tensorflow/*', '--log-level=error'], consumer);
    expect(bundle).toContain('registerClass');
  });

  test('the types resolve for a TypeScript consumer using node10 module resolution', () => {
    run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], join(workDir, 'consumer'));
  });

  test('the installed @tensorflow/tfjs is within the peer range the package was tested with', () => {
    const installed = JSON.parse(readFileSync(join(workDir, 'consumer', 'node_modules', '@tensorflow', 'tfjs', 'package.json'), 'utf8')).version;
    expect(installed.split('.')[0]).toBe(tfjsVersion.replace(/^\D*/, '').split('.')[0]);
  });

  test('the README quick start runs against the installed package and prints the values its comments give', () => {
    const code = readmeBlock('Quick start', 'ts');
    // Each `.print(); // [a, b]` comment, in order, against each printed tensor.
    const expected = [...code.matchAll(/\.print\(\);\s*\/\/ (\[[^\]]*\])?/g)].map((m) => m[1]);
    const printed = run('node', ['quick-start.mjs'], join(workDir, 'consumer'))
      .split(/^Tensor$/m)
      .slice(1)
      .map((block) => (block.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? []).map(Number));
    expect(printed).toHaveLength(expected.length);
    expected.forEach((comment, i) => {
      if (comment === undefined) return;
      const numbers = comment.slice(1, -1).split(',').map((x) => x.trim());
      expect(printed[i]).toHaveLength(numbers.length);
      numbers.forEach((text, k) => {
        const decimals = text.split('.')[1]?.length ?? 0;
        expect(Math.abs(printed[i]![k]! - Number(text)), `print ${i + 1}, entry ${k}: ${printed[i]![k]} vs ${text}`).toBeLessThanOrEqual(0.5 * 10 ** -decimals + 1e-12);
      });
    });
  });

  test.each(['esm.mjs', 'cjs.cjs'])('%s imports it next to @tensorflow/tfjs and computes the worked example', (file) => {
    const output = JSON.parse(run('node', [file], join(workDir, 'consumer')));
    const [crossNats, crossBits, klRS, klSR, entropyR, gradientsOk, lossFalls, sameLayerClass, registered] = output;
    expect(crossNats).toBeCloseTo(1.171419, 5);
    expect(crossBits).toBeCloseTo(1.69, 5);
    expect(klRS).toBeCloseTo(0.090482, 5);
    expect(klSR).toBeCloseTo(0.090079, 5);
    expect(entropyR).toBeCloseTo(1.080937, 5);
    expect(gradientsOk).toBe(true);
    expect(lossFalls).toBe(true);
    expect(sameLayerClass).toBe(true);
    expect(registered).toBe(true);
  });
});
