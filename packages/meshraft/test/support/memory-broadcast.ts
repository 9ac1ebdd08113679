// An in-memory stand-in for BroadcastChannel (the same-browser channel's transport in tests).
import type { BroadcastChannelLike } from '../../src/runtime/local-channel';

/** An in-memory BroadcastChannel: a message reaches every other open channel of the same name, later. */
export class MemoryBroadcast {
  private readonly channels = new Set<{ name: string; channel: BroadcastChannelLike }>();
  private readonly queue: Array<() => void> = [];
  readonly posted: Array<{ name: string; message: unknown }> = [];

  open = (name: string): BroadcastChannelLike => {
    const entry = { name, channel: null as unknown as BroadcastChannelLike };
    const channel: BroadcastChannelLike = {
      onmessage: null,
      onmessageerror: null,
      postMessage: (message) => {
        this.posted.push({ name, message });
        for (const other of this.channels) {
          if (other.name === name && other !== entry) this.queue.push(() => other.channel.onmessage?.({ data: structuredClone(message) } as MessageEvent));
        }
      },
      close: () => void this.channels.delete(entry),
    };
    entry.channel = channel;
    this.channels.add(entry);
    return channel;
  };

  /** Delivers everything posted so far (and what that posts in turn). */
  flush(): void {
    while (this.queue.length > 0) this.queue.shift()!();
  }

  openNames(): string[] {
    return [...this.channels].map((c) => c.name).sort();
  }
}

