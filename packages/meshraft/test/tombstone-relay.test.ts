// A departing tab writes its own tombstone (`own`) before its notice leaves; another tab of the
// profile records the notice when its engine relays it, if it holds no tombstone of that peer yet.
// Across browser processes, a localStorage write shows up in other tabs a moment later, so during a
// close-all that tab can miss the own record and write its relayed copy after it. The copy must not
// cost the departure its `own` mark: without it condition 6 (founding.ts) took the last leader for
// another device's voter, and every tab reopened afterwards stayed frozen for good.
import { describe, expect, it } from 'vitest';
import type { Departure } from '@meshraft/core';
import { LocalSlots } from '../src/browser/local-slots';
import { fakeSlotEnvironment } from './support/fake-slot-browser';

const room = 'room-0123456789abcdef';
const notice: Departure = { type: 'Departure', term: 13, lastIndex: 21786, lastTerm: 13, led: true, successors: ['p-b'], knew: [] };

describe('tombstones of departures relayed while the own record was not visible yet', () => {
  it('keep the own mark, whichever of the two writes lands last', () => {
    for (const relayedLast of [true, false]) {
      const { env } = fakeSlotEnvironment();
      const departing = new LocalSlots(env, room);
      const relaying = new LocalSlots(env, room);
      const own = () => departing.tombstone('p-leader', notice, true, ['p-x']);
      const relayed = () => relaying.tombstone('p-leader', { ...notice, knew: [] }, false);
      if (relayedLast) {
        own();
        relayed();
      } else {
        relayed();
        own();
      }
      const { tombstones, ownTombstones, departedBefore } = relaying.foundingTombstones();
      expect(ownTombstones.has('p-leader'), `relayed copy written ${relayedLast ? 'after' : 'before'} the own record`).toBe(true);
      expect(departedBefore.get('p-leader')).toEqual(['p-x']);
      expect(tombstones.get('p-leader')).toMatchObject({ lastIndex: 21786, lastTerm: 13, successors: ['p-b'] });
    }
  });

  it('a notice only relayed here still counts as another tab’s or device’s departure', () => {
    const { env } = fakeSlotEnvironment();
    const slots = new LocalSlots(env, room);
    slots.tombstone('p-far', notice, false);
    const { tombstones, ownTombstones } = slots.foundingTombstones();
    expect(tombstones.has('p-far')).toBe(true);
    expect(ownTombstones.has('p-far')).toBe(false);
  });
});
