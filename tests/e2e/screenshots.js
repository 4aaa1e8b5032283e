// Regenerates the README's screenshots: `npm run screenshots` in tests/e2e (after a release build).
import path from 'node:path';
import { startServer, startRegistry, launch, waitReady, importFile, fixtures, shared, repo } from './lib.js';

const out = path.join(repo, 'docs');
const server = await startServer();
const b = await launch();
try {
  await b.page.goto(server.url);
  await waitReady(b.page);
  for (const f of ['base.docker.tar', 'app.docker.tar', 'app.oci.tar']) await importFile(b.page, path.join(fixtures(), f));
  for (const f of ['wagoodman_dive_test-docker-image.tar', 'google_go-containerregistry_null_manifest.tar']) {
    const p = shared(f);
    if (p) await importFile(b.page, p);
  }
  await b.page.screenshot({ path: path.join(out, 'images-view.png'), fullPage: true });
  await b.page.click('tr.image-row:has-text("test/app") td:nth-child(4) a');
  await b.page.waitForSelector('#inspect-json', { state: 'attached' });
  await b.page.click('.branch[data-path="$.RootFS"] > button.fold');
  await b.page.screenshot({ path: path.join(out, 'image-page.png'), fullPage: true });
  const dive = shared('wagoodman_dive_test-docker-image.tar');
  if (dive) {
    await b.page.goto(`${server.url}#/images/dive-test`);
    await b.page.click('button.tab:has-text("Layers & files")');
    await b.page.click('.file.dir[data-path="root"] button.fold');
    await b.page.screenshot({ path: path.join(out, 'layers-and-files.png'), fullPage: true });
  }
  await b.page.goto(`${server.url}#/images/test%2Fapp:1`);
  await b.page.click('button.tab:has-text("Edit & commit")');
  await b.page.click('#start-session');
  const act = async (p, button, fill = {}) => {
    await b.page.fill('#edit-path', p);
    for (const [sel, v] of Object.entries(fill)) await b.page.fill(sel, v);
    await b.page.click(button);
    await b.page.waitForFunction((p) => document.querySelector('#session-diff')?.innerText.includes(p) || /error/.test(document.querySelector('#edit-feedback')?.className ?? ''), p);
  };
  await act('/etc/motd', '#edit-write', { '#edit-text': 'welcome\n' });
  await act('/etc/os-release', '#edit-delete');
  await act('/srv/www', '#edit-mkdir');
  await b.page.fill('#edit-config', 'ENV EDITED=1');
  await b.page.click('#edit-config-apply');
  await b.page.click('.file.dir[data-path="etc"] button.fold');
  await b.page.screenshot({ path: path.join(out, 'edit-session.png'), fullPage: true });
  await b.page.goto(`${server.url}#/console`);
  for (const line of ['docker images', 'docker history test/app:1', 'docker inspect -f x test/app:1', 'docker rmi $(docker images -q test/base)']) {
    const before = await b.page.locator('#console-output .entry').count();
    await b.page.fill('#console-input', line);
    await b.page.press('#console-input', 'Enter');
    await b.page.locator('#console-output .entry').nth(before).waitFor();
  }
  await b.page.screenshot({ path: path.join(out, 'console.png'), fullPage: true });
  const registry = await startRegistry({ 'test/app:1': path.join(fixtures(), 'app.oci.tar'), 'test/multi:1': path.join(fixtures(), 'platforms.oci.tar') });
  const proxied = await startServer(['--insecure-registry', registry.host, '--allow-private']);
  try {
    await b.page.goto(`${proxied.url}#/registry`);
    await waitReady(b.page);
    await b.page.fill('#search-term', `${registry.host}/test`);
    await b.page.click('#search');
    await b.page.locator('#search-results tr[data-name]').first().waitFor();
    await b.page.fill('#pull-ref', `${registry.host}/test/multi:1`);
    await b.page.click('#pull');
    await b.page.locator('.import[data-status="done"], .import[data-status="failed"]').waitFor();
    await b.page.screenshot({ path: path.join(out, 'registry.png'), fullPage: true });
  } finally {
    proxied.stop();
    registry.stop();
  }
  console.log(`wrote ${out}/images-view.png, image-page.png, layers-and-files.png, edit-session.png, console.png and registry.png`);
} finally {
  await b.close();
  server.stop();
}
