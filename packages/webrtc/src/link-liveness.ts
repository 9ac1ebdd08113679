// Liveness of one authenticated link, judged over the link itself (never by the signaling server).
//
// Every heartbeatMs the link sends a HEARTBEAT frame; any frame received counts as a sign of life.
// Silence for longer than timeoutMs means the link is dead. probe() asks the remote for an
// immediate reply and declares the link dead if nothing at all arrives within probeTimeoutMs: used
// when the signaling server hints that the remote may have lost its end (it says "dial me" while our
// link looks up), so a stale link is found quickly but a live one is never closed on hearsay.
// A stall of our own event loop (a throttled background tab, a suspended laptop, a busy process)
// is not blamed on the link: a tick that comes much later than planned restarts the silence clock,
// because frames that arrived meanwhile may still be waiting to be handled.

export interface LivenessOptions {
  heartbeatMs: number;
  timeoutMs: number;
  probeTimeoutMs: number;
}

export class LinkLiveness {
  private lastHeardAt: number;
  private lastTickAt: number;
  /** Frames heard so far: a probe is answered when this moves. */
  private heardCount = 0;
  private interval: ReturnType<typeof setInterval> | null = null;
  private probeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly options: LivenessOptions,
    private readonly sendHeartbeat: (replyRequested: boolean) => void,
    private readonly onSilent: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.lastHeardAt = now();
    this.lastTickAt = this.lastHeardAt;
  }

  start(): void {
    if (this.interval !== null) return;
    this.lastHeardAt = this.now();
    this.lastTickAt = this.lastHeardAt;
    this.interval = setInterval(() => this.tick(), this.options.heartbeatMs);
  }

  heard(): void {
    this.heardCount += 1;
    this.lastHeardAt = this.now();
  }

  probe(): void {
    if (this.interval === null || this.probeTimer !== null) return;
    const sentAt = this.now();
    const heardBefore = this.heardCount;
    this.sendHeartbeat(true);
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      if (this.heardCount !== heardBefore) return;
      // Our own stall, not the link's: ask again rather than judge.
      if (this.now() - sentAt > 2 * this.options.probeTimeoutMs) this.probe();
      else this.fail();
    }, this.options.probeTimeoutMs);
  }

  stop(): void {
    if (this.interval !== null) clearInterval(this.interval);
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.interval = null;
    this.probeTimer = null;
  }

  private tick(): void {
    const now = this.now();
    const stalled = now - this.lastTickAt > 2 * this.options.heartbeatMs;
    this.lastTickAt = now;
    if (stalled) this.lastHeardAt = now;
    else if (now - this.lastHeardAt > this.options.timeoutMs) {
      this.fail();
      return;
    }
    this.sendHeartbeat(false);
  }

  private fail(): void {
    this.stop();
    this.onSilent();
  }
}
