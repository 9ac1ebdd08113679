import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeMessage, encodeValue, type GroupStatus, type PeerView } from '@meshraft/core';
import { decodeGossip, encodeGossip, isGossipFrame, StatusGossip } from '../src/runtime/status-gossip';

const status = (over: Partial<GroupStatus> = {}): GroupStatus => ({
  peerId: 'a',
  role: 'leader',
  term: 3,
  leader: 'a',
  committed: 10,
  applied: 9,
  online: true,
  members: { voters: ['a', 'b'], learners: [] },
  catchUp: null,
  closed: false,
  ...over,
});

describe('status gossip frames', () => {
  it('round-trips the gossiped fields', () => {
    expect(decodeGossip(encodeGossip(status()))).toEqual({ role: 'leader', term: 3, committed: 10, applied: 9, online: true, catchUp: null });
  });

  it('carries pristine only when true, and refuses any other value for it', () => {
    expect(decodeGossip(encodeGossip(status({ term: 0 }), true))).toMatchObject({ pristine: true });
    expect(decodeGossip(encodeGossip(status(), false))).not.toHaveProperty('pristine');
    const forged = (extra: Record<string, unknown>) => {
      const encoded = encodeValue({ role: 'follower', term: 0, committed: 0, applied: 0, online: false, catchUp: null, ...extra });
      const frame = new Uint8Array(encoded.byteLength + 1);
      frame[0] = 0x47;
      frame.set(encoded, 1);
      return frame;
    };
    expect(decodeGossip(forged({ pristine: false }))).toBeNull();
    expect(decodeGossip(forged({ pristine: 1 }))).toBeNull();
    expect(decodeGossip(forged({ pristine: true }))).toMatchObject({ pristine: true });
  });

  it('carries frozen only when the status says so (or the tab waits for a group it holds nothing of), and refuses any other value for it', () => {
    expect(decodeGossip(encodeGossip(status({ frozen: true })))).toMatchObject({ frozen: true });
    expect(decodeGossip(encodeGossip(status()))).not.toHaveProperty('frozen');
    // A tab that holds nothing but heard of the group waits for it as a frozen tab does, and says so.
    expect(decodeGossip(encodeGossip(status(), true))).toMatchObject({ frozen: true });
    const forged = (extra: Record<string, unknown>) => {
      const encoded = encodeValue({ role: 'follower', term: 0, committed: 0, applied: 0, online: false, catchUp: null, ...extra });
      return new Uint8Array([0x47, ...encoded]);
    };
    expect(decodeGossip(forged({ frozen: false }))).toBeNull();
    expect(decodeGossip(forged({ frozen: 'yes' }))).toBeNull();
    expect(decodeGossip(forged({ frozen: true }))).toMatchObject({ frozen: true });
  });

  it('passes a catch-up progress on field by field, and refuses one with a missing or out-of-range field', () => {
    const progress = { fraction: 0.5, from: 11, to: 40, entriesFetched: 15, bytesFetched: 1500, peersUsed: 2, phase: 'log' as const };
    expect(decodeGossip(encodeGossip(status({ catchUp: { ...progress, extra: { deep: 1 } } as GroupStatus['catchUp'] })))?.catchUp).toEqual(progress);
    const bad: Record<string, unknown>[] = [
      { fraction: Number.NaN },
      { fraction: Number.POSITIVE_INFINITY },
      { fraction: -1e300 },
      { fraction: 1.5 },
      { phase: 42 },
      { phase: 'LOG' },
      { entriesFetched: 'lots' },
      { from: -1 },
      { peersUsed: 2.5 },
      { bytesFetched: undefined },
    ];
    for (const change of bad) {
      const catchUp = { ...progress, ...change } as unknown as GroupStatus['catchUp'];
      expect(decodeGossip(encodeGossip(status({ catchUp }))), JSON.stringify(change)).toBeNull();
    }
    expect(decodeGossip(encodeGossip(status({ catchUp: [] as unknown as GroupStatus['catchUp'] })))).toBeNull();
  });

  it('is never confused with a Raft frame', () => {
    const raft = encodeMessage({ type: 'TimeoutNow', term: 1 });
    expect(isGossipFrame(raft)).toBe(false);
    expect(isGossipFrame(encodeGossip(status()))).toBe(true);
  });

  it('rejects malformed frames instead of throwing', () => {
    const good = encodeGossip(status());
    expect(decodeGossip(new Uint8Array([0x47]))).toBeNull();
    expect(decodeGossip(new Uint8Array([0x47, 0xff, 0x00]))).toBeNull();
    expect(decodeGossip(good.subarray(0, good.length - 2))).toBeNull();
    const wrongRole = encodeGossip(status({ role: 'king' as GroupStatus['role'] }));
    expect(decodeGossip(wrongRole)).toBeNull();
    const negative = encodeGossip(status({ term: -1 }));
    expect(decodeGossip(negative)).toBeNull();
  });
});

describe('StatusGossip', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('publishes views of peers, drops bad frames, forgets departed peers, and only re-sends on change', () => {
    let current = status();
    const sent: Uint8Array[] = [];
    const published: Array<Readonly<Record<string, PeerView>>> = [];
    const gossip = new StatusGossip({
      status: () => current,
      broadcast: (frame) => sent.push(frame),
      onViews: (views) => published.push(views),
    });
    gossip.receive('b', encodeGossip(status({ role: 'follower', applied: 4 })));
    gossip.receive('c', new Uint8Array([0x47, 1, 2, 3]));
    expect(gossip.dropped).toBe(1);
    expect(Object.keys(published.at(-1) ?? {})).toEqual(['b']);
    expect(published.at(-1)?.b?.applied).toBe(4);

    gossip.statusChanged();
    vi.advanceTimersByTime(30);
    expect(sent).toHaveLength(1);
    // A new status object with the same gossiped fields is not sent again.
    current = { ...current };
    gossip.statusChanged();
    vi.advanceTimersByTime(400);
    expect(sent).toHaveLength(1);
    current = { ...current, applied: 12 };
    gossip.statusChanged();
    vi.advanceTimersByTime(400);
    expect(sent).toHaveLength(2);
    expect(decodeGossip(sent[1]!)?.applied).toBe(12);

    gossip.peerDown('b');
    expect(published.at(-1)).toEqual({});
    gossip.stop();
  });
});
