/**
 * `npm run examples`: every example in its default size (about 10 minutes on
 * 2 cores with wasm), each one's time, then the gallery at <out>/index.html.
 *
 *   npm run examples -- [--backend cpu|wasm] [--epochs N] [--samples N] [--seed N] [--out DIR] [--quick]
 */
import { join } from 'node:path';
import { runClassifier } from './classifier.js';
import { runContrastive } from './contrastive.js';
import { runCustomLoop } from './custom-loop.js';
import { runDistillation } from './distillation.js';
import { runEntropyRate } from './entropy-rate.js';
import { exampleOptions } from './lib/cli.js';
import { runVae } from './vae.js';
import { runWorkedExample } from './worked-example.js';

const options = await exampleOptions();
console.log(`tfjs-entropy examples (backend: ${options.backend}${options.quick ? ', quick' : ''})\n`);
const started = Date.now();
const summaries: string[] = [];
for (const [title, run] of [
  ['worked example: entropy, cross-entropy and KL divergence', runWorkedExample],
  ['classifier: model.fit with sparseCategoricalCrossentropy', runClassifier],
  ['VAE: the VAESampling layer', runVae],
  ['distillation: distillationLoss at T = 4', runDistillation],
  ['custom loop: optimizer.minimize with softmaxCrossEntropy', runCustomLoop],
  ['contrastive: infoNCE on augmented views, then a linear probe', runContrastive],
  ['entropy rate: linearCrossEntropy on a Markov source', runEntropyRate],
] as const) {
  console.log(`== ${title} ==`);
  const exampleStarted = Date.now();
  const result = await run(options);
  console.log(`${result.summary}\n(${((Date.now() - exampleStarted) / 1000).toFixed(0)} s)\n`);
  summaries.push(result.summary);
}
console.log(summaries.join('\n'));
console.log(`\nall examples in ${((Date.now() - started) / 1000).toFixed(0)} s; gallery: ${join(options.out, 'index.html')}`);
