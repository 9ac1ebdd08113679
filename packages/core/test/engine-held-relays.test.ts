// Notices passed on by non-members (held-relays.ts): one copy per sender and peer, a bounded number,
// taken once the sender is a member or the peer they name runs nowhere.
import { describe, expect, it } from 'vitest';
import { HeldRelays } from '../src/engine/held-relays';
import type { Departure } from '../src/messages';

const notice = (peer: string, lastIndex = 1): Departure => ({ type: 'Departure', term: 1, lastIndex, lastTerm: 1, peer });

describe('HeldRelays', () => {
  it('keeps one copy per sender and peer: a copy passed on again replaces the one held', () => {
    const relays = new HeldRelays();
    relays.hold('s', notice('gone', 1));
    relays.hold('s', notice('gone', 2));
    relays.hold('t', notice('gone', 2));
    expect(relays.size).toBe(2);
    expect(relays.takeFromMembers((p) => p === 's')).toEqual([{ sender: 's', notice: notice('gone', 2) }]);
    expect(relays.size).toBe(1);
  });

  it('holds 64 at most: past them the oldest goes, and hold says so', () => {
    const relays = new HeldRelays();
    for (let i = 0; i < 64; i++) expect(relays.hold('s', notice(`p${i}`))).toBe(true);
    expect(relays.hold('s', notice('p64'))).toBe(false);
    expect(relays.size).toBe(64);
    expect(relays.takeAboutAbsent(new Set()).map((r) => r.notice.peer)).not.toContain('p0');
  });

  it('says whether a held notice names a peer (a departing peer reports it as departed before it)', () => {
    const relays = new HeldRelays();
    relays.hold('s', notice('gone'));
    expect(relays.names('gone')).toBe(true);
    expect(relays.names('s')).toBe(false);
    relays.takeAboutAbsent(new Set());
    expect(relays.names('gone')).toBe(false);
  });

  it('takes the notices about peers the host does not see running, and counts them', () => {
    const relays = new HeldRelays();
    relays.hold('s', notice('gone'));
    relays.hold('s', notice('live'));
    expect(relays.takeAboutAbsent(new Set(['live', 's'])).map((r) => r.notice.peer)).toEqual(['gone']);
    expect(relays.takenOnAbsence).toBe(1);
    expect(relays.size).toBe(1);
  });
});
