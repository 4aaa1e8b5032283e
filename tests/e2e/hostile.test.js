// Broken and hostile archives: a clear message naming what is wrong, the store left as it was,
// and the page still working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile, countRecords, fixtures, shared } from './lib.js';

let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-hostile-'));
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  const r = await importFile(browser.page, path.join(fixtures(), 'base.docker.tar'));
  assert.equal(r.status, 'done', r.text);
});
after(async () => {
  await browser?.close();
  server?.stop();
});

/** Writes a variant of app.docker.tar changed by `mutate`, returns its path. */
function variant(name, mutate) {
  const bytes = Buffer.from(readFileSync(path.join(fixtures(), 'app.docker.tar')));
  mutate(bytes);
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

/** Imports `file`, expects a failure whose message matches `why`, and an unchanged store. */
async function refused(file, why) {
  const before = await countRecords(browser.page);
  const r = await importFile(browser.page, file);
  assert.equal(r.status, 'failed', r.text);
  assert.match(r.text, why);
  const afterCounts = await countRecords(browser.page);
  for (const store of ['blobs', 'layers', 'images']) assert.equal(afterCounts[store], before[store], `${store} changed`);
}

test('a flipped byte in a layer is refused, naming the layer and the diff_id', async () => {
  const file = variant('flipped.tar', (b) => {
    // The base layer (data/blob.bin, random bytes) is the first entry's data: flip a byte deep inside.
    b[512 + 60_000] ^= 1;
  });
  await refused(file, /layer 0 .* uncompresses to sha256:[0-9a-f]{64}, but the config says diff_id sha256:[0-9a-f]{64}/);
});

test('a truncated archive is refused', async () => {
  const bytes = readFileSync(path.join(fixtures(), 'app.docker.tar'));
  const p = path.join(dir, 'cut.tar');
  writeFileSync(p, bytes.subarray(0, 70_000));
  await refused(p, /truncated|is not in the archive|not an image archive/);
});

test('a file that is not a tar is refused', async () => {
  const p = path.join(dir, 'notes.tar');
  writeFileSync(p, 'these are not the bytes you are looking for\n'.repeat(40));
  await refused(p, /not a valid tar|not an image archive/);
});

test('real broken archives are refused with their reason', async (t) => {
  const cases = [
    ['google_go-containerregistry_null_manifest.tar', /the archive holds no images/],
    ['snyk_snyk-docker-plugin_unsupported-image.tar', /not an image archive/],
    ['google_go-containerregistry_sparse_foreign.tar', /is not in the archive/],
    ['snyk_snyk-docker-plugin_nginx-os-release-link.tar', /diff_id/],
    // Refused for what the tar side hashed, in the import's second worker.
    ['snyk_snyk-docker-plugin_java.tar', /uncompresses to/],
  ];
  let ran = 0;
  for (const [name, why] of cases) {
    const file = shared(name);
    if (!file) continue;
    await refused(file, why);
    ran++;
  }
  if (!ran) t.skip('../shared/fixtures is absent');
});

test('after all that the page still imports and lists images', async () => {
  const r = await importFile(browser.page, path.join(fixtures(), 'app.docker.tar'));
  assert.equal(r.status, 'done', r.text);
  await browser.page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 2);
  assert.deepEqual(browser.errors, []);
});
