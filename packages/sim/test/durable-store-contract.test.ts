// The simulator's disk model against the storage contract: DurableStore is what a simulated peer
// finds after a crash, so it must keep exactly what a real Storage keeps. The random histories of
// the storage conformance suite (plannedHistory: appends, truncations, snapshots agreeing or
// conflicting with the log, compactions, hard states) are applied to it and to the contract's plain
// model, ReferenceLog, and every position is compared after every batch.
import { describe, expect, it } from 'vitest';
import { deepEqual, plannedHistory, ReferenceLog } from '@meshraft/core/testing';
import { DurableStore } from '../src/durable-store';

describe('DurableStore keeps what the storage contract says', () => {
  it('30 random histories of 200 batches: positions after every batch, and load() after every tenth, match the contract model', () => {
    let compared = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const store = new DurableStore();
      const model = new ReferenceLog();
      for (const [i, planned] of plannedHistory(seed, 200).entries()) {
        // The engine never hands over a batch the contract refuses; the disk model need not refuse it.
        if (!planned.accepted) continue;
        store.apply(planned.batch);
        model.apply(planned.batch);
        const where = `seed ${seed}, batch ${i + 1} (${planned.kind})`;
        if (i % 10 === 9 || i === 199) {
          const expected = model.state();
          // deepEqual first: the matcher's own comparison is slow on logs of thousands of entries.
          if (!deepEqual(store.load(), expected)) expect(store.load(), where).toEqual(expected);
        }
        const last = model.last();
        expect({ index: store.lastIndex(), term: store.lastTerm() }, where).toEqual(last);
        for (const index of [model.snapshotIndex, model.snapshotIndex + 1, last.index, last.index + 1]) {
          expect(store.termAt(index), `${where}: termAt(${index})`).toBe(model.termAt(index));
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(30 * 150);
  });
});

describe('DurableStore.handOver, as IdbStorage.handOver', () => {
  const noop = (index: number, term: number) => ({ kind: 'noop' as const, index, term });
  const membership = { voters: ['a'], learners: [] };

  /** A disk holding a snapshot at 3/2, then entries 4-5 of term 2 and 6-7 of term 3; commit 7, term 3, voted. */
  function slot(): DurableStore {
    const store = new DurableStore();
    store.apply({ snapshot: { meta: { index: 3, term: 2, membership }, data: new Uint8Array([1]) }, entries: [] });
    store.apply({ entries: [noop(4, 2), noop(5, 2), noop(6, 3), noop(7, 3)], hardState: { term: 3, vote: 'a', commit: 7 } });
    return store;
  }

  it('drops the entries of a term later than the notice, lowers the commit index to what is left, keeps the term, drops the vote', () => {
    const store = slot();
    expect(store.lastWithinTerm(2)).toEqual({ index: 5, term: 2 });
    store.handOver(0, Number.POSITIVE_INFINITY, 2);
    expect({ last: store.lastIndex(), lastTerm: store.lastTerm() }).toEqual({ last: 5, lastTerm: 2 });
    expect(store.hardState).toEqual({ term: 3, vote: null, commit: 5 });
  });

  it('never drops the snapshot: a notice term below every entry leaves the snapshot position', () => {
    const store = slot();
    expect(store.lastWithinTerm(1)).toEqual({ index: 3, term: 2 });
    store.handOver(0, 6, 1);
    expect({ last: store.lastIndex(), snapshot: store.snapshotIndex, commit: store.hardState.commit }).toEqual({ last: 3, snapshot: 3, commit: 3 });
  });

  it('without a notice term keeps the whole log and lowers the commit index to the notice position only', () => {
    const store = slot();
    expect(store.lastWithinTerm(3)).toEqual({ index: 7, term: 3 });
    store.handOver(4, 6);
    expect({ last: store.lastIndex(), hard: store.hardState }).toEqual({ last: 7, hard: { term: 4, vote: null, commit: 6 } });
  });

  it("reads the configurations as the hand-over would leave them, without changing the disk (a starting tab decides on them first, as the runtime's claim)", () => {
    const store = new DurableStore();
    const config = (index: number, term: number, voters: string[]) => ({ kind: 'config' as const, index, term, membership: { voters, learners: [] } });
    // {a} at 1, {a, b} at 3 (term 2), {a, b, c} at 4 (term 3); stored commit 4.
    store.apply({ entries: [config(1, 1, ['a']), noop(2, 1), config(3, 2, ['a', 'b']), config(4, 3, ['a', 'b', 'c'])], hardState: { term: 3, vote: 'a', commit: 4 } });
    expect(store.logConfiguration().membership?.voters).toEqual(['a', 'b', 'c']);
    expect(store.logConfiguration().voterSets).toEqual([['a', 'b', 'c']]);
    // A notice of term 2 at 2/1: entry 4 is dropped, and with the commit index lowered to 2 the
    // configuration at 3 is no longer known committed, so the one in force at 2 is weighed too.
    const handedOver = store.logConfiguration({ maxCommit: 2, maxTerm: 2 });
    expect(handedOver.membership?.voters).toEqual(['a', 'b']);
    expect(handedOver.voterSets).toEqual([['a'], ['a', 'b']]);
    expect({ last: store.lastIndex(), hard: store.hardState }).toEqual({ last: 4, hard: { term: 3, vote: 'a', commit: 4 } });
    store.handOver(0, 2, 2);
    expect(store.logConfiguration()).toEqual(handedOver);
  });
});
