// docker tag and docker rmi on the page: docker's rules and docker's output (the real docker
// CLI against the Engine API harness, on the same archives, is the judge), and blobs freed only
// where no other image needs them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startServer, startEngineApi, launch, waitReady, importFile, countRecords, fixtures } from './lib.js';

let server, browser, engine;
const archives = () => ['base.docker.tar', 'app.docker.tar'].map((n) => path.join(fixtures(), n));

before(async () => {
  server = await startServer();
  browser = await launch();
  engine = await startEngineApi(archives());
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  for (const a of archives()) assert.equal((await importFile(browser.page, a)).status, 'done');
});
after(async () => {
  await browser?.close();
  server?.stop();
  engine?.stop();
});

/** What docker prints on stderr for a failing command (the harness's message). */
function dockerError(args) {
  try {
    engine.docker(args);
  } catch (e) {
    return String(e.stderr).trim();
  }
  throw new Error(`docker ${args.join(' ')} succeeded`);
}

test('tag, a conflict that must be forced, then a forced removal: docker\'s lines, shared layers kept', async () => {
  const { page } = browser;
  const id = engine.docker(['image', 'inspect', '-f', '{{.Id}}', 'test/app:1']).trim();
  await page.goto(`${server.url}#/images/${id.slice(7)}`);
  await page.fill('#tag-target', 'other/app:1');
  await page.click('.image-actions button[type=submit]');
  await page.waitForSelector('#action-output');
  engine.docker(['tag', 'test/app:1', 'other/app:1']);
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 3);
  // The docker CLI groups an image's tags by repository in a Go map, so the order of one
  // image's repositories varies from run to run: the rows are compared as a set.
  const rows = (text) => text.split('\n').sort();
  assert.deepEqual(rows(await page.textContent('#docker-images')), rows(engine.docker(['images'])));

  await page.goto(`${server.url}#/images/${id.slice(7)}`);
  await page.click('#remove-image');
  await page.waitForSelector('#action-output');
  assert.equal(await page.textContent('#action-output'), dockerError(['rmi', id]));

  await page.check('.image-actions input[type=checkbox]');
  await page.click('#remove-image');
  await page.waitForURL(/#\/$/);
  const printed = engine.docker(['rmi', '-f', id]).trim();
  assert.match(printed, /^Untagged: other\/app:1\nUntagged: test\/app:1\nDeleted: sha256:/);
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 1);
  assert.equal(await page.textContent('#docker-images'), engine.docker(['images']));
  const counts = await countRecords(page);
  assert.deepEqual([counts.images, counts.blobs, counts.layers], [1, 3, 1], 'test/base:1 keeps its layer, config and manifest');
});
