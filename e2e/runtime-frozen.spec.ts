// A frozen tab restarts by itself. Its log's configuration has one voter, which departed, and no
// successor list names the tab (an observer learner, crashed, then adopted by a normal tab), so its
// engine reports it frozen: nobody can ever be elected in that configuration. While a peer of
// another device sits in the signaling room (it might continue the group), the tab stays frozen;
// once the room is empty it runs the start-up rules again on its own slot and re-founds the group
// there under a new identity, keeping every acknowledged write. An observer itself never re-founds.
// A frozen tab whose log lacks the departed voter's last writes takes that voter's slot over
// instead, as a reload of it would.
import type { Page } from '@playwright/test';
import { io } from 'socket.io-client';
import { SIGNALING_URL, uniqueName } from './support';
import { expect, test, type RuntimeTabs } from './support/runtime-tabs';
import { getValue, setValue, stats, status } from './pages/runtime/harness';
import { DEFAULT_TIMING, crash, recordFigures } from './support/lifecycle';

/** A peer of "another device": in the signaling room, never connecting (its link attempts go unanswered). */
async function roomOccupant(room: string) {
  const socket = io(SIGNALING_URL, { transports: ['websocket'], reconnection: false });
  const ack = await socket.timeout(10_000).emitWithAck('join', { room, peerId: uniqueName('elsewhere') });
  expect(ack).toMatchObject({ ok: true });
  return { leave: () => void socket.disconnect() };
}


/** Waits until the frozen tab re-founded; should it not, the failure shows what its checks found (stats().frozenChecks, its status). */
async function untilRefounded(tab: Page): Promise<void> {
  try {
    await expect.poll(async () => (await stats(tab)).frozenRestarts, { timeout: 30_000 }).toBe(1);
  } catch (error) {
    const { frozenChecks, rejoinErrors, peerId, mesh } = await stats(tab);
    const { role, frozen, members, term } = await status(tab);
    throw new Error(`${(error as Error).message}\n${JSON.stringify({ peerId, frozenChecks, rejoinErrors, role, frozen, members, term, mesh })}`);
  }
}

/**
 * A voter that leads alone and an observer learner of the same profile, three writes k0..k2 and a
 * write of `last` that the observer applied.
 */
/**
 * Waits until a frozen tab has checked twice at least, and asserts the latest check decided not to
 * re-found ('stay'; or 'wait': a room peer that never links leaves the room's evidence unknown) and
 * that it never restarted: the same identity, no restart.
 */
async function staysAfterChecks(tab: Page, peerId: string) {
  await expect.poll(async () => (await stats(tab)).frozenChecks.checks, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  const after = await stats(tab);
  expect(after).toMatchObject({ peerId, frozenRestarts: 0 });
  expect(['stay', 'wait']).toContain(after.frozenChecks.last?.outcome);
  return after;
}

async function voterAndObserver(tabs: RuntimeTabs, key: string, lastValue: string) {
  const voter = await tabs.open({ key, ...DEFAULT_TIMING }, 'voter');
  await expect.poll(async () => (await status(voter)).role, { timeout: 30_000 }).toBe('leader');
  const observer = await tabs.open({ key, ...DEFAULT_TIMING, preference: 'observer' }, 'observer');
  const observerId = (await status(observer)).peerId;
  for (let i = 0; i < 3; i++) await setValue(voter, `k${i}`, `v${i}`);
  const last = await setValue(voter, 'last', lastValue);
  await expect.poll(async () => (await status(observer)).applied, { timeout: 30_000 }).toBeGreaterThanOrEqual(last);
  return { voter, observer, observerId };
}

test('a frozen tab stays while a peer elsewhere may continue the group, then re-founds with every write', async ({ tabs }) => {
  const key = uniqueName('frozen');
  const { voter, observer, observerId } = await voterAndObserver(tabs, key, 'before-close');
  expect((await status(voter)).members).toEqual({ voters: [(await status(voter)).peerId], learners: [observerId] });
  const room = (await stats(voter)).room!;

  // The only voter closes: the observer is frozen, and an observer never re-founds.
  await voter.close();
  await expect.poll(async () => (await status(observer)).frozen, { timeout: 30_000 }).toBe(true);
  await staysAfterChecks(observer, observerId);

  // A peer of another device joins the room, the observer's renderer crashes, and a normal tab of
  // the profile adopts the observer's identity: the room is occupied, so it joins, and is frozen.
  const elsewhere = await roomOccupant(room);
  await crash(observer);
  const tab = await tabs.open({ key, ...DEFAULT_TIMING }, 'adopter');
  expect(await stats(tab)).toMatchObject({ slotChoice: 'adopt', peerId: observerId, refounded: false });
  await expect.poll(async () => (await status(tab)).frozen, { timeout: 30_000 }).toBe(true);
  await staysAfterChecks(tab, observerId);

  // The other device goes away: the frozen tab re-founds the group on its slot.
  const since = Date.now();
  elsewhere.leave();
  await untilRefounded(tab);
  await expect.poll(async () => (await status(tab)).role, { timeout: 30_000 }).toBe('leader');
  const leadingAfterMs = Date.now() - since;
  const after = await stats(tab);
  expect(after.peerId).not.toBe(observerId);
  expect(after.retiredPeerIds).toContain(observerId);
  expect(after.refounded).toBe(true);
  expect((await status(tab)).frozen).toBe(false);
  expect((await getValue(tab, 'last', 'strong')).result).toBe('before-close');
  for (let i = 0; i < 3; i++) expect((await getValue(tab, `k${i}`, 'strong')).result).toBe(`v${i}`);
  await setValue(tab, 'last', 'after-refound');
  expect((await getValue(tab, 'last', 'strong')).result).toBe('after-refound');
  recordFigures('frozen-restart', { leadingAfterRoomEmptiedMs: leadingAfterMs });
});

test('a frozen tab whose log lacks the departed voter\'s last writes re-founds on that voter\'s slot with every write', async ({ tabs }) => {
  const key = uniqueName('frozen-short');
  const { voter, observer, observerId } = await voterAndObserver(tabs, key, 'seen-by-observer');

  // The observer's renderer crashes; the only voter goes on writing alone (it is the quorum), then closes.
  await crash(observer);
  for (let i = 0; i < 3; i++) await setValue(voter, `late${i}`, `w${i}`);
  await setValue(voter, 'last', 'after-crash');
  await voter.close();

  // A new tab adopts the crashed observer's identity (a crashed identity comes first), whose log
  // stops before the late writes: frozen. Its own slot cannot continue the group; the voter's can.
  const tab = await tabs.open({ key, ...DEFAULT_TIMING }, 'adopter');
  const first = await stats(tab);
  expect(first.slotChoice).toBe('adopt');
  // The crashed observer's identity: still running, or already retired by the restart below (it
  // can come within a moment of the page starting).
  expect([first.peerId, ...first.retiredPeerIds]).toContain(observerId);
  await untilRefounded(tab);
  await expect.poll(async () => (await status(tab)).role, { timeout: 30_000 }).toBe('leader');
  const after = await stats(tab);
  expect(after.refounded).toBe(true);
  expect(after.retiredPeerIds).toContain(observerId);
  expect((await getValue(tab, 'last', 'strong')).result).toBe('after-crash');
  for (let i = 0; i < 3; i++) {
    expect((await getValue(tab, `k${i}`, 'strong')).result).toBe(`v${i}`);
    expect((await getValue(tab, `late${i}`, 'strong')).result).toBe(`w${i}`);
  }
  await setValue(tab, 'last', 'after-refound');
  expect((await getValue(tab, 'last', 'strong')).result).toBe('after-refound');
});
