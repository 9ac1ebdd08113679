// The host's side of transferLeadership: only a leader can hand over; a transfer to itself succeeds
// at once and one to a peer that cannot lead (not a voter of the configuration, or no other voter at
// all) fails at once; otherwise the request succeeds once a status names another leader and fails if
// leadership has not moved within two election timeouts (the engine abandons a transfer after an
// election timeout, thesis §3.10).
import type { RaftConfig } from '../config';
import type { RaftEngine } from '../engine/api';
import type { PeerId, RaftStatus } from '../types';
import type { Clock } from './clock';
import type { HostToClient } from './protocol';

export interface HostTransfersOptions {
  id: PeerId;
  config: RaftConfig;
  clock: Clock;
  post(message: HostToClient): void;
  /** The host crashed or stopped: a late timeout is not reported. */
  isStopped(): boolean;
}

export class HostTransfers {
  /** Request id -> its timeout handle. */
  private readonly pending = new Map<number, unknown>();

  constructor(private readonly options: HostTransfersOptions) {}

  start(engine: RaftEngine, requestId: number, to: PeerId | undefined, now: number): void {
    const status = engine.status();
    if (status.role !== 'leader') {
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'not-leader' });
      return;
    }
    if (to === this.options.id) {
      // Already where the caller wants it.
      this.options.post({ type: 'transfer-result', requestId, ok: true, leader: this.options.id });
      return;
    }
    const problem = targetProblem(status, this.options.id, to);
    if (problem !== null) {
      // The engine would refuse it (leader.ts startTransfer): waiting for the timeout would read as "try again".
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'invalid-target', message: problem });
      return;
    }
    engine.transferLeadership(to, now);
    const { config, clock } = this.options;
    const limit = 2 * (config.electionTimeoutMs + config.electionJitterMs);
    const handle = clock.setTimeout(() => {
      if (!this.pending.delete(requestId) || this.options.isStopped()) return;
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'timeout' });
    }, limit);
    this.pending.set(requestId, handle);
  }

  /** A status arrived: any leader other than this peer completes every pending transfer. */
  settle(leader: PeerId | null): void {
    if (this.pending.size === 0 || leader === null || leader === this.options.id) return;
    for (const [requestId, handle] of this.pending) {
      this.options.clock.clearTimeout(handle);
      this.options.post({ type: 'transfer-result', requestId, ok: true, leader });
    }
    this.pending.clear();
  }

  /** The host stops: every pending transfer fails with 'shutting-down'. */
  abortAll(): void {
    for (const handle of this.pending.values()) this.options.clock.clearTimeout(handle);
    for (const requestId of this.pending.keys()) {
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'shutting-down' });
    }
    this.pending.clear();
  }
}

/**
 * Why the leader cannot hand over to `to` (or, without `to`, to any peer), by the engine's rules
 * (leader.ts startTransfer / handoffTarget): only a voter of the configuration can take over, and
 * the automatic choice skips voters that departed. Null when it can.
 */
function targetProblem(status: RaftStatus, self: PeerId, to: PeerId | undefined): string | null {
  const { voters, learners } = status.members;
  if (to === undefined) {
    const departed = new Set(status.departed ?? []);
    const others = voters.filter((voter) => voter !== self && !departed.has(voter));
    return others.length > 0 ? null : 'transferLeadership: there is no other voter to hand leadership to';
  }
  if (voters.includes(to)) return null;
  if (learners.includes(to)) return `transferLeadership: ${to} is a learner; only a voter can take over leadership`;
  return `transferLeadership: ${to} is not a member of the group`;
}
