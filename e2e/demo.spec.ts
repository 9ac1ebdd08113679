// The demo app (apps/demo) driven as a user would, in tabs of one browser profile: only clicks,
// typing, reloads, closing tabs and a crashed tab; everything checked is read from what the page
// shows, the cluster panel's event feed of joins and departures included.
// Needs the demo's Vite server (playwright.config.ts webServer, port E2E_DEMO_PORT, default 5189)
// and the e2e signaling server. Screenshots go to test-results/demo/*.png.
import { mkdirSync } from 'node:fs';
import { expect, test, type BrowserContext, type Page, type TestInfo } from '@playwright/test';
import { collectConsoleErrors, uniqueName, type ConsoleErrors } from './support';
import { crash } from './support/lifecycle';

const DEMO_ORIGIN = `http://127.0.0.1:${process.env.E2E_DEMO_PORT ?? 5189}`;
const SCREENSHOTS = 'test-results/demo';
/** Generous: 2 shared cores, WebRTC setup and elections; we wait for what the page shows, never sleep. */
const UI = { timeout: 60_000 };
const COLUMNS = ['todo', 'doing', 'done'] as const;

type Board = Record<(typeof COLUMNS)[number], string[]>;

/**
 * What the browser and the WebRTC library may report when the tab at the other end of a connection
 * goes away: the data channel's close error and the peer connection's failed/closed states. Allowed
 * only once the test closed or reloaded a tab on purpose (see `goneTab`); before that, any of these
 * is a real failure.
 */
const TAB_GONE_NOISE = /console\.error: .*(User-Initiated Abort, reason=Close called|Ice connection (failed|closed)\.|Connection failed\.)/;

test.describe.configure({ mode: 'serial' });

let context: BrowserContext;
let watchers: ConsoleErrors[] = [];
/** Set once the test closed or reloaded a tab: from then on TAB_GONE_NOISE is expected. */
let tabGone = false;

/** Errors seen so far (and not yet checked), minus the noise a tab going away causes once one did. */
function unexpectedConsoleErrors(): string[] {
  const errors = watchers.flatMap((w) => w.take());
  return tabGone ? errors.filter((e) => !TAB_GONE_NOISE.test(e)) : errors;
}

/** Close, reload or crash a tab on purpose; nothing may have been reported before it. */
async function goneTab(page: Page, how: 'close' | 'reload' | 'crash'): Promise<void> {
  expect(unexpectedConsoleErrors(), 'console errors before a tab went away').toEqual([]);
  tabGone = true;
  if (how === 'close') await page.close();
  else if (how === 'reload') await page.reload();
  // The renderer dies where it stands: no pagehide, so to the group the tab just went silent.
  else await crash(page);
}

/** The cluster panel's event feed shows `kind` for `peer`. */
async function expectEvent(page: Page, kind: 'joined' | 'promoted' | 'left' | 'leader', peer: string): Promise<void> {
  const event = page.locator(`[data-testid="cluster-event"][data-kind="${kind}"][data-peer="${peer}"]`);
  await expect(event).toHaveCount(1, UI);
}

test.beforeEach(async ({ browser }) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // One browser profile, like a user's tabs: shared IndexedDB, sessionStorage per tab.
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  watchers = [];
  tabGone = false;
});

test.afterEach(async () => {
  const errors = unexpectedConsoleErrors();
  for (const watcher of watchers) watcher.stop();
  await context.close();
  expect(errors, 'console errors in the demo tabs').toEqual([]);
});

async function openTab(url: string, label: string): Promise<Page> {
  const page = await context.newPage();
  watchers.push(collectConsoleErrors(page, { label }));
  await page.goto(url);
  await expect(page.getByTestId('hint')).toContainText('more tabs');
  return page;
}

/** Waits until the tab is online: no offline/connecting banner, a leader named in the panel. */
async function waitOnline(page: Page): Promise<void> {
  await expect(page.getByTestId('offline-banner')).toHaveCount(0, UI);
  await expect(page.getByTestId('leader-id')).not.toHaveText('none', UI);
}

/** The one member row this tab marks as leader; fails unless there is exactly one. */
async function leaderRow(page: Page): Promise<string> {
  const rows = page.locator('[data-testid="member"][data-leader="true"]');
  await expect(rows).toHaveCount(1, UI);
  return (await rows.getAttribute('data-peer')) ?? '';
}

async function selfPeerId(page: Page): Promise<string> {
  return (await page.getByTestId('self-peer-id').textContent()) ?? '';
}

async function addCard(page: Page, title: string): Promise<void> {
  const input = page.getByTestId('new-card-title');
  await input.click();
  await input.fill(title);
  await page.getByTestId('add-card').click();
  await expect(input).toHaveValue('');
}

function card(page: Page, title: string) {
  return page.getByTestId('card').filter({ has: page.getByTestId('card-title').getByText(title, { exact: true }) });
}

/**
 * Ticks a card's checkbox and waits for the replicated state to tick it. A click that lands while
 * the list re-renders (another tab's move applying) can miss the element; the command sets `done`
 * rather than toggling it, so clicking an unticked box again is harmless.
 */
