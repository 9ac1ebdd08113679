// The tabs of one profile derive a group key once between them (browser/derivation-share.ts): here
// "tabs" are DerivationShare instances on Node's BroadcastChannel and one in-memory lock manager.
import { afterEach, describe, expect, it } from 'vitest';
import { DerivationShare, type DerivedRoom } from '../src/browser/derivation-share';
import { MemoryLocks } from './support/memory-locks';

const NAME = `share-test-${Math.random().toString(36).slice(2)}`;
const RESULT: DerivedRoom = { room: 'r'.repeat(43), authKey: new Uint8Array(32).fill(7) };
const FAST = { answerMs: 60, turnMs: 400 };

const open: DerivationShare[] = [];
const channels: BroadcastChannel[] = [];
afterEach(() => {
  for (const share of open.splice(0)) share.close();
  for (const channel of channels.splice(0)) channel.close();
});

/** A tab's share, and a derivation that counts its runs (and takes `ms`, as PBKDF2 takes a while). */
function tab(locks: MemoryLocks, id: string, name = NAME, ms = 30) {
  const share = new DerivationShare(name, { open: (n) => new BroadcastChannel(n), locks: locks.forTab(id) }, FAST);
  open.push(share);
  const counted = { runs: 0 };
  const run = async () => {
    counted.runs++;
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { room: RESULT.room, authKey: new Uint8Array(RESULT.authKey) };
  };
  return { share, counted, derive: () => share.derive(run) };
}

