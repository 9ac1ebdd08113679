// Devices whose only voters close at the same moment: no voter's engine had heard of the others'
// departures, so no device can show it holds the configuration's last departure. A tab reopened on
// each device holds only its own voter's tombstone at first; the tabs meet, pass each other the
// notices, find every voter departed and are frozen. Exactly one of them may re-found the group:
// the one condition 6 of docs/tab-lifecycle.md names from the notices alone (the device whose
// voter knew every other had departed, or else the device of the designated voter: among the
// voters no other knew had departed, the most up-to-date final position, ties to the lowest id).
// The others join the re-founded group, and every write is there. Before the notices carried what
// each voter knew, two such devices waited for each other for good.
//
// Each browser context stands for a device (no shared IndexedDB, localStorage or Web Locks).
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { getValue, openPeer, setValue, started, stats, status, waitForGroup } from './pages/runtime/harness';
import type { StoredTombstone } from './pages/runtime/tombstone';
import { DEFAULT_TIMING, recordFigures, tombstones } from './support/lifecycle';

interface DepartedVoter {
  id: string;
  notice: StoredTombstone;
}

/** Which voter's device re-founds, as condition 6 reads the notices (one voter per device). */
function expectedRefounder(voters: DepartedVoter[]): { id: string; rule: 'last departure' | 'designated voter' } {
  const knewOf = (v: DepartedVoter) => v.notice.knew ?? [];
  const last = voters.find((v) => voters.every((other) => other === v || knewOf(v).includes(other.id)));
  if (last) return { id: last.id, rule: 'last departure' };
  const latest = voters.filter((v) => !voters.some((other) => other !== v && knewOf(other).includes(v.id)));
  const ahead = (x: DepartedVoter, y: DepartedVoter) =>
    x.notice.lastTerm !== y.notice.lastTerm ? x.notice.lastTerm > y.notice.lastTerm : x.notice.lastIndex !== y.notice.lastIndex ? x.notice.lastIndex > y.notice.lastIndex : x.id < y.id;
  const best = latest.reduce((a, b) => (ahead(a, b) ? a : b));
  return { id: best.id, rule: 'designated voter' };
}

for (const deviceCount of [2, 3]) {
  test(`${deviceCount} devices whose only voters closed at once: the device the notices name re-founds the group, the others join it, every write kept`, async ({ browser }) => {
    test.setTimeout(180_000);
    const key = uniqueName(`devices-${deviceCount}`);
    const contexts: BrowserContext[] = [];
    const watchers: ConsoleErrors[] = [];
    const open = async (context: BrowserContext, label: string): Promise<Page> => {
      const page = await openPeer(context, { key, ...DEFAULT_TIMING });
      watchers.push(collectConsoleErrors(page, { label }));
      await started(page);
      return page;
    };
    try {
      for (let d = 0; d < deviceCount; d++) contexts.push(await browser.newContext());
      const first = await open(contexts[0]!, 'device 0');
      await expect.poll(async () => (await status(first)).role, { timeout: 30_000 }).toBe('leader');
      const tabs = [first];
      for (let d = 1; d < deviceCount; d++) tabs.push(await open(contexts[d]!, `device ${d}`));
      await waitForGroup(tabs, deviceCount);
      for (let i = 0; i < 4; i++) await setValue(tabs[i % deviceCount]!, `k${i}`, `v${i}`);
      const last = await setValue(tabs[deviceCount - 1]!, 'last', 'before-close');
      await expect.poll(async () => Math.min(...(await Promise.all(tabs.map(async (p) => (await status(p)).applied)))), { timeout: 30_000 }).toBeGreaterThanOrEqual(last);
      const ids = await Promise.all(tabs.map(async (p) => (await status(p)).peerId));

      // Every voter closes in the same moment: each departs before its engine hears of the others.
      await Promise.all(tabs.map((p) => p.close()));
      const reopened = await Promise.all(contexts.map((context, d) => open(context, `device ${d} reopened`)));

      // Exactly one of the reopened tabs re-founds; the others join its group.
      const since = Date.now();
      const refoundedFlags = async () => Promise.all(reopened.map(async (p) => (await stats(p)).refounded));
      await expect
        .poll(async () => (await refoundedFlags()).filter(Boolean).length, { timeout: 120_000, message: 'one reopened tab re-founds' })
        .toBe(1);
      const leader = await waitForGroup(reopened, deviceCount, 60_000);
      const refoundedMs = Date.now() - since;
      // Still one re-founding once the group formed (no other re-founded meanwhile).
      const flags = await refoundedFlags();
      expect(flags.filter(Boolean)).toHaveLength(1);
      const refounder = flags.indexOf(true);

      // It is the device the notices name, and every device holds the same notices.
      const held = await Promise.all(reopened.map((p) => tombstones(p)));
      const comparable = (t: StoredTombstone) => ({ ...t, at: 0, own: undefined, before: undefined, committed: undefined });
      for (const id of ids) {
        for (let d = 0; d < deviceCount; d++) expect(held[d]![id], `device ${d}'s tombstone of ${id}`).toBeDefined();
        for (let d = 1; d < deviceCount; d++) expect(comparable(held[d]![id]!)).toEqual(comparable(held[0]![id]!));
      }
      const expected = expectedRefounder(ids.map((id) => ({ id, notice: held[0]![id]! })));
      expect(refounder).toBe(ids.indexOf(expected.id));

      // Every write is there, and the group takes new ones.
      for (const page of reopened) {
        expect((await getValue(page, 'last', 'strong')).result).toBe('before-close');
        for (let i = 0; i < 4; i++) expect((await getValue(page, `k${i}`, 'strong')).result).toBe(`v${i}`);
      }
      const other = reopened[(refounder + 1) % deviceCount]!;
      await setValue(other, 'last', 'after-refound');
      expect((await getValue(reopened[refounder]!, 'last', 'strong')).result).toBe('after-refound');
      recordFigures(`devices-${deviceCount}-refound`, { rule: expected.rule, knew: Object.fromEntries(ids.map((id) => [id, held[0]![id]!.knew])), leader, refoundedAfterReopenMs: refoundedMs });
    } finally {
      const errors = watchers.flatMap((w) => w.errors);
      for (const w of watchers) w.stop();
      for (const context of contexts) await context.close();
      expect(errors, 'console errors in the tabs').toEqual([]);
    }
  });
}
