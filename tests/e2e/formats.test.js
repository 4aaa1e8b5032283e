// Every archive layout of the first slice, in the browser: docker-archive (legacy `docker save`),
// oci-archive, a multi-image archive, the Docker 25+ layout; by file button and by drag and drop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, startEngineApi, launch, waitReady, importFile, fixtures, shared, withoutTagTime } from './lib.js';

let server, browser;
before(async () => {
  server = await startServer();
  browser = await launch();
  await browser.page.goto(server.url);
  await waitReady(browser.page);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** The inspect JSON the page shows for `name` (an ID or prefix). */
async function pageInspect(name) {
  const { page } = browser;
  await page.goto(`${server.url}#/images/${name}`);
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  return page.textContent('#inspect-json');
}

test('an oci-archive gives the image ID the docker-archive of the same image gives', async () => {
  const r = await importFile(browser.page, path.join(fixtures(), 'app.oci.tar'));
  assert.equal(r.status, 'done', r.text);
  assert.match(r.text, /Loaded image: test\/app:1/);
  const engine = await startEngineApi([path.join(fixtures(), 'app.docker.tar')]);
  try {
    const id = engine.docker(['image', 'inspect', '-f', '{{.Id}}', 'test/app:1']).trim();
    assert.equal(withoutTagTime(await pageInspect(id.slice(7))), withoutTagTime(engine.docker(['image', 'inspect', id])));
  } finally {
    engine.stop();
  }
});

test('archives compressed as a whole (gzip, zstd) import like the plain one', async () => {
  const engine = await startEngineApi([path.join(fixtures(), 'app.docker.tar')]);
  try {
    const id = engine.docker(['image', 'inspect', '-f', '{{.Id}}', 'test/app:1']).trim();
    for (const [tool, ext] of [['gzip', 'gz'], ['zstd', 'zst']]) {
      const file = path.join(fixtures(), `app.docker.tar.${ext}`);
      writeFileSync(file, execFileSync(tool, ['-c', '-q', path.join(fixtures(), 'app.docker.tar')], { maxBuffer: 1 << 30 }));
      await browser.page.goto(server.url);
      const r = await importFile(browser.page, file);
      assert.equal(r.status, 'done', r.text);
      assert.equal(withoutTagTime(await pageInspect(id.slice(7))), withoutTagTime(engine.docker(['image', 'inspect', id])));
    }
  } finally {
    engine.stop();
  }
});

test('a multi-platform archive imports the platform picked, or all of them', async () => {
  const { page } = browser;
  await page.goto(server.url);
  const archive = path.join(fixtures(), 'platforms.oci.tar');
  await page.selectOption('#platform', 'linux/arm64');
  let r = await importFile(page, archive);
  assert.equal(r.status, 'done', r.text);
  const arm = r.text.match(/Loaded image: test\/multi:1/);
  assert.ok(arm, r.text);
  await page.goto(`${server.url}#/images/test%2Fmulti:1`);
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  assert.match(await page.textContent('#inspect-json'), /"Architecture": "arm64"/);
  await page.goto(server.url);
  await page.selectOption('#platform', 'all');
  r = await importFile(page, archive);
  assert.equal(r.status, 'done', r.text);
  assert.match(r.text, /Loaded image: test\/multi:1\s+Loaded image ID: sha256:[0-9a-f]{64}/);
  await page.selectOption('#platform', 'linux/s390x');
  r = await importFile(page, archive);
  assert.equal(r.status, 'failed', r.text);
  assert.match(r.text, /no image for linux\/s390x: it has linux\/amd64, linux\/arm64\/v8/);
  await page.selectOption('#platform', '');
});

test('attestations are kept with their image and shown as such, not as images', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.selectOption('#platform', '');
  const r = await importFile(page, path.join(fixtures(), 'attested.oci.tar'));
  assert.equal(r.status, 'done', r.text);
  assert.equal((r.text.match(/Loaded image/g) || []).length, 1, r.text);
  await page.goto(`${server.url}#/images/test%2Fmulti:1`);
  await page.waitForSelector('.attestations');
  assert.match(await page.textContent('.attestations'), /https:\/\/slsa\.dev\/provenance\/v0\.2 · manifest sha256:[0-9a-f]{64}/);
});

test('a multi-image archive imports every image', async () => {
  await browser.page.goto(server.url);
  const r = await importFile(browser.page, path.join(fixtures(), 'multi.podman.tar'));
  assert.equal(r.status, 'done', r.text);
  assert.match(r.text, /Loaded image: test\/base:1/);
  assert.match(r.text, /Loaded image: test\/app:1/);
});

test('a file picked the moment the page loads waits for the worker and imports', async () => {
  const { page } = browser;
  await page.reload();
  await page.waitForSelector('#archive-input', { state: 'attached' });
  const r = await importFile(page, path.join(fixtures(), 'base.docker.tar'));
  assert.equal(r.status, 'done', r.text);
});

test('a dropped file imports like a picked one', async () => {
  const { page } = browser;
  await page.goto(server.url);
  const bytes = readFileSync(path.join(fixtures(), 'base.docker.tar'));
  const before = await page.locator('.import').count();
  const dataTransfer = await page.evaluateHandle((b64) => {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'dropped.tar', { type: 'application/x-tar' }));
    return dt;
  }, bytes.toString('base64'));
  await page.dispatchEvent('.drop-zone', 'drop', { dataTransfer });
  const row = page.locator('.import').nth(before);
  await row.locator('xpath=self::*[@data-status="done" or @data-status="failed"]').waitFor();
  assert.match(await row.innerText(), /dropped\.tar\s+Loaded image: test\/base:1/);
});

for (const name of ['google_go-containerregistry_hello-world-v25.tar', 'snyk_snyk-docker-plugin_docker-oci-busybox.armv7.tar', 'wagoodman_dive_test-docker-image.tar']) {
  test(`real archive ${name}: imported, inspect and history as docker prints them`, async (t) => {
    const file = shared(name);
    if (!file) return t.skip('../shared/fixtures is absent');
    await browser.page.goto(server.url);
    const r = await importFile(browser.page, file);
    assert.equal(r.status, 'done', r.text);
    const engine = await startEngineApi([file]);
    try {
      const ids = engine.docker(['images', '-q', '--no-trunc']).trim().split('\n');
      for (const id of ids) {
        assert.equal(withoutTagTime(await pageInspect(id.slice(7))), withoutTagTime(engine.docker(['image', 'inspect', id])));
        assert.equal(await browser.page.textContent('#docker-history'), engine.docker(['history', id]));
      }
    } finally {
      engine.stop();
    }
  });
}

// After the tests that compare with an Engine API holding only test/app:1: this tags the same image.
test('an archive with zstd layers (skopeo --dest-compress-format zstd) imports', async () => {
  await browser.page.goto(server.url);
  const r = await importFile(browser.page, path.join(fixtures(), 'app.zstd.tar'));
  assert.equal(r.status, 'done', r.text);
  assert.match(r.text, /Loaded image: test\/app:zstd/);
  await browser.page.goto(`${server.url}#/images/test%2Fapp:zstd`);
  await browser.page.waitForSelector('#docker-history', { state: 'attached' });
  assert.match(await browser.page.textContent('#docker-history'), /umoci repack/);
});

test('no page errors', () => assert.deepEqual(browser.errors, []));
