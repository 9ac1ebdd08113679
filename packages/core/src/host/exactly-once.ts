// The exactly-once table: which (clientId, seq) commands were already applied. It is replicated state
// (every peer applies the same log through the same deterministic rules), so it must be bounded by
// rules that depend only on the log, never on time or on the local peer:
//  - per client, the applied seqs are remembered as runs of consecutive seqs (seq-runs.ts), at most
//    `maxRunsPerClient` of them; beyond that the oldest run is forgotten and every seq at or below
//    its end counts as applied from then on (the "floor");
//  - at most `maxClients` clients are remembered; the one whose last command is oldest is evicted.
// A seq not applied yet (an attempt lost to a leader change, its retry to come) is a gap between
// runs, however many later commands of the client apply meanwhile: a big executeMany applied first
// must not make its retry count as a duplicate (and a peer restoring a snapshot take it for done).
// Only a client with more than `maxRunsPerClient` such gaps at once could see that.
import type { ClientTag } from '../types';
import { SeqRuns } from './seq-runs';

export interface ExactlyOnceLimits {
  maxRunsPerClient: number;
  maxClients: number;
}

export const defaultExactlyOnceLimits: ExactlyOnceLimits = { maxRunsPerClient: 1024, maxClients: 10_000 };

/**
 * Plain data form of the table, for snapshots. Clients in least-recently-applied order. `runs`:
 * the applied seqs above `floor` as flat [first, last, ...] pairs; `seqs`: applied seqs one by one
 * (what snapshots written before runs hold; new ones write it empty).
 */
export interface ExactlyOnceData {
  clients: Array<{ clientId: string; floor: number; seqs: number[]; runs?: number[] }>;
}

interface ClientRecord {
  /** Every seq <= floor counts as applied. */
  floor: number;
  runs: SeqRuns;
}

export class ExactlyOnceTable {
  /** Map order = least recently applied first (re-inserted on every apply). */
  private clients = new Map<string, ClientRecord>();
  /** The last key of `clients` (the most recently applied client), which needs no re-insertion. */
  private newest: string | undefined;

  constructor(private readonly limits: ExactlyOnceLimits = defaultExactlyOnceLimits) {}

  has(tag: ClientTag): boolean {
    const record = this.clients.get(tag.clientId);
    return record !== undefined && (tag.seq <= record.floor || record.runs.has(tag.seq));
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
      else record = { floor: -Infinity, runs: new SeqRuns() };
      this.clients.set(tag.clientId, record);
      this.newest = tag.clientId;
    }
    record.runs.add(tag.seq);
    if (record.runs.count > this.limits.maxRunsPerClient) record.floor = record.runs.takeFirst();
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
      clients.push({ clientId, floor: Number.isFinite(record.floor) ? record.floor : -1, seqs: [], runs: record.runs.pairs() });
    }
    return { clients };
  }

  static restore(data: ExactlyOnceData, limits: ExactlyOnceLimits = defaultExactlyOnceLimits): ExactlyOnceTable {
    const table = new ExactlyOnceTable(limits);
    for (const c of data.clients) {
      const floor = c.floor < 0 ? -Infinity : c.floor;
      const pairs: Array<[number, number]> = c.seqs.map((seq) => [seq, seq]);
      const bounds = c.runs ?? [];
      for (let i = 0; i + 1 < bounds.length; i += 2) pairs.push([bounds[i], bounds[i + 1]]);
      table.clients.set(c.clientId, { floor, runs: SeqRuns.fromPairs(pairs, floor) });
    }
    return table;
  }
}
