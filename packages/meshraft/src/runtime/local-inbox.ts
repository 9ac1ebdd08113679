// The receiving end of the same-browser channel (local-channel.ts), in the engine's thread: for the
// engine's current identity, one channel per peer it holds an authenticated link to (opened when the
// mesh reports the link up, closed when it goes down). A message on P's channel counts as P's only
// while that link is up; the engine then admits and decodes it (FrameRelay.inboundLocal).
import type { PeerId } from '@meshraft/core';
import { localChannelNames, type BroadcastChannelLike, type OpenBroadcastChannel } from './local-channel';

export interface LocalInboxOptions {
  /** The group's secret channel name (deriveLocalChannelName). */
  secret: string;
  open: OpenBroadcastChannel;
  /** A message arrived on a channel; `linked(id)`: whether it may count as `id`'s. */
  receive(data: unknown, linked: (id: PeerId) => boolean): void;
}

export class LocalInbox {
  private readonly names: ReturnType<typeof localChannelNames>;
  /** Peers the mesh reports an authenticated link to. */
  private readonly links = new Set<PeerId>();
  private readonly channels = new Map<PeerId, BroadcastChannelLike>();
  private self: PeerId | null = null;

  constructor(private readonly options: LocalInboxOptions) {
    this.names = localChannelNames(options.secret);
  }

  /** Listen as `self` from now on (after a start or a reset); null: not at all (departed, closing). */
  listenAs(self: PeerId | null): void {
    for (const channel of this.channels.values()) channel.close();
    this.channels.clear();
    this.self = self;
    for (const id of this.links) this.open(id);
  }

  peerUp(id: PeerId): void {
    this.links.add(id);
    this.open(id);
  }

  peerDown(id: PeerId): void {
    this.links.delete(id);
    this.channels.get(id)?.close();
    this.channels.delete(id);
  }

  /** Peers whose channel is open (tests, stats). */
  listening(): PeerId[] {
    return [...this.channels.keys()].sort();
  }

  private open(id: PeerId): void {
    if (this.self === null || this.channels.has(id)) return;
    const channel = this.options.open(this.names.link(id, this.self));
    const linked = (from: PeerId) => from === id && this.links.has(id);
    channel.onmessage = (event) => this.options.receive(event.data, linked);
    // A message that cannot be deserialized here is a malformed frame like any other.
    channel.onmessageerror = () => this.options.receive(undefined, linked);
    this.channels.set(id, channel);
  }
}
