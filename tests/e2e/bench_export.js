// The browser side of `cargo xtask bench export`: `docker save` of an image from the page
// (click to the archive on disk, through the Blob-download path), and the time to open a
// directory of many files in the explorer (click to its rows rendered). Prints JSON.
//
//   node bench_export.js RUNS IMAGE_ARCHIVE TAG MANY_ARCHIVE MANY_TAG
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, launch, waitReady, importFile } from './lib.js';

const [runs, archive, tag, many, manyTag] = process.argv.slice(2);
const server = await startServer();
const browser = await launch();
const dir = mkdtempSync(path.join(tmpdir(), 'layerwise-bench-export-'));
try {
  const { page } = browser;
  await page.goto(server.url);
  await waitReady(page);
  for (const a of [archive, many]) {
    const r = await importFile(page, a, 1_800_000);
    if (r.status !== 'done') throw new Error(`${a}: ${r.text}`);
  }
  const save = [];
  for (let i = 0; i < Number(runs); i++) {
    await page.goto(`${server.url}#/images/${encodeURIComponent(tag)}`);
    await page.locator('#save-image').waitFor();
    const out = path.join(dir, `save-${i}.tar`);
    const started = performance.now();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 600_000 }), page.click('#save-image')]);
    await download.saveAs(out);
    save.push({ ms: performance.now() - started, bytes: statSync(out).size });
    rmSync(out);
  }
  const open = [];
  for (let i = 0; i < Number(runs); i++) {
    // A fresh page each time: the folder must start closed.
    await page.goto(`${server.url}#/images/${encodeURIComponent(manyTag)}`);
    await page.reload();
    await page.click('button.tab:has-text("Layers & files")');
    const fold = page.locator('.file.dir[data-path="many"] button.fold');
    await fold.waitFor();
    const started = performance.now();
    await fold.click();
    await page.waitForSelector('.file[data-path="many/file-000000.txt"]', { timeout: 600_000 });
    open.push({ ms: performance.now() - started });
  }
  console.log(JSON.stringify({ save, open }));
} finally {
  await browser.close();
  server.stop();
  rmSync(dir, { recursive: true, force: true });
}
