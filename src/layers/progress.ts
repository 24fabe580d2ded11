/**
 * Training progress for `model.fit` in Node, where tfjs-node's progress bar
 * is missing without tfjs-node: a bar redrawn in place when the stream is a
 * terminal, one line per epoch otherwise (CI logs, pipes, files).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Callback } from '@tensorflow/tfjs-layers';
import { optional, readOptions, unchecked, withDefault, type OptionsOf } from '../machinery/options.js';
import { positiveNumber } from '../machinery/validate.js';

/** Where progress goes: anything with `write`; `isTTY` selects the bar. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** The options of {@link ProgressLogger}. */
export const progressLoggerOptions = {
  /** Default: `process.stderr` in Node, else lines through `console.log`. */
  stream: optional<ProgressStream>(unchecked),
  /** Width of the bar in characters (> 0). Default 30. */
  barWidth: withDefault(30, positiveNumber),
};

/** Options of {@link ProgressLogger}. */
export type ProgressLoggerOptions = OptionsOf<typeof progressLoggerOptions>;

type LogValue = number | tf.Scalar | undefined;

function defaultStream(): ProgressStream {
  const nodeStderr = (globalThis as { process?: { stderr?: ProgressStream } }).process?.stderr;
  return nodeStderr ?? { write: (text: string) => console.log(text.replace(/\n$/, '')) };
}

/** A number from a log entry, which tfjs passes as a number or (in batch logs) a scalar tensor. */
function valueOf(entry: LogValue): number | undefined {
  if (entry === undefined) return undefined;
  return typeof entry === 'number' ? entry : (entry.dataSync()[0] as number);
}

/** Batch bookkeeping that tfjs puts into batch logs, not worth showing. */
const HIDDEN_LOGS = new Set(['batch', 'size']);

/** `loss 0.1234 · acc 0.9876 · val_loss 0.2345` from the logs' numbers, training metrics first. */
function formatLogs(logs: Record<string, LogValue> | undefined): string {
  return Object.entries(logs ?? {})
    .filter(([name]) => !HIDDEN_LOGS.has(name))
    .sort(([a], [b]) => Number(a.startsWith('val_')) - Number(b.startsWith('val_')))
    .map(([name, entry]) => [name, valueOf(entry)] as const)
    .filter((pair): pair is readonly [string, number] => pair[1] !== undefined)
    .map(([name, value]) => `${name} ${value.toPrecision(4)}`)
    .join(' · ');
}

/**
 * A `model.fit` callback that reports progress: on a TTY a bar per epoch,
 * `epoch 3/10 [=========>          ] 45/100 loss 0.3121`, redrawn after each
 * batch; elsewhere one line per epoch, `epoch 3/10 · 12.3 s · loss 0.3121 · val_loss 0.3410`.
 *
 * @example
 * ```ts
 * await model.fit(x, y, { epochs: 10, callbacks: [new ProgressLogger()] });
 * ```
 */
export class ProgressLogger extends Callback {
  private readonly stream: ProgressStream;
  private readonly barWidth: number;
  private epochStart = 0;
  private epoch = 0;

  constructor(options: ProgressLoggerOptions = {}) {
    super();
    const { stream, barWidth } = readOptions('ProgressLogger', progressLoggerOptions, options);
    this.stream = stream ?? defaultStream();
    this.barWidth = barWidth;
  }

  private get epochs(): number {
    return Number(this.params['epochs'] ?? 0);
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    this.epochStart = Date.now();
    this.epoch = epoch;
    if (this.stream.isTTY) this.stream.write(`epoch ${epoch + 1}/${this.epochs}`);
  }

  override async onBatchEnd(batch: number, logs?: Record<string, LogValue>): Promise<void> {
    if (!this.stream.isTTY) return;
    const steps = Number(this.params['steps'] ?? 0) || Math.ceil(Number(this.params['samples'] ?? 0) / Number(this.params['batchSize'] ?? 32));
    const done = Math.min(batch + 1, steps);
    const filled = steps > 0 ? Math.round((this.barWidth * done) / steps) : this.barWidth;
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(this.barWidth - filled);
    this.stream.write(`\r\x1b[2Kepoch ${this.epoch + 1}/${this.epochs} [${bar}] ${done}/${steps} ${formatLogs(logs)}`);
  }

  override async onEpochEnd(epoch: number, logs?: Record<string, LogValue>): Promise<void> {
    const seconds = ((Date.now() - this.epochStart) / 1000).toFixed(1);
    const line = `epoch ${epoch + 1}/${this.epochs} · ${seconds} s · ${formatLogs(logs)}`;
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
