// Two devices whose only voters close at the same moment: each voter's engine had not heard of the
// other's departure, so neither device can show it holds the configuration's last departure. A tab
// reopened on each device holds only its own voter's tombstone at first; the two tabs meet, pass
// each other the notices, find every voter departed and are frozen. Exactly one of them may
// re-found the group: the one condition 6 of docs/tab-lifecycle.md names from the notices alone
// (the device whose voter knew the other had departed, or, when neither did, the device of the
// voter with the most up-to-date final position, ties to the lowest id). The other joins the
// re-founded group, and every write is there. Before the notices carried what each voter knew,
// such tabs waited for each other for good.
//
// Two browser contexts stand for the two devices (no shared IndexedDB, localStorage or Web Locks).
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { getValue, openPeer, setValue, started, stats, status, waitForGroup } from './pages/runtime/harness';
import type { StoredTombstone } from './pages/runtime/tombstone';
import { DEFAULT_TIMING, recordFigures, tombstones } from './support/lifecycle';

/** Which of the two voters' devices re-founds, as condition 6 reads the notices (two devices, one voter each). */
function expectedRefounder(a: { id: string; notice: StoredTombstone }, b: { id: string; notice: StoredTombstone }): { id: string; rule: 'last departure' | 'tie-break' } {
  if (a.notice.knew?.includes(b.id)) return { id: a.id, rule: 'last departure' };
  if (b.notice.knew?.includes(a.id)) return { id: b.id, rule: 'last departure' };
  const ahead = (x: StoredTombstone, y: StoredTombstone) => x.lastTerm > y.lastTerm || (x.lastTerm === y.lastTerm && x.lastIndex > y.lastIndex);
  if (ahead(a.notice, b.notice)) return { id: a.id, rule: 'tie-break' };
  if (ahead(b.notice, a.notice)) return { id: b.id, rule: 'tie-break' };
  return { id: a.id < b.id ? a.id : b.id, rule: 'tie-break' };
}

test('two devices whose only voters closed at once: the device the notices name re-founds the group, the other joins it, every write kept', async ({ browser }) => {
  test.setTimeout(180_000);
  const key = uniqueName('two-devices');
  const contexts: BrowserContext[] = [];
  const watchers: ConsoleErrors[] = [];
  const open = async (context: BrowserContext, label: string): Promise<Page> => {
    const page = await openPeer(context, { key, ...DEFAULT_TIMING });
    watchers.push(collectConsoleErrors(page, { label }));
    await started(page);
    return page;
  };
  try {
    const [deviceA, deviceB] = [await browser.newContext(), await browser.newContext()];
    contexts.push(deviceA, deviceB);
    const a = await open(deviceA, 'a');
    await expect.poll(async () => (await status(a)).role, { timeout: 30_000 }).toBe('leader');
    const b = await open(deviceB, 'b');
    await waitForGroup([a, b], 2);
    for (let i = 0; i < 4; i++) await setValue(i % 2 === 0 ? a : b, `k${i}`, `v${i}`);
    const last = await setValue(b, 'last', 'before-close');
    await expect.poll(async () => Math.min((await status(a)).applied, (await status(b)).applied), { timeout: 30_000 }).toBeGreaterThanOrEqual(last);
    const [aId, bId] = [(await status(a)).peerId, (await status(b)).peerId];

    // Both voters close in the same moment: each departs before its engine hears of the other.
    await Promise.all([a.close(), b.close()]);
    const [a2, b2] = await Promise.all([open(deviceA, 'a2'), open(deviceB, 'b2')]);

    // Exactly one of the reopened tabs re-founds; the other joins its group.
    const since = Date.now();
    await expect
      .poll(async () => JSON.stringify(await Promise.all([a2, b2].map(async (p) => (await stats(p)).refounded))), { timeout: 120_000, message: 'one reopened tab re-founds' })
      .toMatch(/^\[(true,false|false,true)\]$/);
    const leader = await waitForGroup([a2, b2], 2, 60_000);
    const refoundedMs = Date.now() - since;
    const refounder = (await stats(a2)).refounded ? 'a' : 'b';
    // Still one re-founding once the group formed (the other never re-founded meanwhile).
    expect([(await stats(a2)).refounded, (await stats(b2)).refounded].filter(Boolean)).toHaveLength(1);

    // It is the device the notices name, and both devices hold the same notices.
    const [onA, onB] = [await tombstones(a2), await tombstones(b2)];
    for (const id of [aId, bId]) {
      expect(onA[id], `device A's tombstone of ${id}`).toBeDefined();
      expect(onB[id], `device B's tombstone of ${id}`).toBeDefined();
      expect({ ...onB[id]!, at: 0, own: undefined, before: undefined }).toEqual({ ...onA[id]!, at: 0, own: undefined, before: undefined });
    }
    const expected = expectedRefounder({ id: aId, notice: onA[aId]! }, { id: bId, notice: onA[bId]! });
    expect(refounder).toBe(expected.id === aId ? 'a' : 'b');

    // Every write is there, and the group takes new ones.
    for (const page of [a2, b2]) {
      expect((await getValue(page, 'last', 'strong')).result).toBe('before-close');
      for (let i = 0; i < 4; i++) expect((await getValue(page, `k${i}`, 'strong')).result).toBe(`v${i}`);
    }
    await setValue(refounder === 'a' ? b2 : a2, 'last', 'after-refound');
    expect((await getValue(refounder === 'a' ? a2 : b2, 'last', 'strong')).result).toBe('after-refound');
    recordFigures('two-devices-refound', { rule: expected.rule, knew: { a: onA[aId]!.knew, b: onA[bId]!.knew }, leader, refoundedAfterReopenMs: refoundedMs });
  } finally {
    const errors = watchers.flatMap((w) => w.errors);
    for (const w of watchers) w.stop();
    for (const context of contexts) await context.close();
    expect(errors, 'console errors in the tabs').toEqual([]);
  }
});
