// The import worker dies in the middle of a pull and of a commit (an uncaught error raised in it
// just after the job has started, as a trap in its WASM would surface): the job fails with a
// message, nothing of it is kept, a new worker is started, and the same job then succeeds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, startRegistry, launch, waitReady, countRecords, fixtures, noWorkerRealms, typeLine, workerNamed } from './lib.js';

let server, registry, browser;
before(async () => {
  registry = await startRegistry({ 'test/app:1': path.join(fixtures(), 'app.oci.tar') });
  server = await startServer(['--insecure-registry', registry.host, '--allow-private']);
  browser = await launch();
  await browser.page.goto(server.url);
  await waitReady(browser.page);
});
after(async () => {
  await browser?.close();
  server?.stop();
  registry?.stop();
});

const run = (page, line) => typeLine(page, line, { job: true });

/** Makes the import worker throw an uncaught error as soon as it receives a `kind` job. */
async function faultOn(page, kind) {
  const worker = await workerNamed(page, '');
  await worker.evaluate((k) => {
    // Added after the worker's own handler, so the job has started when this throws.
    self.addEventListener('message', (e) => {
      if (typeof e.data?.request === 'string' && JSON.parse(e.data.request).kind === k) setTimeout(() => { throw new Error(`injected fault in a ${k}`); });
    });
  }, kind);
}

test('the import worker dying mid-pull fails the pull and keeps nothing; the pull then succeeds', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/console`);
  const before = await countRecords(page);
  await faultOn(page, 'pull');
  const ref = `${registry.host}/test/app:1`;
  const failed = await run(page, `docker pull ${ref}`);
  assert.match(failed.stderr, /injected fault in a pull/, JSON.stringify(failed));
  await waitReady(page);
  const after = await countRecords(page);
  for (const store of ['blobs', 'layers', 'images']) assert.equal(after[store], before[store], `the failed pull left ${store}`);
  const pulled = await run(page, `docker pull ${ref}`);
  assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${ref}`), JSON.stringify(pulled));
  assert.equal(await page.locator('#page-fault').count(), 0);
});

test('the import worker dying mid-commit fails the commit, keeps the session; the commit then succeeds', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  const ref = `${registry.host}/test/app:1`;
  await page.goto(`${server.url}#/images/${encodeURIComponent(ref)}`);
  await page.click('text=Edit & commit');
  await page.click('#start-session');
  await page.locator('#session-diff').waitFor();
  await page.fill('#edit-path', '/etc/motd');
  await page.fill('#edit-text', 'committed after a fault\n');
  await page.click('#edit-write');
  await page.waitForFunction(() => /A \/etc\/motd/.test(document.querySelector('#session-diff')?.innerText ?? ''));
  await page.goto(`${server.url}#/console`);
  const container = (await run(page, 'docker ps -a -q')).stdout.trim();
  assert.match(container, /^[0-9a-f]{12}$/);
  const before = await countRecords(page);
  await faultOn(page, 'commit');
  const failed = await run(page, `docker commit ${container} test/after-fault:1`);
  assert.match(failed.stderr, /injected fault in a commit/, JSON.stringify(failed));
  await waitReady(page);
  const after = await countRecords(page);
  for (const store of ['blobs', 'layers', 'images']) assert.equal(after[store], before[store], `the failed commit left ${store}`);
  assert.equal((await run(page, 'docker ps -a -q')).stdout.trim(), container, 'the session is kept');
  const committed = await run(page, `docker commit ${container} test/after-fault:1`);
  assert.match(committed.stdout.trim(), /^sha256:[0-9a-f]{64}$/, JSON.stringify(committed));
  assert.match((await run(page, 'docker images test/after-fault')).stdout, /test\/after-fault\s+1\s/);
  assert.deepEqual(browser.errors, []);
});