describe('DerivationShare', () => {
  it('three tabs starting together derive once: the first derives, the other two take its result', async () => {
    const locks = new MemoryLocks();
    const tabs = ['a', 'b', 'c'].map((id) => tab(locks, id));
    const results = await Promise.all(tabs.map((t) => t.derive()));
    expect(tabs.reduce((n, t) => n + t.counted.runs, 0)).toBe(1);
    expect(tabs.map((t) => t.share.source).sort()).toEqual(['derived', 'shared', 'shared']);
    for (const result of results) expect(result).toEqual(RESULT);
  });

  it('a tab opening later gets the result from a tab that has it, without deriving', async () => {
    const locks = new MemoryLocks();
    const first = tab(locks, 'a');
    await first.derive();
    const later = tab(locks, 'b');
    expect(await later.derive()).toEqual(RESULT);
    expect(later.share.source).toBe('shared');
    expect(later.counted.runs).toBe(0);
    // And the later tab answers in turn once the first is gone.
    first.share.close();
    const third = tab(locks, 'c');
    await third.derive();
    expect([third.share.source, third.counted.runs]).toEqual(['shared', 0]);
  });

  it('the tab that derived says so even when its own result comes back to it (another holder answering an ask) before its holder lock is granted', async () => {
    const locks = new MemoryLocks();
    const holderLock = `meshraft-derivation-holder:${NAME}`;
    // Tab a's holder lock is granted only once `grant` is called: a busy browser can take a while.
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const aLocks = locks.forTab('a');
    const slowLocks = {
      ...aLocks,
      request: (name: string, options: Parameters<typeof aLocks.request>[1], callback: Parameters<typeof aLocks.request>[2]) =>
        name === holderLock ? granted.then(() => aLocks.request(name, options, callback)) : aLocks.request(name, options, callback),
    };
    const share = new DerivationShare(NAME, { open: (n) => new BroadcastChannel(n), locks: slowLocks }, FAST);
    open.push(share);
    let runs = 0;
    // Another tab took a's offer and answers a third tab's ask with it: a hears its own result back.
    const other = new BroadcastChannel(`meshraft-derivation:${NAME}`);
    channels.push(other);
    other.onmessage = (event: MessageEvent) => {
      if (event.data?.type !== 'offer') return;
      other.postMessage(event.data);
      setTimeout(grant, 20);
    };
    const result = await share.derive(async () => {
      runs++;
      return { room: RESULT.room, authKey: new Uint8Array(RESULT.authKey) };
    });
    expect(result).toEqual(RESULT);
    expect([share.source, runs]).toEqual(['derived', 1]);
  });

  it('a holder that never answers (a frozen tab) is asked once, then the tab derives itself', async () => {
    const locks = new MemoryLocks();
    // Holds the holder lock, as a frozen tab does, but runs no code.
    void locks.forTab('frozen').request(`meshraft-derivation-holder:${NAME}`, { mode: 'shared' }, () => new Promise(() => {}));
    const listener = new BroadcastChannel(`meshraft-derivation:${NAME}`);
    channels.push(listener);
    let asks = 0;
    listener.onmessage = (event: MessageEvent) => void (event.data?.type === 'ask' && asks++);
    const t = tab(locks, 'a');
    expect(await t.derive()).toEqual(RESULT);
    expect([t.share.source, t.counted.runs]).toEqual(['derived', 1]);
    // Asked once: its own turn does not wait for the frozen holder a second time.
    expect(asks).toBe(1);
  });

  it('a turn that never ends (a tab frozen while deriving) does not keep the others waiting for ever', async () => {
    const locks = new MemoryLocks();
    void locks.forTab('frozen').request(`meshraft-derivation-turn:${NAME}`, {}, () => new Promise(() => {}));
    const t = tab(locks, 'a');
    expect(await t.derive()).toEqual(RESULT);
    expect([t.share.source, t.counted.runs]).toEqual(['derived', 1]);
    // Its own wait for the turn was withdrawn.
    expect(locks.pending()).toEqual([]);
  });

  it('ignores malformed offers on the channel and derives', async () => {
    const locks = new MemoryLocks();
    const rogue = new BroadcastChannel(`meshraft-derivation:${NAME}`);
    channels.push(rogue);
    const t = tab(locks, 'a', NAME, 80);
    const derived = t.derive();
    for (const bad of [{ type: 'offer', room: 'x', authKey: new Uint8Array(32) }, { type: 'offer', room: RESULT.room, authKey: new Uint8Array(5) }, { type: 'offer', room: RESULT.room, authKey: 'k' }, 'offer', null]) {
      rogue.postMessage(bad);
    }
    expect(await derived).toEqual(RESULT);
    expect([t.share.source, t.counted.runs]).toEqual(['derived', 1]);
  });

  it('tabs of another key (another share name) neither ask nor answer each other', async () => {
    const locks = new MemoryLocks();
    await tab(locks, 'a', `${NAME}-one`).derive();
    // What tab a's channel hears while b derives: no question from b reaches it.
    const listener = new BroadcastChannel(`meshraft-derivation:${NAME}-one`);
    channels.push(listener);
    const heard: unknown[] = [];
    listener.onmessage = (event: MessageEvent) => void heard.push(event.data);
    const other = tab(locks, 'b', `${NAME}-two`);
    await other.derive();
    expect([other.share.source, other.counted.runs]).toEqual(['derived', 1]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(heard).toEqual([]);
  });

  it('a failed derivation is the caller\'s error, and the next tab in turn derives itself', async () => {
    const locks = new MemoryLocks();
    const failing = new DerivationShare(NAME, { open: (n) => new BroadcastChannel(n), locks: locks.forTab('a') }, FAST);
    open.push(failing);
    const waiting = tab(locks, 'b');
    const failed = failing.derive(async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      throw new Error('no crypto');
    });
    const next = waiting.derive();
    await expect(failed).rejects.toThrow('no crypto');
    expect(await next).toEqual(RESULT);
    expect([waiting.share.source, waiting.counted.runs]).toEqual(['derived', 1]);
  });

  it('close() lets go of the holder lock: nobody is asked who cannot answer', async () => {
    const locks = new MemoryLocks();
    const t = tab(locks, 'a');
    await t.derive();
    expect(locks.heldBy('a')).toEqual([`meshraft-derivation-holder:${NAME}`]);
    t.share.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(locks.heldBy('a')).toEqual([]);
  });
});
