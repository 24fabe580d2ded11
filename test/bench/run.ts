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
 *
 * `--quick`: one small shape, 3 runs, a short fit; numbers only to show the
 * bench works. `--backends=cpu,wasm,webgl` (the default), `--losses=a,b`
 * (some of them), `--no-fit`, `--fit-only`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { benchLoss, LOSSES, SHAPES, type Measurement } from './cases.js';
import { fitComparison } from './fit.js';
import { webglBench } from './webgl.js';

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

console.log(`tfjs-entropy bench (${quick ? 'quick' : 'full'}), tfjs ${tf.version.tfjs}, Node ${process.version}`);
const timeLosses = !args.includes('--fit-only');
if (timeLosses) for (const backend of backends.filter((b) => b !== 'webgl')) printTable(backend, await nodeBackend(backend));
if (timeLosses && backends.includes('webgl')) {
  const webgl = await webglBench(shapes, runs, losses.map((bench) => bench.loss));
  if ('reason' in webgl) console.log(`\n## webgl: not run (${webgl.reason})`);
  else printTable(`webgl (${webgl.renderer})`, webgl.results);
}
if (!args.includes('--no-fit')) await fitComparison(backends.filter((b) => b !== 'webgl'), quick);
