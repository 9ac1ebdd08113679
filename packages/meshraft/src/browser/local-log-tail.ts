// Reads the log tail a starting tab hands its engine (RaftNodeOptions.logTail) from another slot of
// the profile that no tab runs: which slots and which entries is @meshraft/core's
// localLogTailSources (why: a crashed voter adopted after its leader departed, see there). The
// entries count only when they continue the chosen log exactly: the source has its last entry,
// same index and term (§5.3: the same log up to there).
import { localLogTailSources, type Departure, type LogTail, type PeerId } from '@meshraft/core';
import type { SlotEnvironment, SlotView } from './local-slots';

export async function localLogTail(
  env: Pick<SlotEnvironment, 'openExistingSlot'>,
  chosen: SlotView | undefined,
  views: readonly SlotView[],
  tombstones: ReadonlyMap<PeerId, Departure>,
): Promise<LogTail | undefined> {
  const plan = localLogTailSources(chosen, views, tombstones);
  if (!plan || !chosen) return undefined;
  const anchor = { prevLogIndex: chosen.lastIndex, prevLogTerm: chosen.lastTerm };
  for (const slot of plan.sources) {
    const view = views.find((v) => v.slot === slot)!;
    const storage = await env.openExistingSlot(view.dbName).catch(() => null);
    if (!storage) continue;
    try {
      if ((await storage.termAt(anchor.prevLogIndex)) !== anchor.prevLogTerm) continue; // another history from some point on
      const read = await storage.entries(plan.from, Math.min(plan.to, view.lastIndex));
      const gap = read.findIndex((e, i) => e.index !== plan.from + i);
      const entries = gap < 0 ? read : read.slice(0, gap);
      if (entries.length > 0) return { ...anchor, entries };
    } catch {
      // Unreadable (deleted meanwhile, say): try the next one.
    } finally {
      await storage.close().catch(() => {});
    }
  }
  return undefined;
}
