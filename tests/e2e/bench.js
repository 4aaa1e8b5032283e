// The browser side of `cargo xtask bench`: imports archives into the release build in headless
// Chromium (or Firefox, with LAYERWISE_BROWSER=firefox), each run in a fresh profile, and prints
// JSON: wall time from picking the file to the image listed, the import's own stage timings,
// the worker's peak WASM memory, and the peak resident memory of all the browser's processes
// (sampled from /proc: the tab, its workers, the browser and the GPU process together).
//
//   node bench.js RUNS ARCHIVE...
import { readFileSync, readdirSync } from 'node:fs';
import { startServer, launch, waitReady, inFirefox } from './lib.js';

const [runs, ...archives] = process.argv.slice(2);

/** The name in the command line of every process of the browser (Debian's builds). */
const browserProgram = inFirefox ? '/usr/lib/firefox-esr/' : 'chromium';

/** Resident memory (bytes) of every process of the browser. */
function browserRss() {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(browserProgram)) continue;
      const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
      if (m) total += Number(m[1]) * 1024;
    } catch { /* the process ended */ }
  }
  return total;
}

async function importOnce(server, archive) {
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(server.url);
    await waitReady(page);
    let peakRss = browserRss();
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, browserRss()); }, 100);
    const started = performance.now();
    // The inspect JSON the metadata gives, on screen while the layers are verified (a small
    // archive may be done before it is seen).
    const previewed = page.waitForSelector('.preview-inspect', { state: 'visible', timeout: 1_800_000 })
      .then(() => performance.now() - started, () => null);
    await page.setInputFiles('#archive-input', archive);
    await page.waitForSelector('.import[data-status="done"], .import[data-status="failed"]', { timeout: 1_800_000 });
    await page.waitForSelector('tr.image-row');
    const wallMs = performance.now() - started;
    const previewMs = await Promise.race([previewed, new Promise((resolve) => setTimeout(() => resolve(null), 100))]);
    clearInterval(sampler);
    const status = await page.getAttribute('.import', 'data-status');
    if (status !== 'done') throw new Error(`${archive}: ${await page.innerText('.import')}`);
    const stats = JSON.parse(await page.getAttribute('#diagnostics', 'data-last-import'));
    const workerMemory = Number(await page.getAttribute('#diagnostics', 'data-worker-memory-peak'));
    return { wallMs, previewMs, stats, workerMemory, peakRss };
  } finally {
    await browser.close();
  }
}

const server = await startServer();
try {
  const results = {};
  for (const archive of archives) {
    results[archive] = [];
    for (let i = 0; i < Number(runs); i++) results[archive].push(await importOnce(server, archive));
  }
  console.log(JSON.stringify(results));
} finally {
  server.stop();
}
