// Registries on the page: search a real registry's catalog, list tags, pull through the
// same-origin proxy and directly (CORS), and check against skopeo and an import of the archive
// that was pushed: same image ID, the manifest digest skopeo reports, "Already exists" on the
// second pull, nothing through the proxy in direct mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, startRegistry, launch, waitReady, importFile, fixtures, noWorkerRealms, workerNamed } from './lib.js';
import { startFakeHub, HUB_HOSTS } from './fake_hub.js';

let registry, server, browser;
before(async () => {
  registry = await startRegistry({
    'test/app:1': path.join(fixtures(), 'app.docker.tar'),
    'test/oci:1': path.join(fixtures(), 'app.oci.tar'),
    'test/multi:1': path.join(fixtures(), 'platforms.oci.tar'),
  });
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

const skopeoDigest = (ref) => JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' })).Digest;

/** Pulls `ref` from the Registry page; resolves to the finished row's status and lines. */
async function pull(page, ref, { direct = false, platform = '', base = server.url } = {}) {
  await page.goto(`${base}#/registry`);
  await page.locator('#pull-ref').waitFor();
  if (direct) await page.check('#registry-direct');
  await page.fill('#pull-ref', ref);
  if (platform) await page.selectOption('#pull-platform', platform);
  const before = await page.locator('.import').count();
  await page.click('#pull');
  const row = page.locator('.import').nth(before);
  await row.locator('xpath=self::*[@data-status="done" or @data-status="failed"]').waitFor({ timeout: 60_000 });
  return { status: await row.getAttribute('data-status'), lines: (await row.locator('.lines, .error').innerText()).split('\n') };
}

test('search the registry, list tags, pull through the proxy, pull again', async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/registry`);
  await page.fill('#search-term', `${registry.host}/test`);
  await page.click('#search');
  await page.locator('#search-results tr[data-name]').first().waitFor();
  const names = await page.locator('#search-results tr[data-name]').evaluateAll((rows) => rows.map((r) => r.dataset.name));
  assert.deepEqual(names, [`${registry.host}/test/app`, `${registry.host}/test/multi`, `${registry.host}/test/oci`]);
  await page.click(`#search-results tr[data-name="${registry.host}/test/app"] .tags`);
  await page.locator('#tag-list .tag').first().waitFor();
  assert.deepEqual(await page.locator('#tag-list .tag').allInnerTexts(), ['1']);

  const ref = `${registry.host}/test/app:1`;
  const digest = skopeoDigest(ref);
  const first = await pull(page, ref);
  assert.equal(first.status, 'done', first.lines.join('\n'));
  assert.equal(first.lines[0], `1: Pulling from test/app`);
  // docker's log when not on a terminal: each layer's steps, progress left out.
  const steps = first.lines.slice(1, -3);
  assert.ok(steps.every((l) => /^[0-9a-f]{12}: (Pulling fs layer|Verifying Checksum|Download complete|Pull complete)$/.test(l)), first.lines.join('\n'));
  assert.ok(steps.filter((l) => l.endsWith(': Pull complete')).length > 0);
  assert.deepEqual(first.lines.slice(-3), [`Digest: ${digest}`, `Status: Downloaded newer image for ${ref}`, ref]);
  assert.match(server.log(), new RegExp(`proxy GET ${registry.host.replace(/\./g, '\\.')} /v2/test/app/manifests/1`));

  const again = await pull(page, ref);
  assert.ok(again.lines.slice(1, -3).every((l) => /^[0-9a-f]{12}: Already exists$/.test(l)), again.lines.join('\n'));
  assert.equal(again.lines.at(-2), `Status: Image is up to date for ${ref}`);

  // The same image as loading the archive that was pushed: one ID, both names.
  await page.goto(server.url);
  assert.equal((await importFile(page, path.join(fixtures(), 'app.docker.tar'))).status, 'done');
  await page.goto(`${server.url}#/images/${encodeURIComponent(ref)}`);
  await page.waitForSelector('#inspect-json', { state: 'attached' });
  const json = JSON.parse(await page.textContent('#inspect-json'));
  assert.deepEqual(json[0].RepoTags.sort(), [ref, 'test/app:1'].sort());
  assert.deepEqual(json[0].RepoDigests, [`${registry.host}/test/app@${digest}`]);
});

test('the registry\'s answers are read in the console worker; one that dies mid-search fails that search, and the next works', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/`);
  await page.goto(`${server.url}#/registry`);
  const worker = await workerNamed(page, 'layerwise-console');
  // The registry's answer arrives in the worker, which dies while it reads it.
  await worker.evaluate(() => self.addEventListener('message', (e) => {
    if (JSON.parse(String(e.data)).kind === 'registry') setTimeout(() => { throw new Error('injected fault'); });
  }));
  await page.fill('#search-term', `${registry.host}/test`);
  await page.click('#search');
  await page.locator('#search-error').waitFor();
  assert.match(await page.innerText('#search-error'), /the console worker stopped \(.*injected fault\); a new one was started/);
  await page.click('#search');
  await page.locator('#search-results tr[data-name]').first().waitFor();
  assert.equal(await page.locator('#search-results tr[data-name]').count(), 3);
  assert.equal(await page.locator('#page-fault').count(), 0);
  assert.deepEqual(browser.errors, []);
});

