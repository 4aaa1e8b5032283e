// The console's commands are evaluated in a worker of their own, the console worker, so that a
// template or parser that fails in a way nobody foresaw takes down that worker and not the page:
// the page's wasm holds no template engine, each line goes to the console worker, and a console
// worker that dies or hangs mid-command is terminated and replaced, its command failing with a
// message while the next one works and the page shows no fault.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, startEngineApi, launch, waitReady, importFile, fixtures, noWorkerRealms, typeLine, workerNamed } from './lib.js';

let server, browser, engine;
const archives = () => ['base.docker.tar', 'app.docker.tar'].map((f) => path.join(fixtures(), f));
before(async () => {
  server = await startServer();
  browser = await launch();
  engine = await startEngineApi(archives());
  await browser.page.goto(server.url);
  await waitReady(browser.page);
  for (const a of archives()) assert.equal((await importFile(browser.page, a)).status, 'done');
  await browser.page.goto(`${server.url}#/console`);
  await browser.page.locator('#console-input').waitFor();
});
after(async () => {
  await browser?.close();
  server?.stop();
  engine?.stop();
});

const type = (page, line) => typeLine(page, line);
const consoleWorker = (page, not = null) => workerNamed(page, 'layerwise-console', not);

/** Resolves once `worker` is gone (terminated), or rejects after `ms`. */
function closed(worker, ms = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the old console worker was not terminated')), ms);
    worker.once('close', () => { clearTimeout(timer); resolve(); });
  });
}

/**
 * In `worker`, a fault when the page's next command arrives: `throw` an uncaught error, or
 * `hang` its event loop for good. The listener runs after the worker's own handler (registered
 * first), which has started the command.
 */
async function onNextCommand(worker, fault) {
  await worker.evaluate((kind) => {
    self.addEventListener('message', (e) => {
      if (JSON.parse(String(e.data)).kind !== 'run') return;
      if (kind === 'throw') throw new Error('injected fault');
      for (;;);
    });
  }, fault);
}

/** The page is well: no fault notice, no uncaught errors, an input that takes lines. */
async function pageIsWell(page) {
  assert.equal(await page.locator('#page-fault').count(), 0, 'the page showed its fault notice');
  assert.deepEqual(browser.errors, []);
  assert.equal(await page.isEnabled('#console-input'), true);
}

test('the console worker evaluates the commands; the page\'s wasm holds no template engine', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  const worker = await consoleWorker(page);
  await worker.evaluate(() => {
    self.seen = [];
    self.addEventListener('message', (e) => self.seen.push(JSON.parse(String(e.data))));
  });
  const line = "docker images --format '{{.ID}}\t{{.Repository}}:{{.Tag}}'; docker inspect -f '{{.Author}}|{{json .Config.Env}}' test/app:1";
  const ours = await type(page, line);
  assert.equal(ours.stdout, engine.docker(['images', '--format', '{{.ID}}\t{{.Repository}}:{{.Tag}}'])
    + engine.docker(['inspect', '-f', '{{.Author}}|{{json .Config.Env}}', 'test/app:1']));
  const runs = (await worker.evaluate(() => self.seen)).filter((m) => m.kind === 'run');
  assert.deepEqual(runs.map((m) => [m.line, m.index]), [[line, 0], [line, 1]]);

  // A string of the template engine's own (one of its errors) is in the worker's wasm, not the page's.
  const marker = 'exceeded max template depth';
  const holds = (url) => page.evaluate(async ([u, m]) => {
    const bytes = new Uint8Array(await (await fetch(u)).arrayBuffer());
    return new TextDecoder('latin1').decode(bytes).includes(m);
  }, [url, marker]);
  const pageWasm = await page.getAttribute('link[rel="preload"][href$="_bg.wasm"]', 'href');
  assert.equal(await holds('./worker_bg.wasm'), true, 'the marker should be in the worker\'s wasm');
  assert.equal(await holds(pageWasm), false, `the page's wasm ${pageWasm} holds the template engine`);
  await pageIsWell(page);
});

test('a console worker that dies mid-command fails that command, is replaced, and the next one works', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  const worker = await consoleWorker(page);
  const gone = closed(worker);
  // An uncaught error in the worker while it runs the command, as a trap in its WASM would surface.
  await onNextCommand(worker, 'throw');
  const line = "docker inspect -f '{{.Author}}' test/app:1";
  const failed = await type(page, line);
  assert.equal(failed.stdout, '', 'the command was answered although its worker died');
  assert.match(failed.stderr, /^the console worker stopped \(.*injected fault\); a new one was started\n$/);
  await gone;
  const replacement = await consoleWorker(page, worker);
  assert.equal((await type(page, line)).stdout, engine.docker(['inspect', '-f', '{{.Author}}', 'test/app:1']));
  assert.equal((await type(page, 'docker images -q')).stdout, engine.docker(['images', '-q']));
  assert.notEqual(replacement, worker);
  await pageIsWell(page);
});

test('a console worker that hangs mid-command is terminated after its silence, and replaced', { skip: noWorkerRealms }, async () => {
  const { page } = browser;
  const worker = await consoleWorker(page);
  const gone = closed(worker, 60_000);
  // Its event loop stops for good, as a command that loops would stop it.
  await onNextCommand(worker, 'hang');
  const started = Date.now();
  const hung = await type(page, 'docker history test/base:1');
  assert.equal(hung.stdout, '');
  assert.equal(hung.stderr, 'the console worker stopped (it did not answer for 10 s); a new one was started\n');
  assert.ok(Date.now() - started >= 10_000, 'the worker was given up on before 10 s of silence');
  await gone;
  await consoleWorker(page, worker);
  assert.equal((await type(page, 'docker history test/base:1')).stdout, engine.docker(['history', 'test/base:1']));
  await pageIsWell(page);
});
