// The client's half of compaction: the host asks for a snapshot once the engine's log
// outgrew its threshold ('take-snapshot' with the index it must cover); the client answers with its
// state machine's snapshot() next to the exactly-once table, taken between apply slices, where the
// state machine is exactly at `applied`. A state machine without snapshot()/restore() declines
// once and is never asked again, so that group's log is never compacted.
import type { StateMachine } from '../types';
import type { ExactlyOnceData } from './exactly-once';
import { encodeGroupSnapshot } from './group-snapshot';
import type { ClientToHost } from './protocol';

export class SnapshotTaker {
  taken = 0;
  declined = 0;
  /** Highest index a pending request asked to be covered, or null. */
  private wanted: number | null = null;

  constructor(
    private readonly stateMachine: StateMachine<never, unknown, unknown, unknown>,
    private readonly post: (message: ClientToHost) => void,
  ) {}

  get supported(): boolean {
    return typeof this.stateMachine.snapshot === 'function' && typeof this.stateMachine.restore === 'function';
  }

  /** A 'take-snapshot' arrived; answered now or once `applied` reaches `upTo` (see maybeTake). */
  request(upTo: number, applied: number, table: () => ExactlyOnceData): void {
    if (!this.supported) {
      this.declined++;
      this.post({ type: 'snapshot-declined', reason: 'unsupported' });
      return;
    }
    this.wanted = Math.max(this.wanted ?? 0, upTo);
    this.maybeTake(applied, table);
  }

  /** Forget a pending request (the host that asked is gone). */
  reset(): void {
    this.wanted = null;
  }

  /** Call between apply slices: snapshots when a pending request is covered by `applied`. */
  maybeTake(applied: number, table: () => ExactlyOnceData): void {
    if (this.wanted === null || applied < this.wanted) return;
    this.wanted = null;
    let data: Uint8Array;
    try {
      const app = this.stateMachine.snapshot!();
      if (!(app instanceof Uint8Array)) throw new TypeError('snapshot() must return a Uint8Array');
      data = encodeGroupSnapshot({ app, table: table() });
    } catch {
      // The engine asks again after more entries (its own rate limit); nothing is lost meanwhile.
      this.declined++;
      this.post({ type: 'snapshot-declined', reason: 'failed' });
      return;
    }
    this.taken++;
    // The engine fills in term and membership for this index from its log.
    this.post({ type: 'snapshot', snapshot: { meta: { index: applied, term: 0, membership: { voters: [], learners: [] } }, data } });
  }
}
