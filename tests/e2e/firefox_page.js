// The tests' Playwright-shaped page over puppeteer-core and Debian's firefox-esr (WebDriver
// BiDi): playwright-core drives only its own patched Firefox, so this gives the suite the part
// of Playwright's page, locator and context API it uses, and every journey runs unchanged in
// Firefox (`LAYERWISE_BROWSER=firefox`). Selectors are Playwright's as the suite writes them:
// CSS with `:has-text("…")`, `text=…` and `xpath=…`. Waits poll with plain evaluations,
// since the page's CSP forbids the `new Function` puppeteer's own waitForFunction builds.
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const DEFAULT_TIMEOUT = 30_000;

/**
 * Runs in the page: the elements `chain` selects, each step a selector (see the header) and
 * an optional index (negative counts from the end), searched under the previous step's elements.
 */
function select(chain) {
  const hasText = /:has-text\("((?:[^"\\]|\\.)*)"\)/;
  const textOf = (e) => (e.innerText ?? e.textContent ?? '').toLowerCase();
  const css = (roots, selector) => {
    const m = selector.match(hasText);
    if (!m) return roots.flatMap((r) => [...r.querySelectorAll(selector)]);
    // `A:has-text("t") B`: the A that contain t, then B under them.
    const head = selector.slice(0, m.index) || '*';
    const rest = selector.slice(m.index + m[0].length);
    const text = JSON.parse(`"${m[1]}"`).toLowerCase();
    const matched = css(roots, head).filter((e) => textOf(e).includes(text));
    if (!rest.trim()) return matched;
    return css(matched, rest.startsWith(' ') ? `:scope${rest}` : `:scope ${rest}`);
  };
  const one = (roots, selector) => {
    if (selector.startsWith('xpath=')) {
      return roots.flatMap((r) => {
        const found = document.evaluate(selector.slice(6), r, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
        return Array.from({ length: found.snapshotLength }, (_, i) => found.snapshotItem(i));
      });
    }
    if (selector.startsWith('text=')) {
      // The smallest elements holding the text, as Playwright's text engine picks them.
      const text = selector.slice(5).replace(/^"(.*)"$/, '$1').toLowerCase();
      const holding = roots.flatMap((r) => [...r.querySelectorAll('*')]).filter((e) => !['SCRIPT', 'STYLE'].includes(e.tagName) && textOf(e).includes(text));
      return holding.filter((e) => !holding.some((o) => o !== e && e.contains(o)));
    }
    return css(roots, selector);
  };
  let elements = [document];
  for (const { selector, index } of chain) {
    elements = [...new Set(one(elements, selector))];
    if (index !== undefined) elements = [elements.at(index)].filter(Boolean);
  }
  return elements;
}

