// The first user journey: drop archives, see the images as `docker images` lists them, open one,
// see its inspect JSON and history as docker prints them, reload, and find it all still there.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, startEngineApi, launch, waitReady, importFile, countRecords, fixtures, withoutTagTime, repo } from './lib.js';

let server, browser, engine;
const archives = () => ['base.docker.tar', 'app.docker.tar'].map((n) => path.join(fixtures(), n));

before(async () => {
  server = await startServer();
  browser = await launch();
  engine = await startEngineApi(archives());
});
after(async () => {
  await browser?.close();
  server?.stop();
  engine?.stop();
});

test('importing two archives lists their images exactly as `docker images` prints them', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await waitReady(page);
  for (const a of archives()) {
    const r = await importFile(page, a);
    assert.equal(r.status, 'done', r.text);
    assert.match(r.text, /Loaded image: test\/(base|app):1/);
  }
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 2);
  assert.equal(await page.textContent('#docker-images'), engine.docker(['images']));
  const cells = await page.$$eval('tr.image-row', (rows) => rows.map((r) => [...r.cells].slice(1, 6).map((c) => c.textContent)));
  const printed = engine.docker(['images']).trim().split('\n').slice(1).map((l) => l.split(/ {3,}/));
  assert.deepEqual(cells, printed);
});

test('two images that share a layer store it once', async () => {
  const counts = await countRecords(browser.page);
  // base: 1 layer, config, manifest; app adds 1 layer, config, manifest.
  assert.equal(counts.blobs, 6);
  assert.equal(counts.layers, 2);
  assert.equal(counts.images, 2);
  const shared = await browser.page.$$eval('tr.image-row', (rows) => rows.map((r) => r.cells[6].textContent));
  assert.ok(shared.every((s) => s !== '0B'), `both images share the base layer: ${shared}`);
});

test('an image page shows the inspect JSON docker prints, and its history', async () => {
  const { page } = browser;
  await page.click('tr.image-row:has-text("test/app") td:nth-child(4) a');
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  assert.match(page.url(), /#\/images\/[0-9a-f]{64}$/);
  const hex = page.url().split('/').pop();
  const expected = engine.docker(['image', 'inspect', `sha256:${hex}`]);
  assert.equal(withoutTagTime(await page.textContent('#inspect-json')), withoutTagTime(expected));
  // docker load leaves LastTagTime at Go's zero time, as dockerd does.
  assert.match(await page.textContent('#inspect-json'), /"LastTagTime": "0001-01-01T00:00:00Z"/);
  assert.equal(await page.textContent('#docker-history'), engine.docker(['history', 'test/app:1']));
  // The copy button copies exactly what docker prints.
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  await page.click('.inspect button:has-text("Copy JSON")');
  await page.waitForSelector('.inspect button:has-text("Copied")');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.textContent('#inspect-json'));
  // The tree folds: Config collapses to a summary.
  await page.click('.branch[data-path="$.Config"] > button.fold');
  assert.match(await page.textContent('.branch[data-path="$.Config"]'), /items/);
  // --no-trunc shows the whole command, as docker does.
  await page.check('.history input[type=checkbox]');
  assert.equal(await page.textContent('#docker-history'), engine.docker(['history', '--no-trunc', 'test/app:1']));
});

test('everything is still there after a reload, and the image URL can be bookmarked', async () => {
  const { page } = browser;
  const url = page.url();
  await page.reload();
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  assert.equal(page.url(), url);
  assert.equal(await page.textContent('#docker-history'), engine.docker(['history', 'test/app:1']));
  await page.goto(server.url + '#/');
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 2);
  assert.equal(await page.textContent('#docker-images'), engine.docker(['images']));
  assert.deepEqual(browser.errors, []);
});

test('a finished import\'s message is dismissed with its button; a failed one does not repeat the file name', async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/`);
  const failed = await importFile(page, path.join(repo, 'README.md'));
  assert.equal(failed.status, 'failed');
  assert.equal(failed.text.split('README.md').length - 1, 1, failed.text);
  const before = await page.locator('.import').count();
  const id = await page.locator('.import').first().getAttribute('data-import-id');
  await page.locator('.import').first().locator('button.dismiss').click();
  await page.waitForFunction((n) => document.querySelectorAll('.import').length === n - 1, before);
  assert.equal(await page.locator(`.import[data-import-id="${id}"]`).count(), 0);
});
