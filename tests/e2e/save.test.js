// docker save on the page: the downloaded archive (Blob-download path; a save picker cannot be
// automated) loads in skopeo (both transports), podman, oci-image-tool and dockerd 20.10, and
// re-imports to the same image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, startDaemon, launch, waitReady, importFile, fixtures } from './lib.js';

let server, browser, dir;
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-save-'));
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  for (const f of ['base.docker.tar', 'app.oci.tar']) assert.equal((await importFile(browser.page, path.join(fixtures(), f))).status, 'done');
});
after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

async function download(click) {
  const [file] = await Promise.all([browser.page.waitForEvent('download'), click()]);
  const out = path.join(dir, file.suggestedFilename());
  await file.saveAs(out);
  return out;
}

test('an image saved from its page loads in skopeo, podman and oci-image-tool', async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/images/test%2Fapp:1`);
  const archive = await download(() => page.click('#save-image'));
  assert.equal(path.basename(archive), 'test_app_1.tar');
  const viaDocker = JSON.parse(run('skopeo', ['inspect', `docker-archive:${archive}`]));
  const viaOci = JSON.parse(run('skopeo', ['inspect', `oci-archive:${archive}`]));
  assert.deepEqual(viaDocker.Layers.length, 2);
  assert.equal(viaOci.Layers.length, 2);
  const layout = path.join(dir, 'layout');
  mkdirSync(layout);
  run('tar', ['-xf', archive, '-C', layout]);
  assert.match(run('oci-image-tool', ['validate', '--type', 'image', layout]), /Validation succeeded/);
  const root = path.join(dir, 'podman');
  const podman = ['--root', root, '--runroot', `/tmp/lw-save-${process.pid}`, '--storage-driver', 'vfs'];
  assert.match(run('podman', [...podman, 'load', '-i', archive]), /Loaded image: docker\.io\/test\/app:1/);
  const history = JSON.parse(run('podman', [...podman, 'history', '--format', 'json', 'test/app:1']));
  assert.equal(history[0].comment, 'config only');
  run('podman', [...podman, 'system', 'reset', '-f']);
});

test('several images saved together, and the archive re-imports to the same image IDs', async () => {
  const { page } = browser;
  await page.goto(server.url);
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 2);
  const ids = await page.$$eval('tr.image-row', (rows) => rows.map((r) => r.getAttribute('data-id')).sort());
  for (const box of await page.$$('tr.image-row td.pick input')) await box.check();
  const archive = await download(() => page.click('#save-selected'));
  for (const tag of ['test/base:1', 'test/app:1']) run('skopeo', ['inspect', `docker-archive:${archive}:${tag}`]);
  const r = await importFile(page, archive);
  assert.equal(r.status, 'done', r.text);
  assert.match(r.text, /Loaded image: test\/base:1/);
  assert.match(r.text, /Loaded image: test\/app:1/);
  await page.waitForFunction(() => document.querySelectorAll('tr.image-row').length === 2);
  assert.deepEqual(await page.$$eval('tr.image-row', (rows) => rows.map((r) => r.getAttribute('data-id')).sort()), ids);
  assert.deepEqual(browser.errors, []);

  // dockerd loads the same archive with the lines the page printed, in the same order, and
  // holds the same image IDs.
  const daemon = await startDaemon();
  try {
    const lines = daemon.docker(['load', '-i', archive]).trim().split('\n');
    assert.deepEqual(lines.slice().sort(), ['Loaded image: test/app:1', 'Loaded image: test/base:1']);
    const at = lines.map((l) => r.text.indexOf(l));
    assert.ok(at.every((i, n) => i >= 0 && (n === 0 || i > at[n - 1])), `${lines} in ${r.text}`);
    assert.deepEqual(daemon.docker(['images', '--no-trunc', '--format', '{{.ID}}']).trim().split('\n').sort(), ids);
  } finally {
    daemon.stop();
  }
});
