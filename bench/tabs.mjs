// Shared helpers of the browser benchmarks: launching Chromium, opening bench tabs, waiting for a
// group, percentiles.
import { chromium } from '@playwright/test';
import { ensureChromium } from '../scripts/chromium.mjs';

/** The engine timing every bench tab runs with (the library's defaults, spelled out). */
export const BENCH_CONFIG = { electionTimeoutMs: 1000, heartbeatMs: 100 };
export const benchLog = (...args) => console.log('[bench:browser]', ...args);

export const round = (x, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

export function summarize(values) {
  return { p50: percentile(values, 50), p99: percentile(values, 99), samples: values.length };
}

export async function launchChromium() {
  return chromium.launch({
    executablePath: ensureChromium(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-features=WebRtcHideLocalIpsWithMdns', '--disable-background-timer-throttling', '--disable-renderer-backgrounding', '--disable-backgrounding-occluded-windows'],
  });
}

export async function waitUntil(check, what, timeoutMs = 120_000, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function benchUrl(servers, params) {
  const target = new URL(`${servers.pages}/index.html`);
  for (const [k, v] of Object.entries({ signaling: servers.signaling, ...params })) if (v !== undefined) target.searchParams.set(k, String(v));
  return target.toString();
}

/** Opens a bench tab; `wait` false returns before the group started. */
export async function openBenchTab(context, servers, params, { wait = true, log = () => {} } = {}) {
  const page = await context.newPage();
  page.on('pageerror', (error) => log('page error:', error.message));
  await page.goto(benchUrl(servers, params));
  await page.waitForFunction(() => typeof window.bench?.started === 'function');
  if (wait) await page.evaluate(() => window.bench.started());
  return page;
}

export const statusOf = (page) => page.evaluate(() => window.bench.status());

/** Waits until every tab is online and agrees on one leader; returns the leader's page. */
export async function leaderOf(pages, timeoutMs = 120_000) {
  return waitUntil(async () => {
    const all = await Promise.all(pages.map(statusOf));
    const leader = all[0].leader;
    if (!leader || !all.every((s) => s.online && s.leader === leader)) return null;
    return pages[all.findIndex((s) => s.peerId === leader)];
  }, 'a leader', timeoutMs);
}

/** Source tabs with automatic membership; returns their pages once all are voters. */
export async function openSources(context, servers, key, ids, extra = {}) {
  const pages = [];
  for (const peerId of ids) {
    pages.push(await openBenchTab(context, servers, { key, peerId, ...BENCH_CONFIG, ...extra }, { log: benchLog }));
    await waitUntil(async () => (await statusOf(pages[0])).members.voters.length === pages.length, `${peerId} to join`);
  }
  return pages;
}
