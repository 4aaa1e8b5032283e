// Layers and files, as dive shows them: each layer's step, sizes and changes; the merged
// filesystem with whiteouts applied; one layer's changes; wasted space; a directory of 100,000
// files rendered a screenful at a time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile, fixtures, repo } from './lib.js';

let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-files-'));
  await browser.page.goto(server.url);
  await waitReady(browser.page);
});
after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function openTab(name, label) {
  const { page } = browser;
  await page.goto(`${server.url}#/images/${encodeURIComponent(name)}`);
  await page.click(`button.tab:has-text("${label}")`);
}

const shown = (page) => page.$$eval('.virtual-list .file', (rows) => rows.map((r) => r.getAttribute('data-path')));

test('the layers of an image, with what each changed, and the merged filesystem without deleted files', async () => {
  const { page } = browser;
  const r = await importFile(page, path.join(fixtures(), 'app.docker.tar'));
  assert.equal(r.status, 'done', r.text);
  await openTab('test/app:1', 'Layers & files');
  const layers = await page.$$eval('tr.layer-row', (rows) => rows.map((r) => [r.cells[1].textContent, r.cells[5].textContent]));
  assert.equal(layers.length, 2);
  assert.equal(layers[0][0], 'umoci repack');
  assert.match(layers[1][1], /\+\d+ ~\d+ -1/, 'the second layer deletes data/old.txt');
  await page.click('.file.dir[data-path="data"] button.fold');
  const merged = await shown(page);
  assert.ok(merged.includes('data/blob.bin') && !merged.includes('data/old.txt'), `merged view: ${merged}`);
  await page.click('tr.layer-row[data-index="1"]');
  await page.waitForSelector('.file.change-deleted');
  assert.equal(await page.getAttribute('.file.change-deleted', 'data-path'), 'data/old.txt');
  assert.ok((await shown(page)).includes('app/run.sh'));
  await page.fill('#file-search', 'greeting');
  assert.deepEqual(await shown(page), ['etc/greeting']);
});

test('wasted space lists what later layers overwrote or deleted', async () => {
  const { page } = browser;
  await openTab('test/app:1', 'Wasted space');
  const rows = await page.$$eval('tr.waste-row', (rs) => rs.map((r) => [r.cells[0].textContent, r.cells[3].textContent]));
  assert.deepEqual(rows.sort(), [['data/old.txt', 'layer 1 (deleted)'], ['etc/greeting', 'layer 1 (overwritten)']]);
});

test('a directory of 100,000 files opens and renders only what is in view', async () => {
  const { page } = browser;
  const archive = path.join(dir, 'many.tar');
  execFileSync('python3', [path.join(repo, 'tests/fixtures/make_many.py'), archive, '100000']);
  await page.goto(server.url);
  const r = await importFile(page, archive, 300_000);
  assert.equal(r.status, 'done', r.text);
  await openTab('many/files:100000', 'Layers & files');
  await page.click('.file.dir[data-path="many"] button.fold');
  await page.waitForSelector('.virtual-list[data-rows="100001"]');
  const rendered = await page.locator('.virtual-list .row').count();
  assert.ok(rendered < 100, `${rendered} rows are in the DOM`);
  await page.evaluate(() => { const l = document.querySelector('.virtual-list'); l.scrollTop = l.scrollHeight; l.dispatchEvent(new Event('scroll')); });
  await page.waitForSelector('.file[data-path="many/file-099999.txt"]');
  assert.deepEqual(browser.errors, []);
});
