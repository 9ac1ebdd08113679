// The simulated network between peers: seeded delay, loss, duplication and reordering, plus
// directed link cuts for one-way and two-way partitions. A cut link also drops messages already
// in flight on it (checked again at delivery). Each delivery gets its own deep copy, as a real
// wire would, so peers can never share mutable objects.
import type { Message, PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { Dice } from './seeds';

export interface LinkQuality {
  minDelayMs: number;
  maxDelayMs: number;
  lossRate: number;
  duplicateRate: number;
  /** Probability that a message gets an extra delay spike, overtaking order (reordering). */
  reorderRate: number;
  reorderSpikeMs: number;
}

export const calmLinks: LinkQuality = { minDelayMs: 1, maxDelayMs: 8, lossRate: 0, duplicateRate: 0, reorderRate: 0, reorderSpikeMs: 0 };

export interface NetworkStats {
  sent: number;
  delivered: number;
  lost: number;
  cut: number;
  duplicated: number;
}

export type DeliverFn = (from: PeerId, to: PeerId, message: Message) => void;

export class SimNetwork {
  quality: LinkQuality;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, cut: 0, duplicated: 0 };
  /** Directed link cuts with a count, so overlapping faults undo only their own cut. */
  private readonly cuts = new Map<string, number>();
  /** Per directed link, when the last reliable message is delivered (they keep their order). */
  private readonly reliableTail = new Map<string, number>();

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly deliver: DeliverFn,
    readonly baseQuality: LinkQuality,
  ) {
    this.quality = baseQuality;
  }

  send(from: PeerId, to: PeerId, message: Message): void {
    this.stats.sent++;
    if (this.isCut(from, to)) {
      this.stats.cut++;
      return;
    }
    if (this.dice.chance(this.quality.lossRate)) {
      this.stats.lost++;
      return;
    }
    const copies = this.dice.chance(this.quality.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated++;
    for (let i = 0; i < copies; i++) {
      const copy = structuredClone(message);
      this.queue.after(this.delay(), () => {
        if (this.isCut(from, to)) {
          this.stats.cut++;
          return;
        }
        this.stats.delivered++;
        this.deliver(from, to, copy);
      });
    }
  }

  /**
   * A message on a reliable, ordered channel (what a closing tab's last frames ride on): never lost
   * or duplicated, only delayed, and never overtaking an earlier reliable message on the same link
   * (a data channel is ordered: a departing leader's TimeoutNow arrives before its notice); a cut
   * link (the connection is gone) still drops it.
   */
  sendReliable(from: PeerId, to: PeerId, message: Message): void {
    this.stats.sent++;
    const copy = structuredClone(message);
    const q = this.quality;
    const key = `${from}>${to}`;
    const at = Math.max(this.queue.now + q.minDelayMs + this.dice.random() * (q.maxDelayMs - q.minDelayMs), this.reliableTail.get(key) ?? 0);
    this.reliableTail.set(key, at);
    this.queue.at(at, () => {
      if (this.isCut(from, to)) {
        this.stats.cut++;
        return;
      }
      this.stats.delivered++;
      this.deliver(from, to, copy);
    });
  }

  cut(from: PeerId, to: PeerId): void {
    const key = `${from}>${to}`;
    this.cuts.set(key, (this.cuts.get(key) ?? 0) + 1);
  }

  restore(from: PeerId, to: PeerId): void {
    const key = `${from}>${to}`;
    const n = this.cuts.get(key) ?? 0;
    if (n <= 1) this.cuts.delete(key);
    else this.cuts.set(key, n - 1);
  }

  isCut(from: PeerId, to: PeerId): boolean {
    return this.cuts.size > 0 && this.cuts.has(`${from}>${to}`);
  }

  healAll(): void {
    this.cuts.clear();
    this.quality = this.baseQuality;
  }

  get cutCount(): number {
    return this.cuts.size;
  }

  private delay(): number {
    const q = this.quality;
    let d = q.minDelayMs + this.dice.random() * (q.maxDelayMs - q.minDelayMs);
    if (this.dice.chance(q.reorderRate)) d += this.dice.random() * q.reorderSpikeMs;
    return d;
  }
}
