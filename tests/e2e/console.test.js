// The console on the page: the tutorial's commands typed in order, each printing what the real
// docker CLI prints for the same images (the Engine API harness over the same archives), then
// `docker rmi -f $(docker images -qa)` emptying the store; quoting errors, unknown flags,
// history recall and completion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { startServer, startEngineApi, launch, waitReady, importFile, fixtures, withoutTagTime } from './lib.js';

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

/** Types `line` and Enter; resolves to the new entry's stdout and stderr. */
async function type(page, line) {
  const before = await page.locator('#console-output .entry').count();
  await page.fill('#console-input', line);
  await page.press('#console-input', 'Enter');
  const entry = page.locator('#console-output .entry').nth(before);
  await entry.waitFor();
  const text = async (sel) => ((await entry.locator(sel).count()) ? entry.locator(sel).textContent() : '');
  return { stdout: await text('.stdout'), stderr: await text('.stderr') };
}

test('the tutorial, as docker prints it', async () => {
  const { page } = browser;
  for (const line of ['docker images', 'docker images -a --digests', 'docker history test/app:1', 'docker history --no-trunc -H=false test/base:1', 'docker images -q', 'docker ps -a']) {
    const args = line.split(' ').slice(1);
    const ours = await type(page, line);
    assert.equal(ours.stdout, engine.docker(args), line);
  }
  const inspect = await type(page, "docker inspect test/app:1 'test/base:1'");
  assert.equal(withoutTagTime(inspect.stdout), withoutTagTime(engine.docker(['inspect', 'test/app:1', 'test/base:1'])));

  // Bad input gets docker's words.
  assert.equal((await type(page, 'docker images --nope')).stderr, "unknown flag: --nope\n\nUsage:  docker images [OPTIONS] [REPOSITORY[:TAG]]\n\nRun 'docker images --help' for more information\n");
  assert.equal((await type(page, "docker inspect 'unclosed")).stderr, "unexpected EOF while looking for matching `''\n");
  assert.match((await type(page, 'docker inspect nothing')).stderr, /Error: No such object: nothing/);

  // History recall and completion.
  await page.press('#console-input', 'ArrowUp');
  assert.equal(await page.inputValue('#console-input'), 'docker inspect nothing');
  await page.fill('#console-input', 'docker hist');
  await page.press('#console-input', 'Tab');
  assert.equal(await page.inputValue('#console-input'), 'docker history ');
  await page.fill('#console-input', '');

  // Tag, then remove everything the tutorial's way.
  assert.equal((await type(page, 'docker tag test/app:1 test/app:tutorial')).stderr, '');
  const removed = await type(page, 'docker rmi -f $(docker images -qa)');
  assert.match(removed.stdout, /Untagged: test\/app:tutorial/);
  assert.match(removed.stdout, /Deleted: sha256:/);
  assert.equal((await type(page, 'docker images -q')).stdout, '');
  // The Images view shares the store: it is empty too.
  await page.goto(`${server.url}#/`);
  await page.locator('p.empty').waitFor();
});
