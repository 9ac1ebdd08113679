// The exactly-once table: which (clientId, seq) commands were already applied. It is replicated state
// (every peer applies the same log through the same deterministic rules), so it must be bounded by
// rules that depend only on the log, never on time or on the local peer:
//  - per client, at most `maxSeqsPerClient` seqs are remembered; when more are applied the oldest is
//    forgotten and every seq at or below it counts as applied from then on (the "floor");
//  - at most `maxClients` clients are remembered; the one whose last command is oldest is evicted.
// A retry of a command is only ever sent within one caller timeout, long before either limit matters.
import type { ClientTag } from '../types';
import { AscendingSeqs } from './ascending-seqs';

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
  /** The same seqs in ascending order, so the smallest (the one to forget) is found at once. */
  order: AscendingSeqs;
}

export class ExactlyOnceTable {
  /** Map order = least recently applied first (re-inserted on every apply). */
  private clients = new Map<string, ClientRecord>();
  /** The last key of `clients` (the most recently applied client), which needs no re-insertion. */
  private newest: string | undefined;

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
    if (!record || tag.clientId !== this.newest) {
      // Move the client to the end of the map (least recently applied first).
      if (record) this.clients.delete(tag.clientId);
      else record = { floor: -Infinity, seqs: new Set(), order: new AscendingSeqs() };
      this.clients.set(tag.clientId, record);
      this.newest = tag.clientId;
    }
    record.seqs.add(tag.seq);
    record.order.add(tag.seq);
    if (record.seqs.size > this.limits.maxSeqsPerClient) {
      const oldest = record.order.takeSmallest();
      record.seqs.delete(oldest);
      record.floor = oldest;
    }
    if (this.clients.size > this.limits.maxClients) {
      const lru = this.clients.keys().next().value;
      if (lru !== undefined) this.clients.delete(lru);
      if (lru === this.newest) this.newest = undefined;
    }
    return true;
  }

  get size(): number {
    return this.clients.size;
  }

  serialize(): ExactlyOnceData {
    const clients: ExactlyOnceData['clients'] = [];
    for (const [clientId, record] of this.clients) {
      clients.push({ clientId, floor: Number.isFinite(record.floor) ? record.floor : -1, seqs: record.order.values() });
    }
    return { clients };
  }

  static restore(data: ExactlyOnceData, limits: ExactlyOnceLimits = defaultExactlyOnceLimits): ExactlyOnceTable {
    const table = new ExactlyOnceTable(limits);
    for (const c of data.clients) {
      const order = new AscendingSeqs();
      for (const seq of c.seqs) order.add(seq);
      table.clients.set(c.clientId, { floor: c.floor < 0 ? -Infinity : c.floor, seqs: new Set(c.seqs), order });
    }
    return table;
  }
}
