// close({ leave: true }) on the host (thesis §4.2.2): a leaving peer asks to be removed
// through the log (the engine hands leadership over first when it leads) and waits until a status
// reports it removed, or gives up after leaveTimeoutMs. Meanwhile the engine keeps running (it must,
// to commit its own removal) but the host ignores client input.
import type { RaftConfig } from '../config';
import type { RaftEngine } from '../engine/api';
import type { PeerId, RaftStatus } from '../types';
import type { Clock } from './clock';
import type { EngineHostStats } from './engine-host-api';

export interface LeaveSequenceOptions {
  id: PeerId;
  config: RaftConfig;
  clock: Clock;
  /** Default 2 x (electionTimeoutMs + electionJitterMs). */
  leaveTimeoutMs?: number;
  stats: Pick<EngineHostStats, 'leaves' | 'leaveTimeouts'>;
  isStopped(): boolean;
  /** Whether the last status said this peer was removed. */
  isRemoved(): boolean;
  /** Run the Ready loop, so the leave request goes out. */
  kick(): void;
}

export class LeaveSequence {
  /** Waiting to be removed. */
  active = false;
  private onRemoved: (() => void) | null = null;

  constructor(private readonly options: LeaveSequenceOptions) {}

  /**
   * Leave and wait. Skipped when there is nobody to hand over to: this peer is the only voter, not a
   * member, or already removed.
   */
  async run(engine: RaftEngine | null): Promise<void> {
    const { id, clock, config, stats } = this.options;
    if (!engine?.leave || this.options.isStopped()) return;
    const { voters, learners } = engine.status().members;
    const member = voters.includes(id) || learners.includes(id);
    if (this.options.isRemoved() || !member || !voters.some((v) => v !== id)) return;
    this.active = true;
    const limit = this.options.leaveTimeoutMs ?? 2 * (config.electionTimeoutMs + config.electionJitterMs);
    await new Promise<void>((resolve) => {
      const timer = clock.setTimeout(() => {
        stats.leaveTimeouts++;
        this.onRemoved = null;
        resolve();
      }, limit);
      this.onRemoved = () => {
        clock.clearTimeout(timer);
        stats.leaves++;
        resolve();
      };
      engine.leave?.(clock.now());
      this.options.kick();
    });
    this.active = false;
  }

  /** Every published status: a removal ends the wait. */
  onStatus(status: RaftStatus): void {
    if (status.removed && this.onRemoved) {
      const done = this.onRemoved;
      this.onRemoved = null;
      done();
    }
  }

  /** The host crashed: end the wait now so close() does not hang until the timeout. */
  release(): void {
    this.onRemoved?.();
    this.onRemoved = null;
  }
}
