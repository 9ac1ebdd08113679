// The peers the consumer checks drive, all behind one interface:
//   { label, status(), execute(add), query(what, consistency), started(), close(), problems() }
// (a tab also has `page`, its Playwright or Puppeteer page, and `call(name, ...args)` for any other
// window.app function)
// - a tab of a built app in Chromium (Playwright, Debian's chromium),
// - a tab in Firefox ESR (puppeteer-core over WebDriver BiDi),
// - the app's plain Node script (node/peer.mjs, JSON lines over stdin/stdout).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { ensureChromium } from '../../scripts/chromium.mjs';
import { ensureFirefox } from '../../scripts/firefox.mjs';
import { cleanEnv } from './install.mjs';
import { waitFor } from './checks.mjs';

/** The same flags the e2e suite runs Chromium with (playwright.config.ts). */
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** Firefox hides host ICE candidates behind mDNS names by default; tabs on one machine need them plain. */
const firefoxPrefs = { 'media.peerconnection.ice.obfuscate_host_addresses': false };

/** Wraps a Playwright or Puppeteer page of the consumer app (both have page.evaluate(fn, arg)). */
function tabPeer(page, label) {
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error?.message ?? error}`));
  const call = (name, ...args) => page.evaluate((c) => window.app[c.name](...c.args), { name, args });
  return {
    label,
    page,
    call,
    status: () => call('status'),
    execute: (add) => call('execute', add),
    query: (what, consistency) => call('query', what, consistency),
    started: () => call('started'),
    close: () => page.close(),
    problems: () => problems,
  };
}

/** Waits until the page's window.app exists and its group started. */
export async function appStarted(page, label) {
  await waitFor(`${label}: window.app`, async () => ({
    ok: await page.evaluate(() => typeof window.app?.status === 'function'),
    detail: 'window.app missing',
  }), { timeoutMs: 30_000 });
  await page.evaluate(() => window.app.started());
}

async function openTab(page, url, label) {
  const peer = tabPeer(page, label);
  await page.goto(url);
  await appStarted(page, label);
  return peer;
}

export async function launchChromium() {
  const { chromium } = await import('@playwright/test');
  const browser = await chromium.launch({ executablePath: ensureChromium(), args: chromiumArgs });
  return {
    /** A fresh profile (own IndexedDB, Web Locks): the tabs of one user's browser. */
    async newProfile() {
      const context = await browser.newContext();
      return {
        context,
        open: async (url, label) => openTab(await context.newPage(), url, label),
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

export async function launchFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: ensureFirefox(),
    headless: true,
    extraPrefsFirefox: firefoxPrefs,
  });
  return {
    async newProfile() {
      const context = await browser.createBrowserContext();
      // Functions a test exposes to every page of the profile (Playwright's context.exposeBinding,
      // which the chaos check's history uses): puppeteer exposes them page by page, before it loads.
      const bindings = [];
      return {
        context: {
          exposeBinding: async (name, binding) => void bindings.push({ name, binding }),
        },
        open: async (url, label) => {
          const page = await context.newPage();
          for (const { name, binding } of bindings) await page.exposeFunction(name, (...args) => binding({ page }, ...args));
          return openTab(page, url, label);
        },
        close: () => context.close(),
      };
    },
    close: () => browser.close(),
  };
}

/** Starts the app's Node script `node/peer.mjs <key> <signaling>` with plain node. */
export async function startNodePeer(appDir, key, signaling, label) {
  const child = spawn(process.execPath, [path.join(appDir, 'node/peer.mjs'), key, signaling], {
    cwd: appDir,
    env: cleanEnv(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const problems = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text) => problems.push(`stderr: ${text.trim()}`));
  const waiting = new Map();
  let nextId = 1;
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = `exited ${code ?? signal}`;
    for (const { reject } of waiting.values()) reject(new Error(`${label} ${exited}: ${problems.join(' | ')}`));
    waiting.clear();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    let reply;
    try {
      reply = JSON.parse(line);
    } catch {
      problems.push(`stdout: ${line}`);
      return;
    }
    const pending = waiting.get(reply.id);
    if (!pending) return;
    waiting.delete(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new Error(`${label} ${reply.error}`));
  });
  const call = (op, fields = {}) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(new Error(`${label} ${exited}`));
      const id = nextId++;
      waiting.set(id, { resolve, reject });
      child.stdin.write(`${JSON.stringify({ id, op, ...fields })}\n`);
    });
  const peer = {
    label,
    status: () => call('status'),
    execute: (add) => call('execute', { add }),
    query: (what, consistency) => call('query', { what, consistency }),
    started: () => call('started'),
    async close() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
    problems: () => problems,
  };
  await peer.started();
  return peer;
}
