/**
 * The worked example: two distributions over three outcomes,
 * R = (0.42, 0.31, 0.27) and S = (0.25, 0.5, 0.25), measured in nats and bits.
 *
 *   npx tsx examples/worked-example.ts [--backend cpu|wasm]
 */
import type { Tensor } from '@tensorflow/tfjs';
import { crossEntropy, entropy, klDivergence } from '../src/index.js';
import { exampleOptions, isMain, type ExampleOptions } from './lib/cli.js';
import { recordResult, type ExampleResult } from './lib/gallery.js';

const R = [0.42, 0.31, 0.27];
const S = [0.25, 0.5, 0.25];

/** The one number in a single-distribution result, disposing the tensor. */
function scalar(t: Tensor): number {
  const [value] = t.dataSync();
  t.dispose();
  return value as number;
}

export function workedExample(): string {
  const rows: Array<[string, (base: number) => number]> = [
    ['H(R)', (base) => scalar(entropy(R, { base }))],
    ['H(S)', (base) => scalar(entropy(S, { base }))],
    ['H(R, S)', (base) => scalar(crossEntropy(R, S, { base }))],
    ['H(S, R)', (base) => scalar(crossEntropy(S, R, { base }))],
    ['H(R, R)', (base) => scalar(crossEntropy(R, R, { base }))],
    ['D_KL(R ‖ S)', (base) => scalar(klDivergence(R, S, { base }))],
    ['D_KL(S ‖ R)', (base) => scalar(klDivergence(S, R, { base }))],
    ['D_KL(R ‖ R)', (base) => scalar(klDivergence(R, R, { base }))],
  ];
  const lines = [
    'R = (0.42, 0.31, 0.27)   S = (0.25, 0.5, 0.25)',
    '',
    `${'measure'.padEnd(12)}${'nats'.padStart(10)}${'bits'.padStart(10)}`,
    ...rows.map(
      ([name, measure]) =>
        `${name.padEnd(12)}${measure(Math.E).toFixed(6).padStart(10)}${measure(2).toFixed(6).padStart(10)}`,
    ),
  ];

  const crossRS = scalar(crossEntropy(R, S));
  const entropyR = scalar(entropy(R));
  const klRS = scalar(klDivergence(R, S));
  lines.push(
    '',
    `identity: H(R, S) = H(R) + D_KL(R ‖ S): ${crossRS.toFixed(6)} = ${entropyR.toFixed(6)} + ${klRS.toFixed(6)}` +
      ` (difference ${Math.abs(crossRS - entropyR - klRS).toExponential(1)})`,
    `asymmetry: D_KL(R ‖ S) − D_KL(S ‖ R) = ${(klRS - scalar(klDivergence(S, R))).toExponential(2)}; ` +
      `H(R, R) − H(R) = ${(scalar(crossEntropy(R, R)) - entropyR).toExponential(1)} (H(R, R) is not 0); ` +
      `D_KL(R ‖ R) = ${scalar(klDivergence(R, R))}`,
  );
  return lines.join('\n');
}

/** Prints the table and records it in the gallery. */
export async function runWorkedExample(options: ExampleOptions): Promise<ExampleResult> {
  const table = workedExample();
  console.log(table);
  const crossRS = scalar(crossEntropy(R, S));
  const klRS = scalar(klDivergence(R, S));
  const klSR = scalar(klDivergence(S, R));
  const result: ExampleResult = {
    name: 'worked-example',
    title: 'The worked example: R = (0.42, 0.31, 0.27), S = (0.25, 0.5, 0.25)',
    summary: `worked example: H(R, S) = ${crossRS.toFixed(6)} nats, D_KL(R ‖ S) = ${klRS.toFixed(6)}, D_KL(S ‖ R) = ${klSR.toFixed(6)}`,
    figures: { 'H(R, S) (nats)': crossRS.toFixed(6), 'D_KL(R ‖ S)': klRS.toFixed(6), 'D_KL(S ‖ R)': klSR.toFixed(6), 'H(R)': scalar(entropy(R)).toFixed(6) },
    plots: [],
    lossHistory: [],
  };
  recordResult(options.out, result);
  return result;
}

if (isMain(import.meta.url)) {
  await runWorkedExample(await exampleOptions());
}