async function completeCard(page: Page, title: string): Promise<void> {
  const box = card(page, title).getByTestId('complete-card');
  await expect(async () => {
    if (!(await box.isChecked())) await box.click();
    await expect(box).toBeChecked({ timeout: 15_000 });
  }).toPass(UI);
}

async function expectCardIn(page: Page, title: string, column: (typeof COLUMNS)[number]): Promise<void> {
  await expect(page.getByTestId(`column-${column}`).getByTestId('card-title').getByText(title, { exact: true })).toHaveCount(1, UI);
}

/** The number the board gave the card this tab added last, as its own execute() result reported it. */
async function addedNumber(page: Page): Promise<string> {
  const outcome = page.getByTestId('last-outcome');
  await expect(outcome).toHaveText(/^Added card #\d+\.$/, UI);
  return /#(\d+)/.exec((await outcome.textContent()) ?? '')?.[1] ?? '';
}

async function readBoard(page: Page): Promise<Board> {
  const board = {} as Board;
  for (const column of COLUMNS) board[column] = await page.getByTestId(`column-${column}`).getByTestId('card-title').allTextContents();
  return board;
}

async function screenshot(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const path = `${SCREENSHOTS}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('three tabs share one board, survive closing the leader tab, and a reload keeps the board', async ({}, testInfo) => {
  test.setTimeout(300_000);
  // An invite link (the `#k=` format of @meshraft/webrtc's formatInviteLink).
  const boardKey = uniqueName('demo-board');
  const url = `${DEMO_ORIGIN}/#k=${boardKey}`;

  // 1. The first tab finds an empty room and starts the group; two more tabs join it.
  const first = await openTab(url, 'tab0');
  await waitOnline(first);
  await expect(first.getByTestId('self-role')).toHaveText('this tab: leader', UI);
  await expect(first.getByTestId('group-key')).toHaveText(boardKey);
  const tabs = [first, await openTab(url, 'tab1'), await openTab(url, 'tab2')];
  for (const page of tabs) {
    await waitOnline(page);
    await expect(page.getByTestId('member'), 'every tab lists all three members').toHaveCount(3, UI);
  }

  // 2. The cluster panel of every tab shows exactly one leader, and all name the same one.
  const leaders = await Promise.all(tabs.map(leaderRow));
  expect(new Set(leaders).size).toBe(1);
  const ids = await Promise.all(tabs.map(selfPeerId));
  expect(new Set(ids).size).toBe(3);
  expect(ids).toContain(leaders[0]);

  // 3. Cards added in one tab appear in the others.
  await addCard(tabs[1], 'Write the README');
  await addCard(tabs[2], 'Record a screencast');
  await addCard(tabs[0], 'Ship the demo');
  for (const page of tabs) {
    for (const title of ['Write the README', 'Record a screencast', 'Ship the demo']) await expectCardIn(page, title, 'todo');
  }
  // The adding tab learned its card's number from the state machine's answer, and every tab shows it.
  const readme = await addedNumber(tabs[1]);
  await expect(card(tabs[1], 'Write the README')).toHaveAttribute('data-added', 'true');
  for (const page of tabs) await expect(card(page, 'Write the README').getByTestId('card-number')).toHaveText(`#${readme}`, UI);
  // Moving, completing and editing a card in one tab shows in the others.
  await card(tabs[0], 'Write the README').getByTestId('move-right').click();
  // A controlled checkbox: it shows the replicated state, so it ticks once the command applied.
  await completeCard(tabs[2], 'Ship the demo');
  await card(tabs[1], 'Record a screencast').getByTestId('edit-card').click();
  await tabs[1].getByTestId('edit-card-title').fill('Record a short screencast');
  await tabs[1].getByTestId('save-card').click();
  for (const page of tabs) {
    await expectCardIn(page, 'Write the README', 'doing');
    await expectCardIn(page, 'Ship the demo', 'done');
    await expectCardIn(page, 'Record a short screencast', 'todo');
  }
  for (const [i, page] of tabs.entries()) await screenshot(page, `1-three-tabs-tab${i}`, testInfo);

  // The first tab's feed saw the others join and become voters.
  for (const id of ids.slice(1)) await expectEvent(first, 'promoted', id);

  // 4. Close the leader's tab: it departs, the other two elect a new leader and keep editing.
  const oldLeader = leaders[0];
  const leaderTab = tabs[ids.indexOf(oldLeader)];
  await expect(leaderTab.getByTestId('self-role')).toHaveText('this tab: leader');
  await goneTab(leaderTab, 'close');
  const survivors = tabs.filter((page) => page !== leaderTab);
  for (const page of survivors) {
    await expect(page.getByTestId('leader-id')).not.toHaveText(oldLeader, UI);
    await waitOnline(page);
  }
  const newLeaders = await Promise.all(survivors.map(leaderRow));
  expect(new Set(newLeaders).size).toBe(1);
  expect(newLeaders[0]).not.toBe(oldLeader);
  expect(await Promise.all(survivors.map(selfPeerId))).toContain(newLeaders[0]);
  // The closed tab left the configuration at once (it departed), and the feeds say so.
  for (const page of survivors) {
    await expect(page.getByTestId('member')).toHaveCount(2, UI);
    await expectEvent(page, 'left', oldLeader);
    await expectEvent(page, 'leader', newLeaders[0]);
  }

  await addCard(survivors[0], 'Added after the failover');
  await card(survivors[1], 'Write the README').getByTestId('move-right').click();
  await card(survivors[0], 'Record a short screencast').getByTestId('delete-card').click();
  for (const page of survivors) {
    await expectCardIn(page, 'Added after the failover', 'todo');
    await expectCardIn(page, 'Write the README', 'done');
    await expect(card(page, 'Record a short screencast')).toHaveCount(0, UI);
  }
  for (const [i, page] of survivors.entries()) await screenshot(page, `2-after-leader-closed-tab${i}`, testInfo);

  // 5. A reloaded tab shows the same board from its own IndexedDB, as a new peer of the group.
  const expected = await readBoard(survivors[1]);
  expect(expected).toEqual({
    todo: ['Added after the failover'],
    doing: [],
    done: ['Ship the demo', 'Write the README'],
  });
  const [other, reloaded] = survivors;
  const idBefore = await selfPeerId(reloaded);
  await goneTab(reloaded, 'reload');
  for (const column of COLUMNS) {
    await expect(reloaded.getByTestId(`column-${column}`).getByTestId('card-title')).toHaveText(expected[column], UI);
  }
  await waitOnline(reloaded);
  await expect(reloaded.getByTestId('self-peer-id')).not.toHaveText(idBefore, UI);
  const idAfter = await selfPeerId(reloaded);
  expect(idAfter).toMatch(/^p-/);
  await expectEvent(other, 'left', idBefore);
  await expectEvent(other, 'joined', idAfter);
  for (const page of survivors) await expect(page.getByTestId('member')).toHaveCount(2, UI);
  // And it keeps working with the other tab after the reload.
  await addCard(reloaded, 'Added after the reload');
  await expectCardIn(other, 'Added after the reload', 'todo');
  await screenshot(reloaded, '3-reloaded-tab', testInfo);

  // 6. Close the other tab too: the last one stays online on its own and keeps editing.
  const otherId = await selfPeerId(other);
  await goneTab(other, 'close');
  await expectEvent(reloaded, 'left', otherId);
  await expect(reloaded.getByTestId('member')).toHaveCount(1, UI);
  await waitOnline(reloaded);
  await addCard(reloaded, 'Added alone');
  await expectCardIn(reloaded, 'Added alone', 'todo');
  await screenshot(reloaded, '4-last-tab', testInfo);
});

