// The bad-input corpus in the browser: every case the native tests judge (hand-made hostile
// archives and mutations of real ones, crates/core/tests/corpus) is picked with the page's file
// button and imported by the wasm build's workers, against the same expectations: a case refused
// natively is refused here with the same reason and leaves the store as it was; a case accepted
// natively is accepted here with the same image IDs. The page must keep working throughout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile, countRecords, fixtures, repo } from './lib.js';

let server, browser, dir;
before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-corpus-'));
  // The native corpus writes its cases (and the IDs it imported) for the browser.
  execFileSync('cargo', ['test', '-q', '-p', 'layerwise-core', '--test', 'integration', 'corpus::export::corpus_export_for_the_browser', '--', '--exact'], {
    cwd: repo, env: { ...process.env, LAYERWISE_CORPUS_EXPORT: dir }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  server = await startServer();
  browser = await launch();
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  // The store every native case starts from holds this one image.
  assert.equal((await importFile(browser.page, path.join(fixtures(), 'base.docker.tar'))).status, 'done');
});
after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The IDs of the stored images. */
function imageIds(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('layerwise');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const keys = db.transaction('images', 'readonly').objectStore('images').getAllKeys();
      keys.onsuccess = () => { db.close(); resolve(keys.result); };
      keys.onerror = () => reject(keys.error);
    };
  }));
}

test('every corpus case gives in the browser what it gives natively', async () => {
  const { page } = browser;
  const cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8'));
  assert.ok(cases.length > 400, `${cases.length} cases`);
  const broken = [];
  for (const c of cases) {
    await page.selectOption('#platform', c.platform);
    const before = await countRecords(page);
    const r = await importFile(page, path.join(dir, c.file), 120_000);
    const text = r.text.replace(/\s+/g, ' ');
    if (c.expect.refused !== undefined) {
      const after = await countRecords(page);
      const changed = ['blobs', 'layers', 'images'].filter((s) => after[s] !== before[s]);
      if (r.status !== 'failed' || !r.text.includes(c.expect.refused)) broken.push(`${c.name}: expected a refusal saying "${c.expect.refused}", got ${r.status}: ${text}`);
      else if (changed.length) broken.push(`${c.name}: the refused import changed ${changed.join(', ')}`);
    } else {
      const ids = await imageIds(page);
      const missing = c.expect.accepted.filter((id) => !ids.includes(id));
      if (r.status !== 'done') broken.push(`${c.name}: expected acceptance, got ${r.status}: ${text}`);
      else if (missing.length) broken.push(`${c.name}: accepted, but without the native import's images ${missing.join(', ')}`);
    }
  }
  assert.deepEqual(broken, [], `${broken.length} of ${cases.length} cases differ from the native run`);
  assert.equal(await page.locator('#page-fault').count(), 0);
  assert.deepEqual(browser.errors, []);
});
