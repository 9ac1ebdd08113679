// Leader side of exactly-once forwarding: which log indexes hold a client's tagged commands, so a
// retried forward (same clientId and seq, a new request id) is answered with the range already in
// the log instead of being appended twice. Only an optimisation over the state machine layer's
// (clientId, seq) table, which applies a command once however often it is in the log: an index
// that has forgotten a tag costs a duplicate entry, never a duplicate application.
//
// Commands arrive in runs: one proposal is `count` commands tagged seq, seq+1, ... at consecutive
// indexes, and a client's next proposal often continues the previous run. So the index keeps runs,
// not one key per command, and only the most recent MAX_TAG_RUNS of them (retries come within a
// forward's timeout, long before that many proposals): it used to keep a string key per command
// for the whole leadership, growing without bound (a JavaScript Map stops at 2^24 keys).
import type { ClientTag, LogEntry } from '../types';

/** Runs kept before the oldest is forgotten (a few MB at most). */
export const MAX_TAG_RUNS = 65_536;

interface TagRun {
  clientId: string;
  /** Tag of the run's first command. */
  seq: number;
  /** Log index of the run's first command. */
  index: number;
  count: number;
}

/** A client's runs, oldest first; those before `head` are forgotten. */
interface ClientRuns {
  runs: TagRun[];
  head: number;
  /** One past the highest seq ever noted: a new proposal (the common case) starts there or later. */
  seqEnd: number;
}

export class ClientTagIndex {
  private byClient = new Map<string, ClientRuns>();
  /** Every run, oldest first, for forgetting the oldest; `head` is the first still kept. */
  private order: TagRun[] = [];
  private head = 0;

  constructor(private readonly maxRuns = MAX_TAG_RUNS) {}

  clear(): void {
    this.byClient.clear();
    this.order = [];
    this.head = 0;
  }

  rebuild(entries: readonly LogEntry[]): void {
    this.clear();
    this.add(entries);
  }

  /** Runs currently kept (for tests and stats). */
  size(): number {
    return this.order.length - this.head;
  }

  add(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.kind === 'command' && entry.client) this.note(entry.client.clientId, entry.client.seq, entry.index);
    }
  }

  /**
   * The range already holding commands tagged client.seq .. client.seq + count - 1, when all of them
   * are in the log as one contiguous run; null otherwise (then the proposal is appended and the
   * state machine layer's (clientId, seq) table drops any overlap at apply time).
   */
  lookup(client: ClientTag, count: number): { start: number; end: number } | null {
    const kept = this.byClient.get(client.clientId);
    if (!kept || client.seq >= kept.seqEnd) return null;
    // Newest first: a tag appended twice (its first copy forgotten, or overwritten) answers with its latest index.
    for (let i = kept.runs.length - 1; i >= kept.head; i--) {
      const run = kept.runs[i];
      const offset = client.seq - run.seq;
      if (offset < 0 || offset >= run.count) continue;
      if (offset + count > run.count) return null;
      const start = run.index + offset;
      return { start, end: start + count - 1 };
    }
    return null;
  }

  private note(clientId: string, seq: number, index: number): void {
    let kept = this.byClient.get(clientId);
    if (kept) kept.seqEnd = Math.max(kept.seqEnd, seq + 1);
    const last = kept?.runs[kept.runs.length - 1];
    if (last && last.seq + last.count === seq && last.index + last.count === index) {
      last.count++;
      return;
    }
    const run: TagRun = { clientId, seq, index, count: 1 };
    if (!kept) this.byClient.set(clientId, (kept = { runs: [], head: 0, seqEnd: seq + 1 }));
    kept.runs.push(run);
    this.order.push(run);
    if (this.size() > this.maxRuns) this.forgetOldest();
  }

  private forgetOldest(): void {
    const run = this.order[this.head++];
    // A client's runs are added in the same order as `order`'s: the oldest of all is its client's oldest.
    const kept = this.byClient.get(run.clientId)!;
    kept.head++;
    if (kept.head === kept.runs.length) this.byClient.delete(run.clientId);
    else if (kept.head >= 1024 && kept.head * 2 >= kept.runs.length) {
      kept.runs = kept.runs.slice(kept.head);
      kept.head = 0;
    }
    // Drop the forgotten prefix now and then, so `order` stays about maxRuns long.
    if (this.head >= this.maxRuns) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }
}
