/**
 * `npm run bench`: ours against tfjs's own losses, measured in one run on
 * this machine, printed as tables of ratios (their time / ours with the
 * fused kernels).
 *
 * 1. Every loss of test/bench/cases.ts forward and backward at [256, 1000],
 *    [4096, 10] and [64, 32000], on cpu and wasm in Node and on webgl in
 *    headless Chromium (test/browser/support/page.ts; skipped, with the
 *    reason, where none runs): median of 7 runs, kernels run and peak memory
 *    from tf.profile.
 * 2. One `model.fit` epoch with our layers losses against tfjs's built-in
 *    string losses, on cpu and wasm (test/bench/fit.ts).
 * 3. linearCrossEntropy against materialising the logits, forward and
 *    backward at N = 2048, D = 256, V = 32 000 (test/bench/linear.ts): time,
 *    peak memory and the largest differences, median of 3 runs; on wasm, on
 *    cpu with `--linear-cpu` (its products of this size take minutes), and
 *    on webgl at D = 16 (SwiftShader's products are slower still), there
 *    also with just enough rows for the [N, V] logits to exceed the texture
 *    limit.
 *
 * `--quick`: one small shape, 3 runs, a short fit; numbers only to show the
 * bench works. `--backends=cpu,wasm,webgl` (the default), `--losses=a,b`
 * (some of them), `--no-fit`, `--fit-only`, `--no-linear`, `--linear-only`,
 * `--linear-cpu`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { benchLoss, LOSSES, SHAPES, type Measurement } from './cases.js';
import { fitComparison } from './fit.js';
import { compareLinear, GOAL_SHAPE, type LinearComparison, type LinearShape } from './linear.js';
import { webglBench, webglLinearBench } from './webgl.js';

tf.env().set('PROD', true);

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const backends = (args.find((a) => a.startsWith('--backends='))?.split('=')[1] ?? 'cpu,wasm,webgl').split(',');
const shapes = quick ? SHAPES.slice(0, 1).map(([, c]) => [32, c] as const) : SHAPES;
const only = args.find((a) => a.startsWith('--losses='))?.split('=')[1]?.split(',');
const losses = only === undefined ? LOSSES : LOSSES.filter((bench) => only.includes(bench.loss));
const runs = quick ? 3 : 7;

export type Results = Array<{ loss: string; shape: readonly [number, number]; results: Array<readonly [string, Measurement]> }>;

const pad = (text: string, width: number) => text.padEnd(width);
const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** One table per backend: for each loss and shape, each contender's time, its ratio to ours (fused), kernels and peak memory. */
export function printTable(backend: string, results: Results): void {
  console.log(`\n## ${backend}: forward + backward, median of ${runs} runs; ×: their time / ours (fused); peak: tf.profile's, in rows·classes·4 bytes\n`);
  console.log(`${pad('loss', 27)}${pad('shape', 11)}contender            ${pad('time', 11)}${pad('×', 8)}kernels  peak`);
  for (const { loss, shape, results: row } of results) {
    const ours = row[0]![1].ms;
    row.forEach(([name, m], i) => {
      const head = i === 0 ? pad(loss, 27) + pad(shape.join('×'), 11) : ' '.repeat(38);
      const ratio = i === 0 ? '' : `${(m.ms / ours).toFixed(1)}×`;
      console.log(`${head}${pad(name, 21)}${pad(`${ms(m.ms)} ms`, 11)}${pad(ratio, 8)}${pad(String(m.kernels), 9)}${m.peak.toFixed(1)}`);
    });
  }
}

async function nodeBackend(backend: string): Promise<Results> {
  if (!(await tf.setBackend(backend))) throw new Error(`bench: no tfjs backend '${backend}'`);
  const results: Results = [];
  for (const bench of losses) {
    for (const shape of shapes) results.push({ loss: bench.loss, shape, results: await benchLoss(bench, shape, runs) });
  }
  return results;
}

