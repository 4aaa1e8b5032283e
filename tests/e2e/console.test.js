// The console on the page: the tutorial's commands typed in order, each printing what the real
// docker CLI prints for the same images (the Engine API harness over the same archives), then
// `docker rmi -f $(docker images -qa)` emptying the store; quoting errors, unknown flags,
// history recall and completion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { startServer, startEngineApi, startRegistry, launch, waitReady, importFile, fixtures, withoutTagTime, repo, typeLine } from './lib.js';

let server, browser, engine, registry;
const archives = () => ['base.docker.tar', 'app.docker.tar'].map((f) => path.join(fixtures(), f));
before(async () => {
  registry = await startRegistry({ 'test/app:1': path.join(fixtures(), 'app.oci.tar') });
  server = await startServer(['--insecure-registry', registry.host, '--allow-private']);
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
  registry?.stop();
});

const type = (page, line) => typeLine(page, line);

/** The README's `--format` examples: the lines of the code block after its marker comment. */
function readmeFormatExamples() {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const block = readme.split('<!-- format-examples: read by tests/e2e/console.test.js -->')[1];
  return block.split('```')[1].trim().split('\n');
}

/** `line`'s words as a POSIX shell splits them (single and double quotes, no expansions). */
function words(line) {
  const out = [];
  let word = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === ' ' && word !== null) { out.push(word); word = null; continue; }
    if (c === ' ') continue;
    word ??= '';
    if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      word += line.slice(i + 1, end);
      i = end;
    } else {
      word += c;
    }
  }
  if (word !== null) out.push(word);
  return out;
}

test("every --format example of the README prints what the docker CLI prints", async () => {
  const examples = readmeFormatExamples();
  assert.ok(examples.length >= 10, examples.join('\n'));
  for (const line of examples) {
    const ours = await type(browser.page, line);
    assert.equal(ours.stderr, '', line);
    assert.equal(ours.stdout, engine.docker(words(line).slice(1)), line);
  }
  assert.equal(await browser.page.locator('#page-fault').count(), 0);
});

/** The cases of a file of `tests/cases` (shared with the native judge). */
function cases(name) {
  return readFileSync(path.join(repo, 'tests/cases', name), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
}

test('the console cases the native tests judge print here what the docker CLI prints', async () => {
  const lines = [...cases('console_reads.txt'), ...cases('console_runs.txt')];
  assert.ok(lines.length > 100, `${lines.length} cases`);
  const differ = [];
  for (const line of lines) {
    const ours = await type(browser.page, line);
    const theirs = engine.run(words(line).slice(1));
    if (withoutTagTime(ours.stdout) !== withoutTagTime(theirs.stdout) || ours.stderr !== theirs.stderr) {
      differ.push(`${line}\n  docker: ${JSON.stringify(theirs)}\n  ours:   ${JSON.stringify(ours)}`);
    }
  }
  assert.deepEqual(differ, [], `${differ.length} of ${lines.length} lines differ`);
});

test('the tutorial, as docker prints it', async () => {
  const { page } = browser;
  for (const line of ['docker images', 'docker images -a --digests', 'docker history test/app:1', 'docker history --no-trunc -H=false test/base:1', 'docker images -q', 'docker ps -a']) {
    const args = line.split(' ').slice(1);
    const ours = await type(page, line);
    assert.equal(ours.stdout, engine.docker(args), line);
  }
  // --format templates (they once trapped the page's wasm: the template crate's lexer started a
  // thread, which wasm cannot; they run in the console worker now).
  for (const [line, args] of [
    ["docker images --format '{{.ID}}'", ['images', '--format', '{{.ID}}']],
    ["docker images --format 'table {{.Repository}}:{{.Tag}}\t{{.Size}}'", ['images', '--format', 'table {{.Repository}}:{{.Tag}}\t{{.Size}}']],
    ["docker inspect -f '{{.Author}}|{{json .Config.Env}}' test/app:1", ['inspect', '-f', '{{.Author}}|{{json .Config.Env}}', 'test/app:1']],
  ]) {
    assert.equal((await type(page, line)).stdout, engine.docker(args), line);
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

test('search, pull and commit from the console', async () => {
  const { page } = browser;
  await page.goto(`${server.url}#/console`);
  const found = await type(page, `docker search ${registry.host}/test`);
  assert.equal(found.stdout.split('\n')[0].replace(/\s+/g, ' ').trim(), 'NAME DESCRIPTION STARS OFFICIAL');
  assert.match(found.stdout, new RegExp(`${registry.host}/test/app`));

  const ref = `${registry.host}/test/app:1`;
  const pulled = await typeLine(page, `docker pull ${ref}`, { job: true });
  const digest = JSON.parse(execFileSync('skopeo', ['inspect', '--tls-verify=false', `docker://${ref}`], { encoding: 'utf8' })).Digest;
  assert.deepEqual(pulled.stdout.trim().split('\n').slice(-3), [`Digest: ${digest}`, `Status: Downloaded newer image for ${ref}`, ref], pulled.stderr);
  assert.match((await type(page, 'docker images')).stdout, new RegExp(`${registry.host}/test/app\\s+1\\s`));

  // An edit session made on the image page, committed from the console.
  await page.goto(`${server.url}#/images/${encodeURIComponent(ref)}`);
  await page.click('text=Edit & commit');
  await page.click('#start-session');
  await page.locator('#session-diff').waitFor();
  await page.fill('#edit-path', '/etc/motd');
  await page.fill('#edit-text', 'from the console\n');
  await page.click('#edit-write');
  await page.waitForFunction(() => /A \/etc\/motd/.test(document.querySelector('#session-diff')?.innerText ?? ''));
  await page.goto(`${server.url}#/console`);
  const ps = await type(page, 'docker ps -a -q');
  const container = ps.stdout.trim();
  assert.match(container, /^[0-9a-f]{12}$/);
  const committed = await typeLine(page, `docker commit -a "Console <c@layerwise.invalid>" -c 'ENV FROM_CONSOLE=1' -m "made in the console" ${container} test/console:1`, { job: true });
  assert.match(committed.stdout.trim(), /^sha256:[0-9a-f]{64}$/, committed.stderr);
  const inspect = JSON.parse((await type(page, 'docker inspect test/console:1')).stdout);
  assert.equal(inspect[0].Author, 'Console <c@layerwise.invalid>');
  assert.ok(inspect[0].Config.Env.includes('FROM_CONSOLE=1'));
  assert.equal(inspect[0].Id, committed.stdout.trim());
  assert.match((await type(page, 'docker history test/console:1')).stdout, /made in the console/);
  const unknown = await type(page, 'docker commit nobody_here');
  assert.equal(unknown.stderr, 'Error response from daemon: No such container: nobody_here\n');
});
