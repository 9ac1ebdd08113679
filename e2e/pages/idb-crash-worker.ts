// Module worker for 'a Worker killed with batches in flight': writes a planned random history
// (@meshraft/core/testing plannedHistory) to IdbStorage in waves of 1-4 batches in flight, as the
// engine host's ready loop does, and reports after each wave how many batches have settled. The page
// terminates it at a moment of its choosing, as a crashing tab's Worker dies.
import { seededRandom } from '@meshraft/core';
import { plannedHistory } from '@meshraft/core/testing';
import { openIdbStorage } from '@meshraft/idb';

export interface CrashWorkerRequest {
  dbName: string;
  seed: number;
  batches: number;
}

export type CrashWorkerReport = { settled: number } | { failed: string };

self.onmessage = async (event: MessageEvent<CrashWorkerRequest>) => {
  const { dbName, seed, batches } = event.data;
  try {
    const storage = await openIdbStorage({ peerId: 'crash', dbName });
    const plan = plannedHistory(seed, batches);
    const waves = seededRandom(seed + 0x9e3779b9);
    let settled = 0;
    while (settled < plan.length) {
      const wave = plan.slice(settled, settled + 1 + Math.floor(waves() * 4));
      const outcomes = await Promise.allSettled(wave.map((planned) => storage.persist(planned.batch)));
      outcomes.forEach((outcome, i) => {
        if ((outcome.status === 'fulfilled') !== wave[i].accepted) throw new Error(`batch ${settled + i + 1} (${wave[i].kind}): ${outcome.status}`);
      });
      settled += wave.length;
      self.postMessage({ settled } satisfies CrashWorkerReport);
    }
  } catch (error) {
    self.postMessage({ failed: String(error) } satisfies CrashWorkerReport);
  }
};
