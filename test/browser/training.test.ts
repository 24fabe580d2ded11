/**
 * Training in Chromium, on webgl and on wasm: model.fit with every layers
 * loss (of logits, of probabilities, class-index targets), a VAE with
 * VAESampling saved to and reloaded from the page's IndexedDB, and
 * ProgressLogger writing to the page's console; no tensor left behind.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, startSession, type Session } from './support/page.js';

const chromium = await chromiumPath();

describe.runIf('path' in chromium)('training in Chromium', () => {
  let session: Session;
  const logs: string[] = [];
  beforeAll(async () => {
    session = await startSession((chromium as { path: string }).path);
    session.page.on('console', (message) => logs.push(message.text()));
  }, 120_000);
  afterAll(async () => {
    // Close first, so that a page error cannot leave the browser running.
    const errors = [...(session?.errors ?? [])];
    await session?.close();
    expect(errors).toEqual([]);
  });

  test.each(['webgl', 'wasm'] as const)('%s: model.fit with every layers loss lowers its loss and leaves no tensor', async (backend) => {
    const results = await session.page.evaluate(async (backend) => {
      await window.harness.useBackend(backend);
      return window.harness.fitWithEachLayersLoss();
    }, backend);
    expect(Object.keys(results)).toHaveLength(7);
    for (const [name, { losses, leaked }] of Object.entries(results)) {
      expect(losses.every(Number.isFinite), name).toBe(true);
      expect(losses.at(-1)!, name).toBeLessThan(0.8 * losses[0]!);
      expect(leaked, name).toBe(0);
    }
  });

  test('webgl: a VAE with VAESampling trains (its KL falls), saves to IndexedDB and reloads to the same predictions', async () => {
    const { klStart, klEnd, maxDifference, leaked } = await session.page.evaluate(async () => {
      await window.harness.useBackend('webgl');
      return window.harness.vaeFitSaveReload();
    });
    expect(klEnd).toBeLessThan(klStart);
    expect(maxDifference).toBe(0);
    expect(leaked).toBe(0);
  });

  test('ProgressLogger writes one line per epoch to the page\'s console, where there is no process', async () => {
    logs.length = 0;
    await session.page.evaluate(() => window.harness.fitWithProgressLogger());
    const epochs = logs.filter((line) => line.startsWith('epoch '));
    expect(epochs).toHaveLength(2);
    expect(epochs[1]).toMatch(/^epoch 2\/2 · [\d.]+ s · loss \d/);
  });
});
