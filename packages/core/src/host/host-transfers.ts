// The host's side of transferLeadership: only a leader can hand over; a transfer to itself succeeds
// at once and one to a peer that cannot lead (not a voter of the configuration, or no other voter at
// all) fails at once; otherwise the request succeeds once a status names another leader and fails if
// leadership has not moved within two election timeouts (the engine abandons a transfer after an
// election timeout, thesis §3.10).
import type { RaftConfig } from '../config';
import type { RaftEngine, TransferRefusal } from '../engine/api';
import type { PeerId } from '../types';
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
    if (engine.status().role !== 'leader') {
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'not-leader' });
      return;
    }
    // The engine says at once why it cannot start one: waiting for the timeout would read as "try again".
    const refusal = engine.transferLeadership(to, now);
    if (refusal === 'self') {
      // Already where the caller wants it.
      this.options.post({ type: 'transfer-result', requestId, ok: true, leader: this.options.id });
      return;
    }
    if (refusal === 'not-leader') {
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'not-leader' });
      return;
    }
    if (refusal !== null) {
      this.options.post({ type: 'transfer-result', requestId, ok: false, error: 'invalid-target', message: refusalMessage(refusal, to) });
      return;
    }
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

/** The caller's message for a transfer the engine refused (the target cannot take over). */
function refusalMessage(refusal: Exclude<TransferRefusal, 'self' | 'not-leader'>, to: PeerId | undefined): string {
  switch (refusal) {
    case 'no-other-voter':
      return 'transferLeadership: there is no other voter to hand leadership to';
    case 'learner':
      return `transferLeadership: ${to} is a learner; only a voter can take over leadership`;
    case 'not-a-member':
      return `transferLeadership: ${to} is not a member of the group`;
  }
}
