// Rough wire size of fetched data, for progress and benchmarks (not exact CBOR sizes: cheap to
// compute per entry, close enough for "bytes fetched" in a status signal).
import type { LogEntry } from '../types';

/** Index, term, kind tag and framing of one entry in a CBOR array. */
export const ENTRY_OVERHEAD_BYTES = 16;
/** A peer id inside a membership, roughly. */
const MEMBER_BYTES = 24;

export function estimateEntryBytes(entry: LogEntry): number {
  switch (entry.kind) {
    case 'command':
      return ENTRY_OVERHEAD_BYTES + entry.data.length + (entry.client ? entry.client.clientId.length + 8 : 0);
    case 'config':
      return ENTRY_OVERHEAD_BYTES + MEMBER_BYTES * (entry.membership.voters.length + entry.membership.learners.length);
    default:
      return ENTRY_OVERHEAD_BYTES;
  }
}

export function estimateEntriesBytes(entries: readonly LogEntry[]): number {
  let total = 0;
  for (const entry of entries) total += estimateEntryBytes(entry);
  return total;
}
