// The app opened again after every tab of the profile closed. Tabs closed by the user departed
// (tombstones in localStorage, their logs kept in their slots): a tab opened later, with no other
// peer in the room, re-founds the group from the most up-to-date slot, keeping every acknowledged
// write; when several open at once exactly one re-founds and the others join it. A browser that
// shuts down without pagehide (the whole profile closed) is a crash to the group: reopened tabs
// adopt the crashed identities, and the group is back once a majority of them runs again.
import type { BrowserContext, Page } from '@playwright/test';
import { collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { getValue, openPeer, pageOf, runtimeUrl, setValue, started, stats, status, waitForGroup } from './pages/runtime/harness';
import { DEFAULT_TIMING, closeAtOnce, pause, recordFigures } from './support/lifecycle';

async function openGroup(tabs: RuntimeTabs, key: string, count: number): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await tabs.open({ key, ...DEFAULT_TIMING }, `tab${i}`));
  await waitForGroup(pages, count);
  return pages;
}

/** One acknowledged write from every tab; returns the value written last. */
async function writeFromEach(pages: Page[], round: string): Promise<string> {
  let last = '';
  for (const [i, page] of pages.entries()) {
    last = `${round}-${i}`;
    await setValue(page, `k${i}`, last);
    await setValue(page, 'last', last);
  }
  return last;
}

/** Every value writeFromEach wrote (`last` is what it returned): tab i's key holds `${round}-${i}`. */
async function expectState(page: Page, tabsWritten: number, last: string): Promise<void> {
  const round = last.replace(/-\d+$/, '');
  expect((await getValue(page, 'last', 'strong')).result).toBe(last);
  for (let i = 0; i < tabsWritten; i++) expect((await getValue(page, `k${i}`, 'strong')).result).toBe(`${round}-${i}`);
}

test('every tab closed one by one, then one tab opened: it re-founds the group with every acknowledged write', async ({ tabs }) => {
  const key = uniqueName('reopen-one');
  const pages = await openGroup(tabs, key, 3);
  const last = await writeFromEach(pages, 'before');
  // The leader first, then the others, a second apart.
  const leader = await pageOf(pages, await waitForGroup(pages, 3));
  for (const page of [leader, ...pages.filter((p) => p !== leader)]) {
    await pause(1000);
    await page.close();
  }
  const since = Date.now();
  const reopened = await tabs.open({ key, ...DEFAULT_TIMING }, 'reopened');
  const s = await stats(reopened);
  expect(s.slotChoice).toBe('succeed');
  expect(s.refounded).toBe(true);
  expect(s.bootstrapped).toBe(false);
  await expectState(reopened, 3, last);
  await setValue(reopened, 'last', 'after');
  recordFigures('lifecycle-reopen-one', { openToWriteMs: Date.now() - since });
  expect((await status(reopened)).members.voters).toEqual([s.peerId]);
});

test('the only tab closes while a second one starts: the second, whose join nobody answers, re-founds the group with the data', async ({ tabs }) => {
  const key = uniqueName('handover');
  const [first] = await openGroup(tabs, key, 1);
  await setValue(first, 'k', 'before');
  // The second tab claims a new slot (the first one's is in use) and will ask to join; the first
  // closes right then, before the two ever connect, so no departure notice reaches the second.
  // Its signaling socket is held until the first has closed: on a busy machine the two could
  // otherwise meet first, and the second would join and be handed the group instead.
  let releaseSignaling = () => {};
  const firstClosed = new Promise<void>((resolve) => (releaseSignaling = resolve));
  const second = await tabs.context.newPage();
  let held = 0;
  await second.routeWebSocket(/socket\.io/, async (socket) => {
    held++;
    await firstClosed;
    socket.connectToServer();
  });
  tabs.watch(second, 'second');
  await second.goto(runtimeUrl({ key, ...DEFAULT_TIMING }));
  await expect.poll(() => second.evaluate(() => performance.getEntriesByName('meshraft:claimed').length), { timeout: 120_000, intervals: [5] }).toBe(1);
  await first.close();
  releaseSignaling();
  await started(second);
  await expect.poll(async () => (await status(second)).online, { timeout: 30_000 }).toBe(true);
  expect(held).toBeGreaterThan(0); // its signaling went through the hold
  expect((await getValue(second, 'k', 'strong')).result).toBe('before');
  await setValue(second, 'k', 'after');
  const s = await stats(second);
  // It started as a joiner in a slot of its own, nobody answered, and its frozen-start check
  // found the room empty: that is what made it re-found.
  expect(s.slotChoice).toBe('new');
  expect(s.frozenRestarts).toBe(1);
  expect(s.frozenChecks.last).toMatchObject({ room: 'empty', outcome: 'refound' });
  expect(s.refounded).toBe(true);
  expect((await status(second)).members.voters).toEqual([s.peerId]);
  recordFigures('lifecycle-handover', { slotChoice: s.slotChoice, frozenRestarts: s.frozenRestarts, frozenChecks: s.frozenChecks });
});

