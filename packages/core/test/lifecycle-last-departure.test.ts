// Which profile re-founds a configuration whose voters departed on several devices (condition 6 of
// the founding rules): for any order of departures and any gaps in what each voter knew, on any
// number of devices, exactly one profile re-founds once each holds every notice, and never more
// than one while some notices are of an older version (no list).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideFounding, type FoundingInput } from '../src/lifecycle/index';
import type { Departure } from '../src/messages';
import type { PeerId } from '../src/types';
import { propertySeed } from './property-seed';

interface Voter {
  id: PeerId;
  /** Which device it departed on. */
  device: number;
  lastIndex: number;
  lastTerm: number;
  /** For each voter that departed before it: whether its notice had reached this one by then. */
  heard: boolean[];
}

/** Voters in departure order (the array's), spread over `devices` devices, each device with one at least. */
const scenario = (devices: number) =>
  fc
    .array(
      fc.record({
        device: fc.integer({ min: 0, max: devices - 1 }),
        lastIndex: fc.integer({ min: 10, max: 12 }),
        lastTerm: fc.integer({ min: 3, max: 4 }),
        heard: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      }),
      { minLength: 2, maxLength: 7 },
    )
    .map((rows) => rows.map((row, i): Voter => ({ ...row, id: `v${i}` })))
    .filter((voters) => new Set(voters.map((v) => v.device)).size === devices);

/** What each device passes to decideFounding once it holds every notice: its own voters' slots and lists, and a log covering every position. */
function foundingOn(device: number, voters: Voter[], legacy: ReadonlySet<PeerId> = new Set()): FoundingInput {
  const knew = (v: Voter, i: number) => voters.slice(0, i).filter((_, j) => v.heard[j]).map((x) => x.id);
  const tombstones = new Map<PeerId, Departure>(
    voters.map((v, i) => {
      const notice: Departure = { type: 'Departure', term: v.lastTerm, lastIndex: v.lastIndex, lastTerm: v.lastTerm };
      if (!legacy.has(v.id)) notice.knew = knew(v, i);
      return [v.id, notice];
    }),
  );
  const own = voters.filter((v) => v.device === device);
  const top = { lastIndex: 12, lastTerm: 4 };
  return {
    choice: { kind: 'succeed', slot: 'log', previous: own[0]!.id },
    slots: [{ slot: 'log', peerId: own[0]!.id, inUse: false, departed: tombstones.get(own[0]!.id)!, ...top }],
    log: { ...top, membership: { voters: voters.map((v) => v.id), learners: [] } },
    tombstones,
    ownTombstones: new Set(own.map((v) => v.id)),
    departedBefore: new Map(own.filter((v) => !legacy.has(v.id)).map((v) => [v.id, knew(v, voters.indexOf(v))])),
    room: 'empty',
  };
}

const refounding = (voters: Voter[], devices: number, legacy?: ReadonlySet<PeerId>) =>
  Array.from({ length: devices }, (_, d) => d).filter((d) => decideFounding(foundingOn(d, voters, legacy)) === 'refound');

describe('the last departure across devices', () => {
  it('two devices holding every notice: exactly one re-founds', () => {
    fc.assert(
      fc.property(scenario(2), (voters) => {
        expect(refounding(voters, 2)).toHaveLength(1);
      }),
      { numRuns: 500, ...propertySeed },
    );
  });

  it('three or four devices holding every notice: exactly one re-founds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 4 }).chain((devices) => scenario(devices).map((voters) => ({ devices, voters }))),
        ({ devices, voters }) => {
          expect(refounding(voters, devices)).toHaveLength(1);
        },
      ),
      { numRuns: 500, ...propertySeed },
    );
  });

  it('notices of an older version (no list) never let two devices re-found', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((devices) => scenario(devices).map((voters) => ({ devices, voters }))),
        fc.array(fc.boolean(), { minLength: 7, maxLength: 7 }),
        ({ devices, voters }, oldVersion) => {
          const legacy = new Set(voters.filter((_, i) => oldVersion[i]).map((v) => v.id));
          expect(refounding(voters, devices, legacy).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 500, ...propertySeed },
    );
  });

  it('the device whose voter departed knowing of every other device re-founds, whatever the positions', () => {
    // v0 (device 0, most up to date) departed first; v1 (device 1) had heard of it.
    const voters: Voter[] = [
      { id: 'v0', device: 0, lastIndex: 12, lastTerm: 4, heard: [] },
      { id: 'v1', device: 1, lastIndex: 10, lastTerm: 3, heard: [true] },
    ];
    expect(refounding(voters, 2)).toEqual([1]);
  });

  it('neither knew of the other: the device of the more up-to-date voter re-founds', () => {
    const voters: Voter[] = [
      { id: 'v0', device: 0, lastIndex: 10, lastTerm: 3, heard: [] },
      { id: 'v1', device: 1, lastIndex: 11, lastTerm: 3, heard: [false] },
    ];
    expect(refounding(voters, 2)).toEqual([1]);
  });

  it('four devices, one voter having heard of the first: the latest departures decide, not the first', () => {
    // Same final positions, so the lowest id would win a plain tie-break: v0, which departed first.
    // v3 knew of it, so v0's device may not re-found (v3's might hold the last departure), and the
    // other devices must not wait for v0's: v1 is the lowest id among the latest departures.
    const voters: Voter[] = [
      { id: 'v0', device: 2, lastIndex: 10, lastTerm: 3, heard: [] },
      { id: 'v1', device: 1, lastIndex: 10, lastTerm: 3, heard: [false] },
      { id: 'v2', device: 0, lastIndex: 10, lastTerm: 3, heard: [false, false] },
      { id: 'v3', device: 3, lastIndex: 10, lastTerm: 3, heard: [true, false, false] },
    ];
    expect(refounding(voters, 4)).toEqual([1]);
  });
});
