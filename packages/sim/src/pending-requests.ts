// A peer's outstanding client requests: proposals and reads waiting for the engine's answer, and
// clients waiting until the state machine applied some index. A crash fails all of them.
import type { Ready } from '@meshraft/core';

export type RequestOutcome = { ok: true; start: number; end: number } | { ok: true; index: number } | { ok: false; error: string };
export type RequestCallback = (outcome: RequestOutcome) => void;

export class PendingRequests {
  private readonly proposals = new Map<number, RequestCallback>();
  private readonly reads = new Map<number, RequestCallback>();
  private applyWaiters: Array<{ index: number; done: (applied: boolean) => void }> = [];

  addProposal(requestId: number, done: RequestCallback): void {
    this.proposals.set(requestId, done);
  }

  addRead(requestId: number, done: RequestCallback): void {
    this.reads.set(requestId, done);
  }

  /** Hands the engine's proposal and read results to their callers. */
  resolve(ready: Ready): void {
    for (const p of ready.proposals) {
      const cb = this.proposals.get(p.requestId);
      this.proposals.delete(p.requestId);
      cb?.(p.ok ? { ok: true, start: p.start, end: p.end } : { ok: false, error: p.error });
    }
    for (const r of ready.reads) {
      const cb = this.reads.get(r.requestId);
      this.reads.delete(r.requestId);
      cb?.(r.ok ? { ok: true, index: r.index } : { ok: false, error: r.error });
    }
  }

  /** Calls `done(true)` once `applied` reaches `index` (see released()), `done(false)` on a crash. */
  whenApplied(applied: number, index: number, done: (applied: boolean) => void): void {
    if (applied >= index) done(true);
    else this.applyWaiters.push({ index, done });
  }

  /** The state machine applied up to `applied`: wake whoever waited for it. */
  released(applied: number): void {
    if (this.applyWaiters.length === 0) return;
    const ready = this.applyWaiters.filter((w) => w.index <= applied);
    if (ready.length === 0) return;
    this.applyWaiters = this.applyWaiters.filter((w) => w.index > applied);
    for (const w of ready) w.done(true);
  }

  /** A crash: every outstanding request fails (the client retries elsewhere). */
  failAll(): void {
    const failed: RequestOutcome = { ok: false, error: 'crashed' };
    const callbacks = [...this.proposals.values(), ...this.reads.values()];
    this.proposals.clear();
    this.reads.clear();
    const waiters = this.applyWaiters;
    this.applyWaiters = [];
    for (const cb of callbacks) cb(failed);
    for (const w of waiters) w.done(false);
  }
}
