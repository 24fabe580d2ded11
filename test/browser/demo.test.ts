/**
 * The interactive page of `npm run demo`, served by Vite as the script serves
 * it, in Chromium: the worked example's numbers, training for two short
 * epochs (the loss falls), no console error; and the screenshot the README
 * shows, written to examples/out/demo.png (examples/images/demo.png is its
 * copy, from `DEMO_EPOCHS=10 npx vitest run --project browser test/browser/demo.test.ts`,
 * which trains as long as the page does by default, on every digit it has).
 */
import { mkdirSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { chromiumPath, launch, root } from './support/page.js';

const chromium = await chromiumPath();
/** Two short epochs on 400 digits (seconds on SwiftShader), or DEMO_EPOCHS full ones. */
const epochs = Number(process.env['DEMO_EPOCHS'] ?? 0);
const query = epochs > 0 ? `?epochs=${epochs}` : '?epochs=2&samples=400';
const trainingTimeout = epochs > 0 ? epochs * 60_000 : 90_000;

/** A port no one listens on now (Vite takes `port: 0` as "its default, 5173"). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.runIf('path' in chromium)('the demo page', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  /** Reads the page's `window.demo` state. */
  const demo = async <T>(read: (state: Window['demo']) => T) => (await page.evaluateHandle(() => window.demo)).evaluate(read);

  beforeAll(async () => {
    server = await createServer({ configFile: join(root, 'examples/demo/vite.config.ts'), server: { port: await freePort(), strictPort: true, host: '127.0.0.1' }, logLevel: 'error' });
    await server.listen();
    browser = await launch((chromium as { path: string }).path);
    page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${server.resolvedUrls!.local[0]}${query}`);
    await page.waitForFunction(() => window.demo?.measures !== undefined, null, { timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('it runs on webgl and shows the worked example\'s numbers, H(R, R) = H(R), in nats and in bits', async () => {
    expect(await demo((state) => state.backend)).toBe('webgl');
    const cell = (name: string) => page.locator(`td[data-measure="${name}"]`).textContent();
    expect(await cell('H(R, S)')).toBe('1.1714');
    expect(await cell('D_KL(R ‖ S)')).toBe('0.0905');
    expect(await cell('D_KL(S ‖ R)')).toBe('0.0901');
    expect(await cell('H(R, R)')).toBe(await cell('H(R)'));
    await page.click('input[value="bits"]');
    expect(await cell('H(R, S)')).toBe('1.6900');
    await page.click('input[value="nats"]');
  });

  test('moving a slider renormalises R and updates every measure', async () => {
    await page.locator('input[aria-label="R 1"]').fill('84');
    const { R, values } = (await demo((state) => state.measures))!;
    expect(R.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(R[0]).toBeCloseTo(84 / 142, 6);
    expect(values['H(R, S)']).toBeCloseTo(values['H(R)']! + values['D_KL(R ‖ S)']!, 5);
    await page.locator('input[aria-label="R 1"]').fill('42');
  });

  test('the classifier and the VAE train in the page: their losses fall, the manifold is drawn, no console error', async () => {
    await page.click('#train-classifier');
    await page.waitForFunction(() => window.demo.classifier.length === 1, null, { timeout: trainingTimeout });
    await page.click('#train-vae');
    await page.waitForFunction(() => window.demo.vae.length === 1, null, { timeout: trainingTimeout });
    const [classifier, vae] = await demo((state) => [state.classifier[0]!, state.vae[0]!]);
    expect(classifier.losses[1]).toBeLessThan(classifier.losses[0]!);
    expect(vae.losses[1]).toBeLessThan(vae.losses[0]!);
    const inked = await page.evaluate(() => {
      const canvas = document.getElementById('manifold') as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      // Dark, opaque pixels: ink of a drawn digit (a canvas never drawn on is transparent black).
      return data.filter((_, i) => i % 4 === 0 && data[i]! < 128 && data[i + 3] === 255).length;
    });
    expect(inked).toBeGreaterThan(1000);
    expect(errors).toEqual([]);
    mkdirSync(join(root, 'examples/out'), { recursive: true });
    await page.screenshot({ path: join(root, 'examples/out/demo.png'), fullPage: true });
  }, 2 * trainingTimeout + 30_000);

  test('in a browser without WebGL it says so, runs on wasm, and still computes the worked example', async () => {
    const other = await browser.newPage();
    const otherErrors: string[] = [];
    other.on('console', (message) => message.type() === 'error' && otherErrors.push(message.text()));
    other.on('pageerror', (error) => otherErrors.push(String(error)));
    // A browser without WebGL: no canvas, on screen or off, gives a webgl, webgl2 or experimental-webgl context.
    await other.addInitScript(() => {
      for (const prototype of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as Array<{ getContext: (...args: unknown[]) => unknown }>) {
        const getContext = prototype.getContext;
        prototype.getContext = function (this: unknown, type: unknown, ...rest: unknown[]) {
          return String(type).includes('webgl') ? null : getContext.call(this, type, ...rest);
        };
      }
    });
    await other.goto(server.resolvedUrls!.local[0]!);
    await other.waitForFunction(() => window.demo?.measures !== undefined, null, { timeout: 60_000 });
    expect(await other.locator('#backend').textContent()).toBe('wasm (this browser has no WebGL)');
    expect(await other.locator('td[data-measure="H(R, S)"]').textContent()).toBe('1.1714');
    expect(otherErrors).toEqual([]);
  });

  test('when the digits cannot be fetched it says so in both status lines, and the next click fetches them again', async () => {
    const other = await browser.newPage();
    const otherErrors: string[] = [];
    // Chromium reports the failed response itself as a console error; anything else is the page's.
    other.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && otherErrors.push(message.text()));
    other.on('pageerror', (error) => otherErrors.push(String(error)));
    let serverDown = true;
    await other.route('**/mnist-subset.bin', (route) => (serverDown ? route.fulfill({ status: 503, body: '' }) : route.continue()));
    await other.goto(`${server.resolvedUrls!.local[0]}?epochs=1&samples=200`);
    const message = 'could not load the digits (mnist-subset.bin: HTTP 503); click to try again';
    await other.waitForFunction((text) => document.getElementById('vae-status')!.textContent === text, message, { timeout: 60_000 });
    expect(await other.locator('#classifier-status').textContent()).toBe(message);
    serverDown = false;
    await other.click('#train-classifier');
    await other.waitForFunction(() => window.demo.classifier.length === 1, null, { timeout: trainingTimeout });
    expect(await other.locator('#classifier-status').textContent()).toMatch(/^epoch 1\/1 · loss /);
    expect(otherErrors).toEqual([]);
  }, trainingTimeout + 60_000);
});
