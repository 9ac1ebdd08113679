// Node-side helpers for the runtime specs (e2e/runtime-*.spec.ts): open a meshraft tab of the test
// page, read its status and stats, and wait for group-wide conditions.
import { expect, type BrowserContext, type Page } from '@playwright/test';
import type { GroupStats, GroupStatus } from 'meshraft';
import { SIGNALING_URL, callWindowFunction, pageUrl, waitForWindowFunction, type PageParams } from '../../support';
import type { RegisterSummary } from './register';

/** Fast timeouts keep failover tests short; heartbeats stay well below the election timeout. */
export const FAST_CONFIG = { electionTimeoutMs: 600, heartbeatMs: 60 };

export function runtimeUrl(params: PageParams): string {
  return pageUrl('runtime/index.html', { signaling: SIGNALING_URL, ...FAST_CONFIG, ...params });
}

/** Opens one peer tab in `context` and waits until its window API exists. */
export async function openPeer(context: BrowserContext, params: PageParams): Promise<Page> {
  const page = await context.newPage();
  await page.goto(runtimeUrl(params));
  // Generous: the first page of a run waits for Vite to transform every runtime module.
  await waitForWindowFunction(page, 'meshraft.status', 120_000);
  return page;
}

export function status(page: Page): Promise<GroupStatus> {
  return callWindowFunction<GroupStatus>(page, 'meshraft.status');
}

export function stats(page: Page): Promise<GroupStats> {
  return callWindowFunction<GroupStats>(page, 'meshraft.stats');
}

export function summary(page: Page): Promise<RegisterSummary> {
  return callWindowFunction<RegisterSummary>(page, 'meshraft.summary');
}

export function setValue(page: Page, key: string, value: string): Promise<number> {
  return callWindowFunction<number>(page, 'meshraft.set', key, value);
}

export function getValue(page: Page, key: string, consistency: 'strong' | 'weak') {
  return callWindowFunction<{ result: string | null; position: number }>(page, 'meshraft.get', key, consistency);
}

/** Waits until the tab's group started (or fails the test with the page's startup error). */
export async function started(page: Page): Promise<void> {
  await callWindowFunction<void>(page, 'meshraft.started');
}

/**
 * Waits until every tab is online, agrees on one leader that is a member, and the voters are
 * exactly `voters` tabs. Returns the leader's peer id.
 */
export async function waitForGroup(pages: Page[], voters: number, timeoutMs = 60_000): Promise<string> {
  let leader = '';
  await expect
    .poll(
      async () => {
        const all = await Promise.all(pages.map(status));
        const leaders = new Set(all.map((s) => s.leader));
        const agreed = leaders.size === 1 ? [...leaders][0] : null;
        const ok =
          agreed !== null &&
          all.every((s) => s.online && s.members.voters.length === voters && s.members.voters.includes(agreed)) &&
          all.filter((s) => s.role === 'leader').length === 1;
        if (ok) leader = agreed;
        return ok ? 'formed' : JSON.stringify(all.map((s) => [s.peerId, s.role, s.term, s.leader, s.online, s.members.voters.length]));
      },
      {
        timeout: timeoutMs,
        intervals: [200, 300, 500],
        message:
          `${pages.length} tabs online in one group of ${voters} voters with one leader ` +
          '(tabs that did not bootstrap must be added through the log: JoinRequest -> learner -> voter)',
      },
    )
    .toBe('formed');
  return leader;
}

/** The tab whose peer is `peerId`. */
export async function pageOf(pages: Page[], peerId: string): Promise<Page> {
  for (const page of pages) if ((await status(page)).peerId === peerId) return page;
  throw new Error(`no open tab is peer ${peerId}`);
}

/** Waits until every tab has applied at least `index` and all state machines are identical. */
export async function waitForSameState(pages: Page[], index: number, timeoutMs = 60_000): Promise<RegisterSummary> {
  let agreed: RegisterSummary | null = null;
  await expect
    .poll(
      async () => {
        const all = await Promise.all(pages.map(summary));
        const same = all.every((s) => s.lastIndex >= index && JSON.stringify(s) === JSON.stringify(all[0]));
        if (same) agreed = all[0];
        return same ? 'same' : JSON.stringify(all);
      },
      { timeout: timeoutMs, intervals: [200, 300, 500] },
    )
    .toBe('same');
  return agreed!;
}