/** Runs in the page: whether `e` is visible as Playwright means it (a box, not hidden). */
function visible(e) {
  return Boolean(e && e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden');
}

/**
 * A function for the page that runs `body` with `select` and `visible` in scope, over the
 * arguments `chain` and `arg`. It is put together here, in Node: the page's CSP forbids eval.
 */
const made = new Map();
function inPage(body) {
  if (!made.has(body)) made.set(body, new Function('chain', 'arg', `const select = ${select}; const visible = ${visible}; ${body}`));
  return made.get(body);
}

async function poll(what, check, timeout = DEFAULT_TIMEOUT) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The part of Playwright's Locator the suite uses. */
class Locator {
  constructor(page, chain) {
    this.page = page;
    this.chain = chain;
  }

  locator(selector) { return new Locator(this.page, [...this.chain, { selector }]); }
  nth(index) { return new Locator(this.page, [...this.chain.slice(0, -1), { ...this.chain.at(-1), index }]); }
  first() { return this.nth(0); }
  last() { return this.nth(-1); }
  describe() { return this.chain.map((s) => s.selector + (s.index === undefined ? '' : `[${s.index}]`)).join(' >> '); }

  run(body, arg) { return this.page.raw.evaluate(inPage(body), this.chain, arg); }
  count() { return this.run('return select(chain).length;'); }

  /** Resolves to the first element, waiting (as Playwright's actions do) until it is in `state`. */
  async element(state = 'attached', timeout = DEFAULT_TIMEOUT) {
    await this.waitFor({ state, timeout });
    const handle = await this.page.raw.evaluateHandle(inPage('return select(chain)[0];'), this.chain);
    return handle.asElement();
  }

  async waitFor({ state = 'visible', timeout = DEFAULT_TIMEOUT } = {}) {
    const body = 'const e = select(chain)[0]; return { attached: Boolean(e), detached: !e, visible: visible(e), hidden: !visible(e) }[arg];';
    await poll(`${this.describe()} to be ${state}`, () => this.run(body, state), timeout);
  }

  async evaluate(fn, arg) {
    await this.waitFor({ state: 'attached' });
    return this.run(`return (${fn})(select(chain)[0], arg);`, arg);
  }

  evaluateAll(fn, arg) { return this.run(`return (${fn})(select(chain), arg);`, arg); }

  innerText() { return this.evaluate((e) => e.innerText); }
  textContent() { return this.evaluate((e) => e.textContent); }
  getAttribute(name) { return this.evaluate((e, n) => e.getAttribute(n), name); }
  inputValue() { return this.evaluate((e) => e.value); }
  allInnerTexts() { return this.evaluateAll((es) => es.map((e) => e.innerText)); }
  async boundingBox() { return (await this.element('visible')).boundingBox(); }
  async scrollIntoViewIfNeeded() { await this.evaluate((e) => e.scrollIntoView({ block: 'center' })); }

  async click() {
    await poll(`${this.describe()} to be enabled`, () => this.evaluate((e) => !e.disabled));
    await (await this.element('visible')).click();
  }

  async check() {
    if (!(await this.evaluate((e) => e.checked))) await this.click();
  }

  /** Sets the value as a user's typing ends: the value, then an `input` event. */
  async fill(value) {
    await this.element('visible');
    await this.evaluate((e, v) => {
      e.focus();
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
    }, value);
  }

  async selectOption(value) {
    await this.evaluate((e, v) => {
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    }, value);
  }

  async press(key) {
    await this.evaluate((e) => e.focus());
    await this.page.raw.keyboard.press(key);
  }

  async setInputFiles(files) {
    await (await this.element()).uploadFile(...[files].flat());
  }
}

/** A file the page downloaded, in the browser's download folder until saved elsewhere. */
class Download {
  constructor(file) { this.file = file; }
  suggestedFilename() { return path.basename(this.file); }
  async path() { return this.file; }
  async saveAs(to) { renameSync(this.file, to); }
}

/** The part of Playwright's Page the suite uses, over a puppeteer page. */
class Page {
  constructor(raw, context) {
    this.raw = raw;
    this.ctx = context;
  }

  locator(selector) { return new Locator(this, [{ selector }]); }
  context() { return this.ctx; }
  url() { return this.raw.url(); }
  workers() { return this.raw.workers(); }
  on(event, handler) { this.raw.on(event, handler); }
  evaluate(fn, arg) { return this.raw.evaluate(fn, arg); }
  evaluateHandle(fn, arg) { return this.raw.evaluateHandle(fn, arg); }
  screenshot(options) { return this.raw.screenshot(options); }
  waitForTimeout(ms) { return new Promise((r) => setTimeout(r, ms)); }

  async goto(url) { await this.raw.goto(url); }
  async reload() { await this.raw.reload(); }

  async $$(selector) {
    const n = await this.locator(selector).count();
    return Array.from({ length: n }, (_, i) => this.locator(selector).nth(i));
  }

  async $(selector) {
    return (await this.locator(selector).count()) > 0 ? this.locator(selector).first() : null;
  }

  $eval(selector, fn, arg) { return this.locator(selector).first().evaluate(fn, arg); }
  $$eval(selector, fn, arg) { return this.locator(selector).evaluateAll(fn, arg); }

  async waitForSelector(selector, { state = 'visible', timeout } = {}) {
    const l = this.locator(selector).first();
    await l.waitFor({ state, timeout });
    return ['attached', 'visible'].includes(state) ? l : null;
  }

  async waitForFunction(fn, arg, { timeout } = {}) {
    return poll(`${fn}`, () => this.raw.evaluate(fn, arg), timeout);
  }

  async waitForURL(pattern, { timeout } = {}) {
    await poll(`the URL to match ${pattern}`, () => pattern.test(this.raw.url()), timeout);
  }

  /** The next file the page downloads: Firefox saves it to the context's folder. */
  async waitForEvent(event, { timeout = DEFAULT_TIMEOUT } = {}) {
    if (event !== 'download') throw new Error(`the Firefox page has no ${event} event`);
    const folder = this.ctx.downloads;
    const file = await poll('a download', () => {
      const names = readdirSync(folder);
      // Firefox writes `NAME.part` beside an empty `NAME` and renames it when done.
      if (names.length === 0 || names.some((n) => n.endsWith('.part'))) return null;
      return path.join(folder, names[0]);
    }, timeout);
    return new Download(file);
  }

  click(selector) { return this.locator(selector).click(); }
  check(selector) { return this.locator(selector).check(); }
  fill(selector, value) { return this.locator(selector).fill(value); }
  press(selector, key) { return this.locator(selector).press(key); }
  selectOption(selector, value) { return this.locator(selector).selectOption(value); }
  setInputFiles(selector, files) { return this.locator(selector).setInputFiles(files); }
  textContent(selector) { return this.locator(selector).textContent(); }
  innerText(selector) { return this.locator(selector).innerText(); }
  getAttribute(selector, name) { return this.locator(selector).getAttribute(name); }
  inputValue(selector) { return this.locator(selector).inputValue(); }
  async type(selector, text) { await this.locator(selector).evaluate((e) => e.focus()); await this.raw.keyboard.type(text); }

  /** Dispatches `type` on the element; `init.dataTransfer` may be a handle made in the page. */
  async dispatchEvent(selector, type, init = {}) {
    const { dataTransfer, ...rest } = init;
    const e = await this.locator(selector).element();
    await this.raw.evaluate((el, t, r, d) => {
      const options = { bubbles: true, cancelable: true, ...r, ...(d ? { dataTransfer: d } : {}) };
      el.dispatchEvent(t.startsWith('drag') || t === 'drop' ? new DragEvent(t, options) : new Event(t, options));
    }, e, type, rest, dataTransfer ?? null);
  }
}

/** The part of Playwright's BrowserContext the suite uses: one Firefox with one profile. */
class Context {
  constructor(browser, downloads) {
    this.browser = browser;
    this.downloads = downloads;
    this.wrapped = new Map();
  }

  wrap(raw) {
    if (!this.wrapped.has(raw)) this.wrapped.set(raw, new Page(raw, this));
    return this.wrapped.get(raw);
  }

  async pages() { return (await this.browser.pages()).map((p) => this.wrap(p)); }
  async newPage() { return this.wrap(await this.browser.newPage()); }
  async newCDPSession() { throw new Error('Firefox has no Chrome DevTools Protocol'); }
  // The clipboard is open to the page through the `dom.events.testing.asyncClipboard` pref.
  async grantPermissions() {}
  async close() {
    await this.browser.close();
    rmSync(this.downloads, { recursive: true, force: true });
  }
}

/**
 * Headless firefox-esr with the profile `profileDir` and the extra preferences `prefs`;
 * downloads go to a folder of their own.
 */
export async function launchFirefox(profileDir, prefs = {}) {
  const downloads = mkdtempSync(path.join(tmpdir(), 'layerwise-downloads-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX || '/usr/bin/firefox-esr',
    headless: true,
    userDataDir: profileDir,
    defaultViewport: { width: 1280, height: 900 },
    extraPrefsFirefox: {
      'browser.download.dir': downloads,
      'browser.download.folderList': 2,
      'browser.download.useDownloadDir': true,
      'browser.download.always_ask_before_handling_new_types': false,
      'browser.download.manager.showWhenStarting': false,
      'dom.events.testing.asyncClipboard': true,
      ...prefs,
    },
  });
  const context = new Context(browser, downloads);
  const [first] = await context.pages();
  return { context, page: first ?? await context.newPage() };
}
