// The exactly-once table: which (clientId, seq) commands were already applied. It is replicated state
// (every peer applies the same log through the same deterministic rules), so it must be bounded by
// rules that depend only on the log, never on time or on the local peer:
//  - per client, at most `maxSeqsPerClient` seqs are remembered; when more are applied the oldest is
//    forgotten and every seq at or below it counts as applied from then on (the "floor");
//  - at most `maxClients` clients are remembered; the one whose last command is oldest is evicted.
// A retry of a command is only ever sent within one caller timeout, long before either limit matters.
import type { ClientTag } from '../types';
import { heapPopMin, heapPush } from './binary-heap';

export interface ExactlyOnceLimits {
  maxSeqsPerClient: number;
  maxClients: number;
}

export const defaultExactlyOnceLimits: ExactlyOnceLimits = { maxSeqsPerClient: 1024, maxClients: 10_000 };

/** Plain data form of the table, for snapshots. Clients in least-recently-applied order. */
export interface ExactlyOnceData {
  clients: Array<{ clientId: string; floor: number; seqs: number[] }>;
}

interface ClientRecord {
  /** Every seq <= floor counts as applied. */
  floor: number;
  seqs: Set<number>;
  /** The same seqs as a binary min-heap: finding the oldest to forget costs O(log n), not a scan. */
  heap: number[];
}

/** Seqs are their own heap key. */
const seqKey = (seq: number) => seq;

function heapOf(seqs: Iterable<number>): number[] {
  const heap: number[] = [];
  for (const seq of seqs) heapPush(heap, seq, seqKey);
  return heap;
}

export class ExactlyOnceTable {
  /** Map order = least recently applied first (re-inserted on every apply). */
  private clients = new Map<string, ClientRecord>();

  constructor(private readonly limits: ExactlyOnceLimits = defaultExactlyOnceLimits) {}

  has(tag: ClientTag): boolean {
    const record = this.clients.get(tag.clientId);
    return record !== undefined && (tag.seq <= record.floor || record.seqs.has(tag.seq));
  }

  /**
   * Record `tag` as applied. Returns false (and changes nothing) when it already was: the caller
   * must then skip the command.
   */
  markApplied(tag: ClientTag): boolean {
    if (this.has(tag)) return false;
    let record = this.clients.get(tag.clientId);
    if (record) this.clients.delete(tag.clientId);
    else record = { floor: -Infinity, seqs: new Set(), heap: [] };
    this.clients.set(tag.clientId, record);
    record.seqs.add(tag.seq);
    heapPush(record.heap, tag.seq, seqKey);
    if (record.seqs.size > this.limits.maxSeqsPerClient) {
      const oldest = heapPopMin(record.heap, seqKey);
      record.seqs.delete(oldest);
      record.floor = oldest;
    }
    if (this.clients.size > this.limits.maxClients) {
      const lru = this.clients.keys().next().value;
      if (lru !== undefined) this.clients.delete(lru);
    }
    return true;
  }

  get size(): number {
    return this.clients.size;
  }

  serialize(): ExactlyOnceData {
    const clients: ExactlyOnceData['clients'] = [];
    for (const [clientId, record] of this.clients) {
      clients.push({ clientId, floor: Number.isFinite(record.floor) ? record.floor : -1, seqs: [...record.seqs].sort((a, b) => a - b) });
    }
    return { clients };
  }

  static restore(data: ExactlyOnceData, limits: ExactlyOnceLimits = defaultExactlyOnceLimits): ExactlyOnceTable {
    const table = new ExactlyOnceTable(limits);
    for (const c of data.clients) {
      table.clients.set(c.clientId, { floor: c.floor < 0 ? -Infinity : c.floor, seqs: new Set(c.seqs), heap: heapOf(c.seqs) });
    }
    return table;
  }
}