// tfjs-backend-wasm prints its whole source with an uncaught error: say only what went wrong.
process.on('uncaughtException', (error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${ms(x)} ms`);

/** One backend's linearCrossEntropy comparisons: each contender's time and peak memory, ours ÷ theirs, and the largest differences. */
export function printLinear(backend: string, comparisons: readonly LinearComparison[], runs: number): void {
  for (const { shape, runs: contenders, differences } of comparisons) {
    console.log(`\n## linearCrossEntropy on ${backend}: N = ${shape.rows}, D = ${shape.features}, V = ${shape.classes} ([N, V] logits: ${megabytes(shape.rows * shape.classes * 4)}), forward + backward, median of ${runs}\n`);
    console.log(`${pad('contender', 24)}${pad('time', 12)}peak memory (tf.profile)`);
    for (const [name, run] of contenders) console.log(`${pad(name, 24)}${'error' in run ? `failed: ${run.error}` : `${pad(seconds(run.ms), 12)}${megabytes(run.peakBytes)}`}`);
    const [ours, theirs] = contenders.map(([, run]) => run);
    if (ours && theirs && 'ms' in ours && 'ms' in theirs) console.log(`${pad('ours ÷ materialised', 24)}${pad(`${(ours.ms / theirs.ms).toFixed(2)}×`, 12)}${(ours.peakBytes / theirs.peakBytes).toFixed(2)}×`);
    for (const { name, difference, largest } of differences) {
      console.log(`largest |Δ| of ${pad(name, 10)} ${difference.toExponential(2)} = ${(difference / (2 ** -24 * largest)).toFixed(1)}·u·max|x| (max|x| ${largest.toPrecision(3)}, u = 2⁻²⁴)`);
    }
  }
}

/** The linearCrossEntropy part on every backend asked for. */
async function linearComparison(): Promise<void> {
  const shape: LinearShape = quick ? { rows: 256, features: 64, classes: 8000 } : GOAL_SHAPE;
  const linearRuns = quick ? 1 : 3;
  for (const backend of backends.filter((b) => b === 'wasm' || (b === 'cpu' && args.includes('--linear-cpu')))) {
    if (!(await tf.setBackend(backend))) throw new Error(`bench: no tfjs backend '${backend}'`);
    printLinear(backend, [await compareLinear(shape, linearRuns)], linearRuns);
  }
  if (backends.includes('cpu') && !args.includes('--linear-cpu')) console.log('\n## linearCrossEntropy on cpu: not run (--linear-cpu runs it; its products of this size take minutes)');
  if (!backends.includes('webgl')) return;
  const webgl = await webglLinearBench(shape.rows, 16, shape.classes, 1, !quick);
  if ('reason' in webgl) console.log(`\n## linearCrossEntropy on webgl: not run (${webgl.reason})`);
  else printLinear(`webgl (${webgl.renderer}, WEBGL_MAX_TEXTURE_SIZE ${webgl.maxTextureSize})`, webgl.comparisons, 1);
}

console.log(`tfjs-entropy bench (${quick ? 'quick' : 'full'}), tfjs ${tf.version.tfjs}, Node ${process.version}`);
const linearOnly = args.includes('--linear-only');
const timeLosses = !args.includes('--fit-only') && !linearOnly;
if (timeLosses) for (const backend of backends.filter((b) => b !== 'webgl')) printTable(backend, await nodeBackend(backend));
if (timeLosses && backends.includes('webgl')) {
  const webgl = await webglBench(shapes, runs, losses.map((bench) => bench.loss));
  if ('reason' in webgl) console.log(`\n## webgl: not run (${webgl.reason})`);
  else printTable(`webgl (${webgl.renderer})`, webgl.results);
}
if (!args.includes('--no-fit') && !linearOnly) await fitComparison(backends.filter((b) => b !== 'webgl'), quick);
if (!args.includes('--no-linear') && !args.includes('--fit-only')) await linearComparison();
