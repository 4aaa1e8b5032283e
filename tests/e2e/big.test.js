// An archive over 1 GiB: read by slices and streamed, so the worker's WASM memory stays small,
// with progress shown while it runs, and the inspect JSON its metadata gives shown at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, repo } from './lib.js';

const MIB = 1100;
const LIMIT = 256 * 1024 * 1024;
let server, browser, dir, archive;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-big-'));
  archive = path.join(dir, 'big.tar');
  execFileSync('python3', [path.join(repo, 'tests/fixtures/make_big.py'), archive, String(MIB)]);
  server = await startServer();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(`a ${MIB} MiB archive imports with the worker's WASM memory under 256 MiB`, async () => {
  const { page } = browser;
  await page.goto(server.url);
  await waitReady(page);
  const started = Date.now();
  await page.setInputFiles('#archive-input', archive);
  await page.waitForSelector('.import[data-status="running"] progress', { timeout: 60_000 });
  const preview = await page.waitForSelector('.import[data-status="running"] .preview-inspect', { state: 'visible', timeout: 60_000 });
  const previewed = JSON.parse(await preview.textContent());
  assert.match(await page.innerText('.import .preview summary'), /big\/archive:1100 \([0-9a-f]{12}\) being verified, not stored yet/);
  assert.equal(await page.locator('tr.image-row').count(), 0, 'nothing is listed before it is verified');
  await page.waitForSelector('.import[data-status="done"], .import[data-status="failed"]', { timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const row = await page.innerText('.import');
  assert.match(row, /Loaded image: big\/archive:1100/);
  const peak = Number(await page.getAttribute('#diagnostics', 'data-worker-memory-peak'));
  console.log(`imported ${MIB} MiB in ${seconds.toFixed(1)} s; worker WASM memory peak ${(peak / 1048576).toFixed(1)} MiB`);
  assert.ok(peak > 0 && peak < LIMIT, `worker memory peak ${peak} bytes`);
  await page.waitForFunction(() => document.querySelector('#docker-images')?.textContent.includes('big/archive'));
  assert.match(await page.textContent('#docker-images'), /big\/archive\s+1100\s+[0-9a-f]{12}\s+.+ago\s+1\.15GB/);
  assert.equal(await page.locator('.preview').count(), 0, 'the preview goes once the image is stored');

  // The preview was the stored image's inspect JSON but for Size and Metadata.
  await page.locator('tr.image-row a').first().click();
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  const stored = JSON.parse(await page.textContent('#inspect-json'));
  for (const item of stored) {
    delete item.Size;
    delete item.Metadata;
  }
  assert.deepEqual(previewed, stored);
});