test('a direct pull sends nothing through the proxy; a platform is chosen from the index', async () => {
  const { page } = browser;
  const ref = `${registry.host}/test/multi:1`;
  const before = server.log();
  const arm = await pull(page, ref, { direct: true, platform: 'linux/arm64' });
  assert.equal(arm.status, 'done', arm.lines.join('\n'));
  assert.equal(arm.lines.at(-3), `Digest: ${skopeoDigest(ref)}`);
  assert.ok(!server.log().slice(before.length).includes('test/multi'), 'no request through the proxy');
  const none = await pull(page, ref, { direct: true, platform: 'linux/s390x' });
  assert.equal(none.status, 'failed');
  assert.match(none.lines.join('\n'), /no matching manifest for linux\/s390x in the manifest list entries/);

  await page.goto(`${server.url}#/registry`);
  await page.fill('#probe-url', `http://${registry.host}`);
  await page.click('#probe');
  await page.locator('#probe-result').waitFor();
  assert.match(await page.locator('#probe-result').innerText(), /answered 200 and can be read from this page/);

  // A registry without CORS headers (as Docker Hub is): the probe names the header, a direct
  // pull fails with the reason, and the proxy pulls from it all the same.
  const closed = await startRegistry({ 'test/base:1': path.join(fixtures(), 'base.docker.tar') }, { cors: false });
  try {
    await page.fill('#probe-url', `http://${closed.host}`);
    await page.click('#probe');
    await page.waitForFunction(() => /Access-Control-Allow-Origin/.test(document.querySelector('#probe-result')?.innerText ?? ''));
    const refused = await pull(page, `${closed.host}/test/base:1`, { direct: true });
    assert.equal(refused.status, 'failed');
    assert.match(refused.lines.join('\n'), /CORS/);
    const restarted = await startServer(['--insecure-registry', closed.host, '--allow-private']);
    try {
      await page.goto(restarted.url);
      await waitReady(page);
      const ok = await pull(page, `${closed.host}/test/base:1`, { base: restarted.url });
      assert.equal(ok.status, 'done', ok.lines.join('\n'));
    } finally {
      restarted.stop();
    }
  } finally {
    closed.stop();
  }
});

test('Docker Hub through the proxy: search, token, library/ names, a blob redirect to the CDN', async () => {
  const { page } = browser;
  const hub = await startFakeHub(registry.host, { 'library/busybox': 'test/app:1' }, [
    { name: 'busybox', description: 'Busybox base image.', star_count: 3300, is_official: true, is_automated: false },
    { name: 'someone/busybox-extra', description: 'a busybox\nwith extras', star_count: 3, is_official: false, is_automated: false },
  ]);
  const overrides = HUB_HOSTS.flatMap((h) => ['--host-override', `${h}=127.0.0.1:${hub.port}`]);
  const hubServer = await startServer([...overrides]);
  try {
    await page.goto(`${hubServer.url}#/registry`);
    await waitReady(page);
    await page.fill('#search-term', 'busybox');
    await page.click('#search');
    await page.locator('#search-results tr[data-name]').first().waitFor();
    const rows = await page.locator('#search-results tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.cells].slice(0, 4).map((c) => c.innerText)));
    assert.deepEqual(rows, [['busybox', 'Busybox base image.', '3300', '[OK]'], ['someone/busybox-extra', 'a busybox with extras', '3', '']]);
    await page.check('#search-official');
    await page.click('#search');
    await page.waitForFunction(() => document.querySelectorAll('#search-results tbody tr').length === 1);

    const pulled = await pull(page, 'busybox', { base: hubServer.url });
    assert.equal(pulled.status, 'done', pulled.lines.join('\n'));
    assert.deepEqual(pulled.lines.slice(0, 2), ['Using default tag: latest', 'latest: Pulling from library/busybox']);
    assert.deepEqual(pulled.lines.slice(-2), ['Status: Downloaded newer image for busybox:latest', 'docker.io/library/busybox:latest']);
    assert.ok(hub.seen.some((r) => r.host === 'auth.docker.io' && decodeURIComponent(r.path).includes('scope=repository:library/busybox:pull')), JSON.stringify(hub.seen));
    const cdn = hub.seen.filter((r) => r.host === 'production.cloudflare.docker.com');
    assert.ok(cdn.length > 0, 'blobs came from the CDN host');
    assert.ok(cdn.every((r) => !r.authorization), 'no Authorization crossed to the CDN');
    await page.goto(`${hubServer.url}#/`);
    await page.locator('text=busybox').first().waitFor();
  } finally {
    hubServer.stop();
    hub.stop();
  }
});
