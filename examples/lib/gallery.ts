/**
 * The gallery: each example records what it made (plots with a line of
 * explanation, its figures and summary) in `<out>/results/<name>.json`, and
 * `<out>/index.html` is rewritten from all recorded results.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MNIST_ATTRIBUTION } from '../mnist.js';

export interface Plot {
  /** File name inside the output folder. */
  readonly file: string;
  /** One line saying what the plot shows. */
  readonly caption: string;
}

export interface ExampleResult {
  readonly name: string;
  readonly title: string;
  /** The one summary line the example prints. */
  readonly summary: string;
  readonly figures: Readonly<Record<string, string | number>>;
  readonly plots: readonly Plot[];
  /** The training loss per epoch (the tests check that it falls); empty for the worked example. */
  readonly lossHistory: readonly number[];
}

const ORDER = ['worked-example', 'classifier', 'vae', 'distillation', 'custom-loop', 'contrastive', 'entropy-rate'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes one file into the output folder and returns its name. */
export function writeOutput(out: string, file: string, content: string | Buffer): string {
  writeFileSync(join(out, file), content);
  return file;
}

/** Records an example's result and rewrites the gallery page. */
export function recordResult(out: string, result: ExampleResult): void {
  const resultsDirectory = join(out, 'results');
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(join(resultsDirectory, `${result.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const results = readdirSync(resultsDirectory)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(resultsDirectory, file), 'utf8')) as ExampleResult)
    .sort((a, b) => ORDER.indexOf(a.name) - ORDER.indexOf(b.name));
  writeFileSync(join(out, 'index.html'), galleryPage(results));
}

function galleryPage(results: readonly ExampleResult[]): string {
  const sections = results.map((r) => {
    const figures = Object.entries(r.figures)
      .map(([name, value]) => `<tr><td>${escape(name)}</td><td>${escape(String(value))}</td></tr>`)
      .join('');
    const plots = r.plots
      .map((p) => `<figure><img src="${escape(p.file)}" alt="${escape(p.caption)}"><figcaption>${escape(p.caption)}</figcaption></figure>`)
      .join('\n');
    return `<section><h2>${escape(r.title)}</h2><p><code>${escape(r.summary)}</code></p><table>${figures}</table>\n${plots}</section>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tfjs-entropy examples</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}
figure{display:inline-block;margin:1em;vertical-align:top;max-width:660px}img{max-width:100%;border:1px solid #ddd}
figcaption{font-size:0.9em;color:#444}td{padding:2px 12px 2px 0}code{background:#f4f4f4;padding:2px 4px}</style></head>
<body><h1>tfjs-entropy examples</h1>
<p>Made by <code>npm run examples</code>. Data: ${escape(MNIST_ATTRIBUTION)}.</p>
${sections.join('\n')}
</body></html>
`;
}