test('a tab that lost its quorum shows the offline banner, keeps edits pending, then offers Retry', async ({}, testInfo) => {
  // Short edit timeout (a page setting) so the failure shows up quickly; long enough that a busy
  // machine still sees the edit pending before it fails.
  const url = `${DEMO_ORIGIN}/?editTimeoutMs=5000#${uniqueName('demo-offline')}`;
  const first = await openTab(url, 'tab0');
  await waitOnline(first);
  const second = await openTab(url, 'tab1');
  await waitOnline(second);
  for (const page of [first, second]) await expect(page.getByTestId('member')).toHaveCount(2, UI);
  await addCard(second, 'Written while online');
  await expectCardIn(first, 'Written while online', 'todo');

  // Two members, one crashed (no departure): the remaining tab has no majority and says so.
  await goneTab(first, 'crash');
  await expect(second.getByTestId('offline-banner')).toHaveAttribute('data-state', 'offline', UI);
  await addCard(second, 'Written while offline');
  const ghost = second.getByTestId('pending-card').filter({ hasText: 'Written while offline' });
  await expect(ghost).toHaveAttribute('data-state', 'pending');
  await screenshot(second, '5-offline-pending', testInfo);

  // It cannot commit: after the edit timeout the edit fails visibly and can be retried.
  await expect(second.getByTestId('execute-error')).toBeVisible(UI);
  await expect(ghost).toHaveAttribute('data-state', 'failed');
  await expect(second.getByTestId('execute-error')).toContainText('1 edit is waiting');
  await screenshot(second, '6-offline-failed', testInfo);
  await second.getByTestId('retry').click();
  await expect(ghost).toHaveAttribute('data-state', 'pending');
  await expect(second.getByTestId('execute-error')).toBeVisible(UI);
  await expect(ghost).toHaveAttribute('data-state', 'failed');
  // Discard drops the edit; the committed card stays.
  await second.getByTestId('discard').click();
  await expect(ghost).toHaveCount(0);
  await expectCardIn(second, 'Written while online', 'todo');
});

test('a group key shorter than 16 characters is refused, and the page says why', async () => {
  const page = await context.newPage();
  watchers.push(collectConsoleErrors(page, { label: 'short-key' }));
  await page.goto(`${DEMO_ORIGIN}/#key=too-short`);
  await expect(page.getByTestId('group-key')).toHaveText('too-short');
  await expect(page.getByTestId('startup-error')).toContainText('at least 16', UI);
  await expect(page.getByTestId('startup-error')).toContainText('Use a longer key');
});
