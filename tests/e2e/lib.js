// Helpers for the end-to-end tests: the built app served by layerwise-server, Debian's headless
// Chromium driven by playwright-core or firefox-esr driven by puppeteer-core (never a downloaded
// browser), the Engine API harness with the real docker CLI as the judge, and fixtures made by
// real tools.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { launchFirefox } from './firefox_page.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repo = path.resolve(here, '../..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(repo, 'target');
export const serverBin = process.env.LAYERWISE_SERVER_BIN || path.join(targetDir, 'release/layerwise-server');
export const distDir = process.env.LAYERWISE_DIST || path.join(repo, 'dist');
export const sharedFixtures = path.resolve(repo, '../shared/fixtures');

/**
 * Starts a process that prints a line matching `pattern` once ready; resolves to
 * [child, match, output()] where output() is everything it printed so far.
 */
function startPrinting(cmd, args, pattern, stdin = 'ignore') {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: [stdin, 'pipe', 'pipe'] });
    let out = '';
    const onData = (d) => {
      out += d;
      const m = out.match(pattern);
      if (m) resolve([child, m, () => out]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => { out += d; });
    child.on('exit', (code) => reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)));
  });
}

/** layerwise-server serving the built app on a free port; `log()` is what it printed. */
export async function startServer(extraArgs = []) {
  const [child, m, log] = await startPrinting(serverBin, ['serve', '--port', '0', '--dist', distDir, ...extraArgs], /Layerwise is at (http:\/\/\S+)/);
  return { url: m[1], stop: () => child.kill(), log };
}

/** A real registry (Debian's docker-registry, CORS enabled unless `cors` is false) seeded with `{ name: archive }`. */
export async function startRegistry(seeds, { cors = true } = {}) {
  const bin = path.join(path.dirname(serverBin), 'local-registry');
  const args = [...(cors ? [] : ['--no-cors']), ...Object.entries(seeds).map(([name, archive]) => `${name}=${archive}`)];
  const [child, m] = await startPrinting(bin, args, /registry at (\S+)/, 'pipe');
  // Closing stdin lets local-registry stop its docker-registry and remove its storage; a
  // signal would kill it before it could (leaving docker-registry running).
  return { host: m[1], stop: () => child.stdin.end() };
}

/** A private docker daemon (dockerd 20.10, vfs, no networking); `docker(args)` runs the docker CLI against it. */
export async function startDaemon() {
  const bin = path.join(path.dirname(serverBin), 'docker-daemon');
  const [child, m] = await startPrinting(bin, [], /daemon at (\S+)/, 'pipe');
  const env = { ...process.env, DOCKER_HOST: m[1], DOCKER_BUILDKIT: '0', DOCKER_CONFIG: path.join(tmpdir(), 'layerwise-daemon-config') };
  return {
    docker: (args, options = {}) => execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28, ...options }),
    // Closing stdin stops dockerd and removes its folder.
    stop: () => child.stdin.end(),
  };
}

/** The Engine API harness over `archives`; `docker(args)` runs the real docker CLI against it. */
export async function startEngineApi(archives) {
  const [child, m] = await startPrinting(serverBin, ['engine-api', '--port', '0', ...archives], /DOCKER_HOST=(\S+)/);
  const env = { ...process.env, DOCKER_HOST: m[1], DOCKER_CONFIG: path.join(tmpdir(), 'layerwise-docker-config') };
  return {
    docker: (args) => execFileSync('docker', args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    /** The CLI's stdout, stderr and exit status, whatever the status. */
    run: (args) => {
      const r = spawnSync('docker', args, { env, encoding: 'utf8' });
      return { stdout: r.stdout, stderr: r.stderr, status: r.status };
    },
    stop: () => child.kill(),
  };
}

/** The browser the suite runs in: `chromium` (Playwright) unless `LAYERWISE_BROWSER=firefox`. */
export const browserName = process.env.LAYERWISE_BROWSER || 'chromium';
export const inFirefox = browserName === 'firefox';
/**
 * Why a test that runs code inside a worker (`page.workers()`) is skipped in Firefox: ESR 140's
 * WebDriver BiDi reports no worker realms.
 */
export const noWorkerRealms = inFirefox && 'Firefox ESR 140\'s WebDriver BiDi lists no worker realms to run code in';

/**
 * Headless Debian Chromium, or firefox-esr when the suite runs in Firefox (with the preferences
 * `firefoxPrefs`), with a persistent profile (IndexedDB on disk, a real quota).
 */
export async function launch(profileDir = mkdtempSync(path.join(tmpdir(), 'layerwise-profile-')), { firefoxPrefs } = {}) {
  const { context, page } = inFirefox ? await launchFirefox(profileDir, firefoxPrefs) : await launchChromium(profileDir);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  return {
    context, page, profileDir, errors,
    close: async (keep = false) => { await context.close(); if (!keep) rmSync(profileDir, { recursive: true, force: true }); },
  };
}

async function launchChromium(profileDir) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
    viewport: { width: 1280, height: 900 },
  });
  return { context, page: context.pages()[0] || await context.newPage() };
}

