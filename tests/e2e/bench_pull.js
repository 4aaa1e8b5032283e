// The browser side of `cargo xtask bench pull`: `docker pull` of IMAGE from the registry at HOST
// on the Registry page of the release build, each run in a fresh browser profile (so no layer
// "Already exists"), timed from the click on Pull to the row done; with the pull's own stage
// times (the worker's clock, from #diagnostics[data-last-import]). Prints JSON:
// { proxy: [run], direct: [run] | { error } } for the modes asked for (comma-separated).
//
//   node bench_pull.js RUNS HOST IMAGE MODES
import { startServer, launch, waitReady } from './lib.js';

const [runs, host, image, modes] = process.argv.slice(2);

async function pullOnce(server, ref, direct) {
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(`${server.url}#/registry`);
    await waitReady(page);
    await page.locator('#pull-ref').waitFor();
    if (direct) await page.check('#registry-direct');
    await page.fill('#pull-ref', ref);
    const row = page.locator('.import').first();
    const started = performance.now();
    await page.click('#pull');
    await row.locator('xpath=self::*[@data-status="done" or @data-status="failed"]').waitFor({ timeout: 1_800_000 });
    const wallMs = performance.now() - started;
    if (await row.getAttribute('data-status') !== 'done') throw new Error(`${ref}${direct ? ' (direct)' : ''}: ${await row.innerText()}`);
    const stats = JSON.parse(await page.getAttribute('#diagnostics', 'data-last-import'));
    const workerMemory = Number(await page.getAttribute('#diagnostics', 'data-worker-memory-peak'));
    return { wallMs, stats, workerMemory };
  } finally {
    await browser.close();
  }
}

const server = await startServer(['--insecure-registry', host, '--allow-private']);
try {
  const results = {};
  for (const mode of modes.split(',')) {
    const direct = mode === 'direct';
    try {
      results[mode] = [];
      for (let i = 0; i < Number(runs); i++) results[mode].push(await pullOnce(server, `${host}/${image}`, direct));
    } catch (e) {
      // A direct pull may be refused where the browser cannot reach the registry (CORS): said,
      // not fatal; a pull through the proxy must work.
      if (!direct) throw e;
      results[mode] = { error: String(e.message ?? e) };
    }
  }
  console.log(JSON.stringify(results));
} finally {
  server.stop();
}
