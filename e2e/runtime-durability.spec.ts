// The `durability` option reaches IndexedDB: every write transaction of a tab's log is opened with
// the hint its createGroup asked for, in the engine Worker and with `worker: false` alike, and the
// tabs still form a group and commit. The transactions are watched where they are created
// (IDBDatabase.prototype.transaction, patched in the thread that runs the engine once it started).
import type { Page } from '@playwright/test';
import { uniqueName } from './support';
import { expect, test } from './support/runtime-tabs';
import { getValue, setValue, stats, waitForGroup, waitForSameState } from './pages/runtime/harness';

/** Runs in the engine's thread: records the durability of every readwrite transaction from now on. */
function watchTransactions(): void {
  const scope = globalThis as unknown as { seenDurabilities?: string[] };
  if (scope.seenDurabilities) return;
  const seen: string[] = (scope.seenDurabilities = []);
  const original = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
    const tx = original.apply(this, args);
    if (tx.mode === 'readwrite') seen.push(tx.durability);
    return tx;
  };
}

const seenIn = () => (globalThis as unknown as { seenDurabilities?: string[] }).seenDurabilities ?? [];

/** The durabilities of the write transactions seen in the tab's engine thread (its Worker, or the page with worker=false). */
async function watch(page: Page, inWorker: boolean): Promise<() => Promise<string[]>> {
  if (!inWorker) {
    await page.evaluate(watchTransactions);
    return () => page.evaluate(seenIn);
  }
  // The tab's Workers: the engine's is the one that opened the log; watch them all.
  const workers = page.workers();
  expect(workers.length).toBeGreaterThan(0);
  for (const worker of workers) await worker.evaluate(watchTransactions);
  return async () => (await Promise.all(workers.map((worker) => worker.evaluate(seenIn)))).flat();
}

for (const durability of ['strict', 'relaxed'] as const) {
  test(`durability '${durability}': the write transactions of every tab (engine in a Worker or not) carry it, and the group commits`, async ({ tabs }) => {
    const key = uniqueName(`durability-${durability}`);
    const pages = [
      await tabs.open({ key, durability }, 'worker-a'),
      await tabs.open({ key, durability }, 'worker-b'),
      await tabs.open({ key, durability, worker: 'false' }, 'in-page'),
    ];
    await waitForGroup(pages, 3);
    const seen = await Promise.all(pages.map((page, i) => watch(page, i < 2)));
    let index = 0;
    for (const [i, page] of pages.entries()) index = await setValue(page, `k${i}`, durability);
    await waitForSameState(pages, index);
    for (const read of seen) {
      const hints = await read();
      // Every tab appended the three writes (and stored commit indexes) since the watch began.
      expect(hints.length).toBeGreaterThan(0);
      expect(new Set(hints)).toEqual(new Set([durability]));
    }
  });
}

test("a departed tab's slot, handed over on the page to the next tab that opens, is written with the hint too", async ({ tabs }) => {
  const key = uniqueName('durability-handover');
  // Every page of the profile watches its own thread's write transactions from its first script on.
  await tabs.context.addInitScript(watchTransactions);
  const first = await tabs.open({ key, durability: 'strict' }, 'first');
  await waitForGroup([first], 1);
  await setValue(first, 'k', 'kept');
  await first.close(); // departs: its slot waits for the next tab
  const next = await tabs.open({ key, durability: 'strict' }, 'next');
  await waitForGroup([next], 1);
  const s = await stats(next);
  expect(s.slotChoice).toBe('succeed');
  // The engine runs in the Worker: what the page itself wrote is the claim's hand-over of the slot.
  const onPage = await next.evaluate(seenIn);
  expect(onPage.length).toBeGreaterThan(0);
  expect(new Set(onPage)).toEqual(new Set(['strict']));
  expect((await getValue(next, 'k', 'strong')).result).toBe('kept');
});
