// A tab that crashes kills its Worker with IndexedDB writes in flight. What the store keeps must be
// what a prefix of the batches wrote, each batch whole: nothing half-written, nothing out of order,
// nothing the Worker had already been told was stored missing. Each run writes a random history in a
// Worker (idb-crash-worker.ts), terminates it once a drawn number of batches has settled (at once or
// a moment later, so the kill also lands inside a wave), reopens the database in the page and finds
// the prefix of the history whose model (ReferenceLog) equals what loads.
import { seededRandom } from '@meshraft/core';
import { deepEqual, plannedHistory, ReferenceLog } from '@meshraft/core/testing';
import { deleteIdbStorage, openIdbStorage } from '@meshraft/idb';
import type { CrashWorkerReport } from './idb-crash-worker';
import { assert } from './support/assert';

export interface CrashRun {
  seed: number;
  /** Batches the Worker reported settled before the kill (the store must hold at least these). */
  reported: number;
  /** The prefix of the history the store holds. */
  kept: number;
  batches: number;
}

/** Writes `seed`'s history in a Worker, kills it, and returns which prefix of it the store kept. */
export async function crashRun(seed: number, batches: number, dbName: string): Promise<CrashRun> {
  const draw = seededRandom(seed);
  const killAt = 1 + Math.floor(draw() * (batches - 2));
  const delayMs = Math.floor(draw() * 3); // 0: in the task that heard the report
  const worker = new Worker(new URL('./idb-crash-worker.ts', import.meta.url), { type: 'module' });
  let reported = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      worker.onerror = (event) => reject(new Error(`worker error: ${event.message}`));
      worker.onmessage = (event: MessageEvent<CrashWorkerReport>) => {
        const report = event.data;
        if ('failed' in report) return reject(new Error(`seed ${seed}: the worker failed: ${report.failed}`));
        reported = report.settled;
        if (reported < killAt && reported < batches) return;
        worker.onmessage = null;
        const kill = () => {
          worker.terminate();
          resolve();
        };
        if (delayMs === 0) kill();
        else setTimeout(kill, delayMs);
      };
      worker.postMessage({ dbName, seed, batches });
    });
  } finally {
    worker.terminate();
  }
  const storage = await openIdbStorage({ peerId: 'crash', dbName });
  try {
    const loaded = await storage.load();
    const plan = plannedHistory(seed, batches);
    const model = new ReferenceLog();
    let kept = -1;
    for (let prefix = 0; prefix <= plan.length; prefix++) {
      if (prefix >= reported && deepEqual(loaded, model.state())) {
        kept = prefix;
        break;
      }
      if (prefix < plan.length && plan[prefix].accepted) model.apply(plan[prefix].batch);
    }
    assert(kept >= 0, `seed ${seed}: after the kill (${reported} batches reported settled) the store holds no prefix of the history at or past ${reported}: last ${JSON.stringify(await storage.last())}`);
    // The store takes writes again where the kept prefix ends.
    const last = model.last();
    await storage.persist({ entries: [{ kind: 'noop', index: last.index + 1, term: last.term }] });
    assert(deepEqual(await storage.last(), { index: last.index + 1, term: last.term }), `seed ${seed}: a write after the reopen`);
    return { seed, reported, kept, batches };
  } finally {
    await storage.close();
    await deleteIdbStorage({ dbName });
  }
}
