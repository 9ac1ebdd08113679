// Exponential backoff with jitter for reconnecting sockets and peer connections.
import type { BackoffOptions } from './types';

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    if (!(options.minMs > 0) || !(options.maxMs >= options.minMs)) {
      throw new RangeError('backoff needs 0 < minMs <= maxMs');
    }
  }

  /** Delay before the next attempt: min * 2^attempt capped at max, jittered to [50%, 100%]. */
  next(): number {
    const base = Math.min(this.options.maxMs, this.options.minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(base * (0.5 + 0.5 * this.random()));
  }

  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
