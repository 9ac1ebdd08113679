// The main thread keeps the engine's departure plan with a leader's last appends already encoded;
// they are encoded again only when the term or handoff target changes, or after a while, except
// the handoff target's, which always reaches the leader's log end.
import { describe, expect, it } from 'vitest';
import { decodeMessage, type DeparturePlan } from '@meshraft/core';
import { APPENDS_REFRESH_MS, planRelay } from '../src/runtime/departure-frames';

const plan = (lastIndex: number, handoffTo: string | null = 'b'): DeparturePlan => ({
  notice: { type: 'Departure', term: 2, lastIndex, lastTerm: 2, led: true },
  handoffTo,
  appends: [{ to: 'c', message: { type: 'AppendEntries', term: 2, prevLogIndex: lastIndex - 1, prevLogTerm: 2, entries: [{ kind: 'noop', index: lastIndex, term: 2 }], leaderCommit: lastIndex } }],
});

describe('planRelay', () => {
  it('encodes the appends, reuses them within the refresh time, and encodes again after it or when the target changes', () => {
    let now = 0;
    const relay = planRelay(() => now);
    const first = relay(plan(5));
    expect(first.notice.lastIndex).toBe(5);
    expect(decodeMessage(first.appends[0].bytes)).toMatchObject({ type: 'AppendEntries', prevLogIndex: 4 });
    now += APPENDS_REFRESH_MS - 1;
    const second = relay(plan(6));
    expect(second.notice.lastIndex).toBe(6); // the notice is always the latest
    expect(second.appends).toBe(first.appends); // the appends were not encoded again
    const third = relay(plan(7, 'd'));
    expect(decodeMessage(third.appends[0].bytes)).toMatchObject({ prevLogIndex: 6 });
    now += APPENDS_REFRESH_MS;
    expect(decodeMessage(relay(plan(8, 'd')).appends[0].bytes)).toMatchObject({ prevLogIndex: 7 });
  });

  it("re-encodes the handoff target's append whenever the log end moves, and only that one", () => {
    let now = 0;
    const relay = planRelay(() => now);
    const withTarget = (lastIndex: number): DeparturePlan => {
      const p = plan(lastIndex, 'b');
      const entries = Array.from({ length: 3 }, (_, i) => ({ kind: 'noop' as const, index: lastIndex - 2 + i, term: 2 }));
      return { ...p, appends: [...p.appends, { to: 'b', message: { type: 'AppendEntries', term: 2, prevLogIndex: lastIndex - 3, prevLogTerm: 2, entries, leaderCommit: lastIndex - 1 } }] };
    };
    const first = relay(withTarget(10));
    const targetOf = (r: ReturnType<typeof relay>) => decodeMessage(r.appends.find((f) => f.to === 'b')!.bytes);
    expect(targetOf(first)).toMatchObject({ prevLogIndex: 7 });
    now += 1; // well within the refresh time
    const second = relay(withTarget(12));
    expect(targetOf(second)).toMatchObject({ prevLogIndex: 9 }); // up to the new log end, 12
    expect(second.appends.find((f) => f.to === 'c')).toBe(first.appends.find((f) => f.to === 'c')); // the others wait
    const third = relay(withTarget(12));
    expect(third.appends.find((f) => f.to === 'b')).toBe(second.appends.find((f) => f.to === 'b')); // same end: reused
  });
});
