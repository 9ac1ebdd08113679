// Per-socket inbound rate control.
// - A token bucket (capacity = burst, refill = rate/s) decides whether one event is accepted.
// - A sliding-window counter of *all* inbound events (accepted or not) detects sustained abuse:
//   above abuseFactor × rate over the window, the caller disconnects the socket, so a flooder
//   cannot keep the server busy parsing and dropping its traffic forever.

export interface RateLimiterConfig {
  ratePerSecond: number;
  burst: number;
  abuseFactor: number;
  abuseWindowMs: number;
}

export type RateVerdict = 'accept' | 'drop' | 'abuse';

export class SocketRateLimiter {
  private tokens: number;
  private lastRefillMs: number;
  private windowStartMs: number;
  private currentWindowCount = 0;
  private previousWindowCount = 0;

  constructor(
    private readonly config: RateLimiterConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    const start = now();
    this.tokens = config.burst;
    this.lastRefillMs = start;
    this.windowStartMs = start;
  }

  /** Records one inbound event and says what to do with it. */
  take(): RateVerdict {
    const now = this.now();
    if (this.countAndEstimate(now) > this.abuseThreshold()) return 'abuse';
    this.refill(now);
    if (this.tokens < 1) return 'drop';
    this.tokens -= 1;
    return 'accept';
  }

  /**
   * Records one inbound packet that is no event (an acknowledgement, a heartbeat, a namespace
   * request): it takes no token, but counts toward the abuse window like any other.
   */
  record(): 'ok' | 'abuse' {
    return this.countAndEstimate(this.now()) > this.abuseThreshold() ? 'abuse' : 'ok';
  }

  private abuseThreshold(): number {
    const { ratePerSecond, abuseFactor, abuseWindowMs } = this.config;
    return (ratePerSecond * abuseFactor * abuseWindowMs) / 1000;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.lastRefillMs);
    this.lastRefillMs = now;
    this.tokens = Math.min(this.config.burst, this.tokens + (elapsed * this.config.ratePerSecond) / 1000);
  }

  /**
   * Sliding-window estimate: the previous fixed window weighted by how much of it still overlaps
   * the sliding window, plus the current window. O(1) memory per socket.
   */
  private countAndEstimate(now: number): number {
    const windowMs = this.config.abuseWindowMs;
    const elapsedWindows = Math.floor((now - this.windowStartMs) / windowMs);
    if (elapsedWindows >= 1) {
      this.previousWindowCount = elapsedWindows === 1 ? this.currentWindowCount : 0;
      this.currentWindowCount = 0;
      this.windowStartMs += elapsedWindows * windowMs;
    }
    this.currentWindowCount += 1;
    const overlap = 1 - (now - this.windowStartMs) / windowMs;
    return this.previousWindowCount * overlap + this.currentWindowCount;
  }
}
