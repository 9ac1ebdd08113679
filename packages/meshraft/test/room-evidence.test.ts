import { describe, expect, it } from 'vitest';
import type { PeerView } from '@meshraft/core';
import type { JoinInfo, MeshPort } from '../src/runtime/mesh-port';
import { peersSeenRunning, roomEvidence } from '../src/runtime/room-evidence';

/** Just what roomEvidence reads of a mesh: the room's peers and the latest join answer. */
function room(peers: string[], join: JoinInfo | null): MeshPort {
  return { roomPeers: () => peers, latestJoin: () => join, reregisterBoundMs: 20_000 } as unknown as MeshPort;
}

const NOW = 1_000_000;
const old: JoinInfo = { peers: [], uptimeMs: 60_000, at: NOW - 10 };
const young: JoinInfo = { peers: [], uptimeMs: 1_000, at: NOW - 10 };
const view = (over: Partial<PeerView> = {}): PeerView => ({ role: 'follower', term: 0, committed: 0, applied: 0, online: false, catchUp: null, ...over });
const pristine = view({ pristine: true });
const member = view({ term: 4, committed: 12, applied: 12, online: true });

describe('roomEvidence', () => {
  it('an empty room is empty only once the server has been up longer than peers need to re-register', () => {
    expect(roomEvidence(room([], old), [], NOW)).toBe('empty');
    expect(roomEvidence(room([], young), [], NOW)).toBe('unknown');
    expect(roomEvidence(room([], null), [], NOW)).toBe('unknown');
  });

  it('without views, any other peer in the room or connected occupies it; own-profile tabs do not', () => {
    expect(roomEvidence(room(['b'], old), [], NOW)).toBe('occupied');
    expect(roomEvidence(room([], old), ['b'], NOW)).toBe('occupied');
    expect(roomEvidence(room(['b'], old), ['b'], NOW, new Set(['b']))).toBe('empty');
  });

  it('peers that gossip themselves pristine occupy nothing: new tabs of several browsers find the room empty once the server is old enough', () => {
    const views = (id: string) => ({ b: pristine, c: pristine })[id];
    // Before the fix every one of them saw the others as members, joined, and none founded the group.
    expect(roomEvidence(room(['b', 'c'], young), ['b', 'c'], NOW, new Set(), views)).toBe('unknown');
    expect(roomEvidence(room(['b', 'c'], old), ['b', 'c'], NOW, new Set(), views)).toBe('empty');
  });

  it('a member, or a peer that says nothing of being pristine (an older version), occupies the room', () => {
    expect(roomEvidence(room(['b', 'c'], old), ['b', 'c'], NOW, new Set(), (id) => ({ b: pristine, c: member })[id])).toBe('occupied');
    expect(roomEvidence(room(['b'], old), ['b'], NOW, new Set(), () => view())).toBe('occupied');
  });

  it("frozen peers of another device (and pristine ones beside them) make the room 'frozen' once its list is complete; a member among them occupies it", () => {
    const frozen = view({ term: 7, committed: 91, applied: 91, frozen: true });
    expect(roomEvidence(room(['b', 'c'], old), ['b', 'c'], NOW, new Set(), (id) => ({ b: frozen, c: pristine })[id])).toBe('frozen');
    expect(roomEvidence(room(['b'], young), ['b'], NOW, new Set(), () => frozen)).toBe('unknown');
    expect(roomEvidence(room(['b', 'c'], old), ['b', 'c'], NOW, new Set(), (id) => ({ b: frozen, c: member })[id])).toBe('occupied');
    expect(roomEvidence(room(['b', 'c'], old), ['b'], NOW, new Set(), (id) => ({ b: frozen })[id as 'b'])).toBe('unknown');
    // Without views (nothing said), a frozen peer is a peer like any other.
    expect(roomEvidence(room(['b'], old), ['b'], NOW)).toBe('occupied');
  });

  it('a peer not heard from yet (not connected, or its gossip still on the way) makes the room unknown, not empty', () => {
    expect(roomEvidence(room(['b', 'c'], old), ['b'], NOW, new Set(), (id) => ({ b: pristine })[id as 'b'])).toBe('unknown');
    expect(roomEvidence(room(['b'], old), ['b'], NOW, new Set(), () => undefined)).toBe('unknown');
  });
});

describe('peersSeenRunning', () => {
  it("lists the room's peers and the linked ones once the room's list is complete, nothing before", () => {
    expect(peersSeenRunning(room(['b', 'c'], old), ['a', 'c', 'd'], NOW)?.sort()).toEqual(['a', 'b', 'c', 'd']);
    // A young server's list may miss live peers that have not re-registered: no list at all then.
    expect(peersSeenRunning(room(['b'], young), ['a'], NOW)).toBeNull();
    expect(peersSeenRunning(room([], null), ['a'], NOW)).toBeNull();
  });
});
