// Node-side helpers of the tab-lifecycle specs (e2e/runtime-lifecycle*.spec.ts and friends): timed
// writes after a tab goes away, the profile's databases and tombstones, renderer crashes, and the
// figures each spec prints and keeps under test-results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { callWindowFunction } from './window';
import { setValue, stats } from '../pages/runtime/harness';
import type { StoredTombstone } from '../pages/runtime/tombstone';

/**
 * The engine's default timing (no FAST_CONFIG): what users get. autoRemoveAfterMs is raised far
 * beyond any test, so a voter that leaves the configuration can only have been removed because it
 * departed (its Departure notice), never because the leader stopped hearing from it.
 */
export const DEFAULT_TIMING = { electionTimeoutMs: undefined, heartbeatMs: undefined, autoRemoveAfterMs: 3_600_000 };

/** Milliseconds from `since` (Date.now()) until a write from `page` resolved; fails the test if it never does. */
export async function writeResolvesAfter(since: number, page: Page, key: string, value: string): Promise<number> {
  await setValue(page, key, value);
  return Date.now() - since;
}

/** Closes the tabs at (nearly) the same moment; page.close() runs `pagehide`, so each departs. */
export async function closeAtOnce(pages: Page[]): Promise<void> {
  await Promise.all(pages.map((page) => page.close()));
}

/** Kills the tab's renderer (no pagehide: to the group this is a crash). */
export async function crash(page: Page): Promise<void> {
  const crashed = page.waitForEvent('crash');
  // CDP Page.crash kills the page's renderer where it stands. A navigation to chrome://crash did
  // too, mostly; but a navigation may first move the page out of its process (or keep it frozen
  // for the back-forward cache), and then now and then nothing died and the others never learned
  // the tab stopped.
  const cdp = await page.context().newCDPSession(page);
  void cdp.send('Page.crash').catch(() => undefined);
  await crashed;
  await page.close();
}

/** The group's slot databases (`meshraft:<room>:<slot>`) in the page's origin. */
export async function groupDatabases(page: Page): Promise<string[]> {
  const room = (await stats(page)).room;
  const names = await callWindowFunction<string[]>(page, 'meshraft.databases');
  return names.filter((name) => name.startsWith(`meshraft:${room}:`));
}

export function departedIds(page: Page): Promise<string[]> {
  return callWindowFunction<string[]>(page, 'meshraft.departedIds');
}

/** The profile's tombstones of the group, by peer id (`meshraft.tombstones()`). */
export function tombstones(page: Page): Promise<Record<string, StoredTombstone>> {
  return callWindowFunction<Record<string, StoredTombstone>>(page, 'meshraft.tombstones');
}

/** Keeps a spec's figures: printed, and written to test-results/figures/<name>.json. */
export function recordFigures(name: string, figures: unknown): void {
  mkdirSync('test-results/figures', { recursive: true });
  const text = JSON.stringify(figures, null, 2);
  writeFileSync(`test-results/figures/${name}.json`, `${text}\n`);
  console.log(`[figures] ${name}: ${JSON.stringify(figures)}`);
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