/** Waits until the worker is ready, so imports are not racing its start-up cleanup. */
export async function waitReady(page) {
  await page.waitForSelector('#diagnostics[data-worker-ready="true"]', { timeout: 30_000 });
}

/** Picks `file` with the file button; resolves to the import row's final status and text. */
export async function importFile(page, file, timeout = 60_000) {
  const before = await page.locator('.import').count();
  await page.setInputFiles('#archive-input', file);
  const row = page.locator('.import').nth(before);
  await row.locator('xpath=self::*[@data-status="done" or @data-status="failed"]').waitFor({ timeout });
  return { status: await row.getAttribute('data-status'), text: await row.innerText() };
}

/**
 * Types `line` on the console and presses Enter; resolves to the new entry's stdout and
 * stderr, once its job (pull, commit, load) has finished when `job` is true.
 */
export async function typeLine(page, line, { job = false } = {}) {
  const before = await page.locator('#console-output .entry').count();
  await page.fill('#console-input', line);
  await page.press('#console-input', 'Enter');
  const entry = page.locator('#console-output .entry').nth(before);
  await entry.waitFor({ timeout: 60_000 });
  if (job) await entry.locator('xpath=self::*[@data-running="false"]').waitFor({ timeout: 60_000 });
  const text = async (sel) => ((await entry.locator(sel).count()) ? entry.locator(sel).textContent() : '');
  return { stdout: await text('.stdout'), stderr: await text('.stderr') };
}

/**
 * The page's worker started under `name` (`''` for the import worker), other than `not`;
 * waits up to 10 s for it (Chromium lists nested workers too).
 */
export async function workerNamed(page, name, not = null) {
  for (let tries = 0; tries < 100; tries++) {
    for (const w of page.workers()) {
      if (w !== not && await w.evaluate(() => self.name).catch(() => null) === name) return w;
    }
    await page.waitForTimeout(100);
  }
  throw new Error(`no worker named "${name}" among ${page.workers().length} workers`);
}

/** How many records each object store of the `layerwise` database holds. */
export async function countRecords(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('layerwise');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const names = [...db.objectStoreNames];
      const tx = db.transaction(names, 'readonly');
      const counts = {};
      for (const n of names) {
        const r = tx.objectStore(n).count();
        r.onsuccess = () => { counts[n] = r.result; };
      }
      tx.oncomplete = () => { db.close(); resolve(counts); };
    };
  }));
}

let generated;
/** The archives of tests/fixtures/make.sh, made once per run. */
export function fixtures() {
  if (!generated) {
    generated = mkdtempSync(path.join(tmpdir(), 'layerwise-e2e-fixtures-'));
    execFileSync(path.join(repo, 'tests/fixtures/make.sh'), [generated], { stdio: 'inherit' });
  }
  return generated;
}

/** A real archive from ../shared/fixtures, or null (with a notice) where that folder is absent. */
export function shared(name) {
  const p = path.join(sharedFixtures, name);
  if (existsSync(p)) return p;
  console.log(`notice: ${p} is absent; skipped`);
  return null;
}

/** Inspect JSON with Metadata.LastTagTime blanked: it is the time of each store's own import. */
export function withoutTagTime(json) {
  return json.replace(/("LastTagTime": )"[^"]*"/g, '$1"…"');
}
