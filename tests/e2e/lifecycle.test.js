// The store's lifecycle: a reload in the middle of an import leaves no partial image and
// nothing behind; two tabs importing at once stay correct; a full quota is a clear message and
// leaves the store as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile, countRecords, fixtures, repo, inFirefox, noWorkerRealms, workerNamed } from './lib.js';

let server, dir;
before(async () => {
  server = await startServer();
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-lifecycle-'));
});
after(() => {
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function bigArchive(name, mib, layers) {
  const file = path.join(dir, name);
  execFileSync('python3', [path.join(repo, 'tests/fixtures/make_big.py'), file, String(mib), String(layers)]);
  return file;
}

/** Progress of the running import, in percent (0 when none runs). */
function progress(page) {
  return page.evaluate(() => Number(document.querySelector('.import[data-status="running"] progress')?.value ?? 0));
}

test('a reload in the middle of an import leaves no partial image, and the next start removes what it stored', async () => {
  const archive = bigArchive('reload.tar', 600, 3);
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    const baseline = await countRecords(page);
    await page.setInputFiles('#archive-input', archive);
    // Past the first of three layers: its blob is stored, the image is not.
    await page.waitForFunction(() => Number(document.querySelector('.import[data-status="running"] progress')?.value ?? 0) > 45, null, { timeout: 120_000 });
    const during = await countRecords(page);
    assert.ok(during.blobs > baseline.blobs, `a layer blob should be stored by now: ${JSON.stringify(during)}`);
    assert.equal(during.images, baseline.images);
    await page.reload();
    await waitReady(page);
    const afterReload = await countRecords(page);
    assert.equal(afterReload.images, baseline.images, 'a partial image appeared');
    assert.equal(afterReload.blobs, baseline.blobs, 'the interrupted import left blobs');
    assert.equal(afterReload.layers, baseline.layers, 'the interrupted import left layers');
    assert.equal(afterReload.imports, 0, 'the interrupted import left its record');
    assert.equal(await page.locator('tr.image-row').count(), 0);
  } finally {
    await browser.close();
  }
});

test('a fault in the import worker fails its import, a new worker starts, and the page keeps working', { skip: noWorkerRealms }, async () => {
  const archive = bigArchive('fault.tar', 400, 2);
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    await page.setInputFiles('#archive-input', archive);
    await page.waitForFunction(() => Number(document.querySelector('.import[data-status="running"] progress')?.value ?? 0) > 10, null, { timeout: 120_000 });
    // An uncaught error in the worker, as a trap in its WASM would surface.
    const [worker] = page.workers();
    await worker.evaluate(() => setTimeout(() => { throw new Error('injected fault'); }));
    await page.waitForSelector('.import[data-status="failed"]', { timeout: 30_000 });
    assert.match(await page.innerText('.import'), /the import worker failed: .*injected fault.*nothing was kept from this import/);
    // The banner that says so closes with Escape.
    assert.match(await page.innerText('.error-banner'), /injected fault/);
    await page.press('body', 'Escape');
    await page.locator('.error-banner').waitFor({ state: 'detached' });
    await waitReady(page);
    const r = await importFile(page, path.join(fixtures(), 'base.docker.tar'));
    assert.equal(r.status, 'done', r.text);
    const counts = await countRecords(page);
    assert.equal(counts.images, 1);
    assert.equal(counts.blobs, 3, 'the interrupted import left blobs');
    assert.equal(counts.layers, 1);
  } finally {
    await browser.close();
  }
});

test('a fault in the tar side\'s worker fails its import, a new one is started, and the next import uses it', { skip: noWorkerRealms }, async () => {
  const archive = bigArchive('tar-side-fault.tar', 400, 2);
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    await page.setInputFiles('#archive-input', archive);
    await page.waitForFunction(() => Number(document.querySelector('.import[data-status="running"] progress')?.value ?? 0) > 10, null, { timeout: 120_000 });
    const first = await workerNamed(page, 'layerwise-tar-side');
    await first.evaluate(() => setTimeout(() => { throw new Error('injected fault'); }));
    await page.waitForSelector('.import[data-status="failed"]', { timeout: 30_000 });
    assert.match(await page.innerText('.import'), /tar side.*injected fault|injected fault.*tar side/s);
    const counts = await countRecords(page);
    assert.equal(counts.images, 0);
    assert.equal(counts.blobs, 0, 'the interrupted import left blobs');
    const r = await importFile(page, path.join(fixtures(), 'base.docker.tar'));
    assert.equal(r.status, 'done', r.text);
    const second = await workerNamed(page, 'layerwise-tar-side', first);
    assert.ok((await countRecords(page)).images === 1);
    assert.deepEqual(browser.errors, []);
  } finally {
    await browser.close();
  }
});

