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
