// The page in Firefox: Debian's firefox-esr, headless, driven by puppeteer-core over WebDriver
// BiDi (playwright-core cannot drive a stock Firefox). The start of the journey a new user
// takes: import by the file button and by a drop (both workers, IndexedDB), the images list, the console's
// images, history and `--format` templates (which run in the page's wasm), judged by the real
// docker CLI against the Engine API harness over the same archives; then a reload keeps the
// store. A pull through the proxy from Debian's docker-registry streams, verifies and stores in
// Firefox too. The other journeys run in Chromium only so far (issue 13).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { execFileSync } from 'node:child_process';
import { startServer, startEngineApi, startRegistry, fixtures } from './lib.js';

const FIREFOX = process.env.FIREFOX || '/usr/bin/firefox-esr';
let server, engine, registry, browser, page, profile;
const archives = () => ['base.docker.tar', 'app.docker.tar'].map((f) => path.join(fixtures(), f));

before(async () => {
  registry = await startRegistry({ 'test/pulled:1': path.join(fixtures(), 'app.oci.tar') });
  server = await startServer(['--insecure-registry', registry.host, '--allow-private']);
  engine = await startEngineApi(archives());
  profile = mkdtempSync(path.join(tmpdir(), 'layerwise-firefox-'));
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, userDataDir: profile });
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForSelector('#diagnostics[data-worker-ready="true"]', { timeout: 60_000 });
});
after(async () => {
  await browser?.close();
  server?.stop();
  engine?.stop();
  registry?.stop();
  rmSync(profile, { recursive: true, force: true });
});

/**
 * Waits until `predicate(arg)`, evaluated in the page, is true. puppeteer's waitForFunction
 * builds its poller with `new Function`, which the page's CSP forbids; a plain evaluate does not.
 */
async function waitFor(predicate, arg, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  while (!(await page.evaluate(predicate, arg))) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${predicate}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Picks `file` with the file button; resolves to the import row's final status and text. */
async function importFile(file) {
  const before = await page.$$eval('.import', (rows) => rows.length);
  const input = await page.$('#archive-input');
  await input.uploadFile(file);
  await waitFor((n) => {
    const row = document.querySelectorAll('.import')[n];
    return Boolean(row && ['done', 'failed'].includes(row.dataset.status));
  }, before, 120_000);
  return page.$$eval('.import', (rows, n) => ({ status: rows[n].dataset.status, text: rows[n].innerText }), before);
}

/** Waits until the last console entry's job has finished; resolves to its stdout and stderr. */
async function finished() {
  await waitFor(() => [...document.querySelectorAll('#console-output .entry')].pop()?.dataset.running === 'false', undefined, 120_000);
  return page.$$eval('#console-output .entry', (entries) => {
    const e = entries[entries.length - 1];
    return { stdout: e.querySelector('.stdout')?.textContent ?? '', stderr: e.querySelector('.stderr')?.textContent ?? '' };
  });
}

/** Types `line` and Enter on the console; resolves to the new entry's stdout. */
async function type(line) {
  const before = await page.$$eval('#console-output .entry', (e) => e.length);
  await page.$eval('#console-input', (el) => { el.value = ''; });
  await page.type('#console-input', line);
  await page.keyboard.press('Enter');
  await waitFor((n) => document.querySelectorAll('#console-output .entry').length > n, before);
  return page.$$eval('#console-output .entry', (entries, n) => entries[n].querySelector('.stdout')?.textContent ?? '', before);
}

test('in Firefox: import by the file button, the images list', async () => {
  for (const a of archives()) {
    const r = await importFile(a);
    assert.equal(r.status, 'done', r.text);
  }
  await waitFor(() => document.querySelectorAll('tr.image-row').length === 2);
  const rows = await page.$$eval('tr.image-row', (trs) => trs.map((tr) => tr.innerText));
  assert.ok(rows.some((r) => r.includes('test/app')) && rows.some((r) => r.includes('test/base')), rows.join('\n'));
});

test('in Firefox: the console prints what the docker CLI prints, --format templates included', async () => {
  await page.goto(`${server.url}#/console`);
  await page.waitForSelector('#console-input');
  for (const [line, args] of [
    ['docker images', ['images']],
    ['docker history test/app:1', ['history', 'test/app:1']],
    ["docker images --format '{{.Repository}}:{{.Tag}} {{.ID}}'", ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']],
    ["docker inspect -f '{{.Id}} {{json .Config.Env}}' test/app:1", ['inspect', '-f', '{{.Id}} {{json .Config.Env}}', 'test/app:1']],
  ]) {
    assert.equal(await type(line), engine.docker(args), line);
  }
  assert.equal(await page.$('#page-fault'), null, 'the page did not trap');
});

test('in Firefox: docker pull through the proxy streams, verifies and stores the image', async () => {
  const ref = `${registry.host}/test/pulled:1`;
  await type(`docker pull ${ref}`);
  const pulled = await finished();
  const digest = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' })).Digest;
  assert.deepEqual(pulled.stdout.trim().split('\n').slice(-3), [`Digest: ${digest}`, `Status: Downloaded newer image for ${ref}`, ref], pulled.stderr);
  assert.match(await type('docker images'), new RegExp(`${registry.host}/test/pulled\\s+1\\s`));
});

test('in Firefox: an archive dropped on the drop zone imports', async () => {
  // WebDriver BiDi has no drag of files from the desktop: the drop carries a File the page makes
  // from the archive's bytes (the page reads a script-made DataTransfer as a plain file).
  const bytes = readFileSync(path.join(fixtures(), 'base.docker.tar')).toString('base64');
  await page.goto(server.url);
  await page.waitForSelector('.drop-zone');
  const before = await page.$$eval('.import', (rows) => rows.length);
  await page.evaluate((b64) => {
    const raw = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([raw], 'dropped.docker.tar'));
    const zone = document.querySelector('.drop-zone');
    for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data }));
  }, bytes);
  await waitFor((n) => ['done', 'failed'].includes(document.querySelectorAll('.import')[n]?.dataset.status), before);
  const row = await page.$$eval('.import', (rows, n) => ({ status: rows[n].dataset.status, text: rows[n].innerText }), before);
  assert.equal(row.status, 'done', row.text);
  assert.match(row.text, /dropped\.docker\.tar/);
});

test('in Firefox: a reload keeps the store', async () => {
  await page.goto(server.url);
  await page.reload();
  await page.waitForSelector('#diagnostics[data-worker-ready="true"]', { timeout: 60_000 });
  // The two imported and the pulled one.
  await waitFor(() => document.querySelectorAll('tr.image-row').length === 3);
});