test('a trap in the page\'s own wasm says so and offers a reload, which brings the page back', async () => {
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    // A trap surfaces as an uncaught WebAssembly.RuntimeError from an event handler or from a
    // future's task: both are raised here as the browser raises them, with a message the panic
    // hook left.
    await page.evaluate(() => {
      window.layerwisePanic = 'panicked at src/example.rs:1:1: injected';
      setTimeout(() => { throw new WebAssembly.RuntimeError('unreachable'); });
    });
    await page.waitForSelector('#page-fault', { timeout: 10_000 });
    assert.match(await page.innerText('#page-fault'), /stopped after an internal error .*panicked at src\/example.rs:1:1: injected.*stored images are kept/s);
    // An uncaught error that is not a trap (a worker's, a script's) is not one.
    await page.evaluate(() => document.getElementById('page-fault').remove());
    await page.evaluate(() => { setTimeout(() => { throw new Error('not a trap'); }); });
    await page.waitForTimeout(300);
    assert.equal(await page.locator('#page-fault').count(), 0);
    await page.evaluate(() => { window.layerwisePanic = undefined; Promise.reject(new WebAssembly.RuntimeError('unreachable')); });
    await page.waitForSelector('#page-fault', { timeout: 10_000 });
    assert.match(await page.innerText('#page-fault'), /\(unreachable\)/);
    await page.click('#page-fault button');
    await waitReady(page);
    assert.equal(await page.locator('#page-fault').count(), 0);
    const r = await importFile(page, path.join(fixtures(), 'base.docker.tar'));
    assert.equal(r.status, 'done', r.text);
  } finally {
    await browser.close();
  }
});

test('two tabs importing images that share a base at once both succeed, sharing the layer', async () => {
  const browser = await launch();
  try {
    const first = browser.page;
    const second = await browser.context.newPage();
    for (const p of [first, second]) {
      await p.goto(server.url);
      await waitReady(p);
    }
    const [a, b] = await Promise.all([
      importFile(first, path.join(fixtures(), 'app.docker.tar')),
      importFile(second, path.join(fixtures(), 'base.docker.tar')),
    ]);
    assert.equal(a.status, 'done', a.text);
    assert.equal(b.status, 'done', b.text);
    const counts = await countRecords(first);
    assert.equal(counts.images, 2);
    assert.equal(counts.blobs, 6);
    assert.equal(counts.layers, 2);
  } finally {
    await browser.close();
  }
});

/**
 * A browser whose origin may store about 60 MB: Chromium's quota is overridden through the
 * DevTools protocol, Firefox's quota manager is given a fixed limit of 300 MB, of which one
 * origin (a group) may use a fifth. `usage()` is what the origin stores, `lift()` ends the limit
 * where the browser can.
 */
async function limitedBrowser(origin) {
  if (inFirefox) {
    const browser = await launch(undefined, { firefoxPrefs: { 'dom.quotaManager.temporaryStorage.fixedLimit': 300 * 1000 } });
    const usage = () => browser.page.evaluate(async () => (await navigator.storage.estimate()).usage);
    return { browser, usage, lift: async () => {} };
  }
  const browser = await launch();
  const cdp = await browser.context.newCDPSession(browser.page);
  // Chromium's estimate() does not reflect this override, but IndexedDB enforces it.
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 60 * 1000 * 1000 });
  const usage = async () => (await cdp.send('Storage.getUsageAndQuota', { origin })).usage;
  return { browser, usage, lift: () => cdp.send('Storage.overrideQuotaForOrigin', { origin }) };
}

test('a full quota gives "storage full" with the sizes, and the store is left as it was', async () => {
  const archive = bigArchive('quota.tar', 200, 2);
  const { browser, usage, lift } = await limitedBrowser(new URL(server.url).origin);
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    const ok = await importFile(page, path.join(fixtures(), 'base.docker.tar'));
    assert.equal(ok.status, 'done', ok.text);
    const before = await countRecords(page);
    const r = await importFile(page, archive, 300_000);
    assert.equal(r.status, 'failed', r.text);
    assert.match(r.text, /storage full: this import needs about 210 MB, and \d+ MB of the browser's \d+ MB quota are free; nothing was kept from it/);
    const used = await usage();
    assert.ok(used < 5_000_000, `the failed import's space was not freed: ${used} bytes in use`);
    const afterFull = await countRecords(page);
    for (const store of ['blobs', 'layers', 'images']) assert.equal(afterFull[store], before[store], `${store} changed`);
    await lift();
    const again = await importFile(page, path.join(fixtures(), 'app.docker.tar'));
    assert.equal(again.status, 'done', again.text);
  } finally {
    await browser.close();
  }
});
