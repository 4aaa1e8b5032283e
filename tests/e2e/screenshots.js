// Regenerates the README's screenshots: `npm run screenshots` in tests/e2e (after a release build).
import path from 'node:path';
import { startServer, launch, waitReady, importFile, fixtures, shared, repo } from './lib.js';

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
  console.log(`wrote ${out}/images-view.png, image-page.png and layers-and-files.png`);
} finally {
  await b.close();
  server.stop();
}
