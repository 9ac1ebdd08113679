// Departures recorded on the profile (tombstones) are fed to the engine as Departure notices: the
// profile's own at once, other devices' only for members of its configuration (and voters of one it
// may not have replaced yet), each once, once the configuration is known, and later ones a while
// after another tab records them.
import { describe, expect, it, vi } from 'vitest';
import { decodeMessage, type Departure, type GroupStatus, type Membership } from '@meshraft/core';
import type { Claim } from '../src/runtime/claim';
import { RECORDED_DEPARTURE_DELAY_MS, replayDepartures } from '../src/runtime/departure-replay';

const notice = (term: number, lastIndex: number): Departure => ({ type: 'Departure', term, lastIndex, lastTerm: term });

function statusSource(members: Membership) {
  let listeners: Array<() => void> = [];
  const source = {
    status: { peerId: 'me', members } as GroupStatus,
    subscribe(listener: () => void) {
      listeners.push(listener);
      return () => (listeners = listeners.filter((l) => l !== listener));
    },
    set(next: Membership, priorVoters?: string[]) {
      source.status = { ...source.status, members: next, ...(priorVoters ? { priorVoters } : {}) };
      for (const l of [...listeners]) l();
    },
    listeners: () => listeners.length,
  };
  return source;
}

function claimWith(tombstones: Map<string, Departure>, own: Set<string> = new Set()) {
  let watcher: ((peer: string, n: Departure) => void) | null = null;
  const claim = {
    departures: () => tombstones,
    ownDepartures: () => own,
    watchDepartures(handler: (peer: string, n: Departure) => void) {
      watcher = handler;
      return () => (watcher = null);
    },
  } as unknown as Claim;
  return { claim, record: (peer: string, n: Departure) => (tombstones.set(peer, n), watcher?.(peer, n)), watching: () => watcher !== null };
}

describe('replayDepartures', () => {
  it('waits for the configuration, then delivers the tombstones of members only, once each', () => {
    const { claim, record, watching } = claimWith(new Map([['a', notice(3, 7)], ['old', notice(1, 2)], ['me', notice(2, 2)]]));
    const group = statusSource({ voters: [], learners: [] });
    const delivered: Array<[string, unknown]> = [];
    const stop = replayDepartures(claim, group, (from, bytes) => delivered.push([from, decodeMessage(bytes)]));
    expect(delivered).toEqual([]);
    group.set({ voters: ['me', 'a', 'b'], learners: ['c'] });
    expect(delivered).toEqual([['a', { type: 'Departure', term: 3, lastIndex: 7, lastTerm: 3 }]]);
    // Another tab of the profile departs later: replayed after a delay (the mesh usually brings it first).
    vi.useFakeTimers();
    try {
      record('c', { ...notice(4, 9), led: true, successors: ['a', 'me'] });
      record('a', notice(3, 7));
      expect(delivered).toHaveLength(1);
      vi.advanceTimersByTime(RECORDED_DEPARTURE_DELAY_MS);
    } finally {
      vi.useRealTimers();
    }
    expect(delivered.map(([from]) => from)).toEqual(['a', 'c']);
    expect(delivered[1][1]).toMatchObject({ type: 'Departure', term: 4, lastIndex: 9, led: true, successors: ['a', 'me'] });
    stop();
    expect(watching()).toBe(false);
    expect(group.listeners()).toBe(0);
  });

  it("delivers the profile's own departures at start, members or not (a tab that departed while joining a group this log never saw); other devices' only for members", () => {
    const { claim } = claimWith(new Map([['joining', notice(9, 113)], ['elsewhere', notice(5, 40)], ['a', notice(3, 7)]]), new Set(['joining', 'a']));
    const group = statusSource({ voters: [], learners: [] });
    const delivered: string[] = [];
    const stop = replayDepartures(claim, group, (from) => delivered.push(from));
    expect(delivered.sort()).toEqual(['a', 'joining']);
    // Named later, each still once; another device's departure only once the configuration names it.
    group.set({ voters: ['me', 'a', 'joining'], learners: [] });
    expect(delivered.sort()).toEqual(['a', 'joining']);
    group.set({ voters: ['me', 'a', 'joining', 'elsewhere'], learners: [] });
    expect(delivered.sort()).toEqual(['a', 'elsewhere', 'joining']);
    stop();
  });

  it('delivers the tombstone of a peer the configuration comes to name later (a departed tab whose notice reached nobody)', () => {
    // 'gone' joined, reloaded a moment later and its notice reached nobody: only this profile
    // (whose tab took its slot over) knows it departed. The configuration learnt from the log names it.
    const { claim } = claimWith(new Map([['gone', notice(2, 0)]]));
    const group = statusSource({ voters: ['a'], learners: [] });
    const delivered: string[] = [];
    const stop = replayDepartures(claim, group, (from) => delivered.push(from));
    expect(delivered).toEqual([]);
    group.set({ voters: ['a'], learners: ['gone'] });
    expect(delivered).toEqual(['gone']);
    group.set({ voters: ['a'], learners: ['gone', 'x'] });
    expect(delivered).toEqual(['gone']); // once
    stop();
  });
  it('delivers the tombstones of voters a change not yet committed removed (status.priorVoters), so another device can learn of them', () => {
    // The configuration dropped 'r' (it departed) and that change may not have committed: a
    // re-founding of this group waits for r's notice on whichever profile decides it.
    const { claim } = claimWith(new Map([['r', notice(5, 40)], ['old', notice(1, 2)]]));
    const group = statusSource({ voters: [], learners: [] });
    const delivered: string[] = [];
    const stop = replayDepartures(claim, group, (from) => delivered.push(from));
    group.set({ voters: ['me', 'a'], learners: [] }, ['r']);
    expect(delivered).toEqual(['r']);
    stop();
  });
});