test('every tab closed at once, then three opened at once: exactly one re-founds, the others join it', async ({ tabs }) => {
  const key = uniqueName('reopen-many');
  const pages = await openGroup(tabs, key, 3);
  const last = await writeFromEach(pages, 'before');
  await pause(1000);
  await closeAtOnce(pages);
  const since = Date.now();
  const reopened = await Promise.all([0, 1, 2].map((i) => tabs.open({ key, ...DEFAULT_TIMING }, `reopened${i}`)));
  await waitForGroup(reopened, 3);
  const all = await Promise.all(reopened.map(stats));
  expect(all.filter((s) => s.refounded)).toHaveLength(1);
  expect(all.filter((s) => s.bootstrapped)).toHaveLength(0);
  for (const s of all) expect(s.slotChoice).toBe('succeed');
  for (const page of reopened) await expectState(page, 3, last);
  await setValue(reopened[2], 'last', 'after');
  recordFigures('lifecycle-reopen-many', { openToGroupMs: Date.now() - since });
});

test('the whole profile shut down (no pagehide): reopened tabs adopt the identities; two of three bring the group back', async ({ playwright }, testInfo) => {
  test.setTimeout(180_000);
  const key = uniqueName('reopen-browser');
  const userDataDir = testInfo.outputPath('profile');
  const watchers: ConsoleErrors[] = [];
  const launch = () => playwright.chromium.launchPersistentContext(userDataDir, { ...testInfo.project.use.launchOptions });
  const open = async (context: BrowserContext, label: string) => {
    const page = await openPeer(context, { key, ...DEFAULT_TIMING });
    watchers.push(collectConsoleErrors(page, { label }));
    await started(page);
    return page;
  };
  let context = await launch();
  try {
    const pages: Page[] = [];
    for (let i = 0; i < 3; i++) pages.push(await open(context, `tab${i}`));
    await waitForGroup(pages, 3);
    const ids = (await Promise.all(pages.map(status))).map((s) => s.peerId);
    const last = await writeFromEach(pages, 'before');
    await context.close();

    context = await launch();
    const first = await open(context, 'reopened0');
    const a = await stats(first);
    expect(a.slotChoice).toBe('adopt');
    expect(ids).toContain(a.peerId);
    // Alone it is one voter of three: it has its log (read locally), campaigns, and stays offline.
    expect((await status(first)).members.voters.sort()).toEqual([...ids].sort());
    expect((await getValue(first, 'k0', 'weak')).result).toBe('before-0');
    await expect.poll(async () => (await status(first)).role, { timeout: 30_000 }).toMatch(/candidate/);
    expect((await status(first)).online).toBe(false);
    const second = await open(context, 'reopened1');
    const b = await stats(second);
    expect(b.slotChoice).toBe('adopt');
    expect(ids).toContain(b.peerId);
    expect(b.peerId).not.toBe(a.peerId);
    await expect.poll(async () => (await status(first)).online, { timeout: 60_000 }).toBe(true);
    await expectState(second, 3, last);
    await setValue(first, 'last', 'after');
    expect((await getValue(second, 'last', 'strong')).result).toBe('after');
  } finally {
    const errors = watchers.flatMap((w) => w.errors);
    for (const w of watchers) w.stop();
    await context.close();
    expect(errors, 'console errors in the tabs').toEqual([]);
  }
});
