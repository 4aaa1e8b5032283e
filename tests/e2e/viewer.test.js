// Opening files on the page: text as text, binary as `hexdump -C` prints it, symlinks with their
// target; a file and a folder downloaded from the stored layers equal what umoci unpacks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile, fixtures } from './lib.js';

let server, browser, dir, rootfs;
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
before(async () => {
  server = await startServer();
  browser = await launch();
  dir = mkdtempSync(path.join(tmpdir(), 'layerwise-viewer-'));
  const archive = path.join(fixtures(), 'app.oci.tar');
  run('skopeo', ['copy', '-q', `oci-archive:${archive}`, `oci:${dir}/oci:img`]);
  run('umoci', ['unpack', '--rootless', '--image', `${dir}/oci:img`, `${dir}/bundle`]);
  rootfs = path.join(dir, 'bundle/rootfs');
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  assert.equal((await importFile(browser.page, archive)).status, 'done');
  await browser.page.goto(`${server.url}#/images/test%2Fapp:1`);
  await browser.page.click('button.tab:has-text("Layers & files")');
});
after(async () => {
  await browser?.close();
  server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function open(p) {
  const { page } = browser;
  const parts = p.split('/');
  for (let i = 1; i < parts.length; i++) {
    const d = parts.slice(0, i).join('/');
    const row = page.locator(`.file.dir[data-path="${d}"]`);
    if ((await row.locator('button.fold').innerText()) === '▸') await row.locator('button.fold').click();
  }
  await page.click(`.file[data-path="${p}"] .name`);
  await page.locator(`.viewer[data-path="${p}"]`).waitFor();
}

test('a text file shows as text, a binary one as hexdump -C does, a symlink with its target', async () => {
  const { page } = browser;
  await open('etc/greeting');
  await page.locator('#file-content.text').waitFor();
  assert.equal(await page.locator('#file-content').innerText(), readFileSync(path.join(rootfs, 'etc/greeting'), 'utf8'));
  await open('data/blob.bin');
  await page.locator('#file-content.hex').waitFor();
  const ours = (await page.locator('#file-content').innerText()).split('\n');
  const theirs = run('hexdump', ['-C', '-n', String(256 * 1024), path.join(rootfs, 'data/blob.bin')]).split('\n');
  assert.deepEqual(ours.slice(0, 100), theirs.slice(0, 100));
  await open('bin/greeting-link');
  assert.match(await page.locator('.viewer').innerText(), /→ \.\.\/etc\/greeting/);
});

test('a file and a folder download as umoci unpacks them', async () => {
  const { page } = browser;
  await open('data/blob.bin');
  const [file] = await Promise.all([page.waitForEvent('download'), page.click('#save-path')]);
  assert.equal(file.suggestedFilename(), 'blob.bin');
  await file.saveAs(path.join(dir, 'blob.bin'));
  assert.ok(readFileSync(path.join(dir, 'blob.bin')).equals(readFileSync(path.join(rootfs, 'data/blob.bin'))));
  await open('etc');
  const [folder] = await Promise.all([page.waitForEvent('download'), page.click('#save-path')]);
  assert.equal(folder.suggestedFilename(), 'etc.tar');
  await folder.saveAs(path.join(dir, 'etc.tar'));
  mkdirSync(path.join(dir, 'out'));
  run('tar', ['-xf', path.join(dir, 'etc.tar'), '-C', path.join(dir, 'out')]);
  assert.equal(run('diff', ['-r', path.join(dir, 'out/etc'), path.join(rootfs, 'etc')]), '');
  assert.deepEqual(browser.errors, []);
});
