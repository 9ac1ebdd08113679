// The sending end of the same-browser channel (local-channel.ts), on the thread that holds the
// mesh: one per peer identity, next to its MeshSession. It learns which peers' engines listen on
// the channel (their announcements) and says when this identity's engine does.
//
// A frame goes to peer P over the channel only while P announced itself AND the mesh holds an
// authenticated link to P. Announcements alone give nothing: anyone who can post on the channel holds
// the group key already, and the link is what the handshake proved. So losing the link to P (or a
// test cutting it) stops the channel to P at once, and partitions, link loss, a wrong key and a
// signaling restart behave as they did with the data channel alone. While both hold, every frame to P
// takes the channel (no needless reordering between the two paths).
//
// Frames are still sent from this thread, after the engine's Worker handed them over: a closing page
// cuts its frames and sends its departure plan in one synchronous `pagehide` task (launch.ts), and
// the plan it holds must cover every acknowledgement that ever left. The Worker cannot be stopped
// synchronously, so a frame it posted to the channel itself could leave after the plan was sent.
import type { PeerId } from '@meshraft/core';
import { localChannelNames, parseAnnouncement, type Announcement, type BroadcastChannelLike, type OpenBroadcastChannel } from './local-channel';
import type { LockManagerLike } from '../identity';
import { PeerLiveness } from './peer-liveness';
import { transferableBuffer } from './transfer';

export interface LocalRouteOptions {
  self: PeerId;
  /** The group's secret channel name (deriveLocalChannelName). */
  secret: string;
  open: OpenBroadcastChannel;
  /** Whether the mesh holds an authenticated link to `id` now. */
  linked(id: PeerId): boolean;
  /** Web Locks, to learn when an announced peer's tab stopped (peer-liveness.ts); absent: never told. */
  locks?: LockManagerLike;
  /** An announced peer's tab stopped (closed, crashed, or it gave up that identity). */
  gone?(id: PeerId): void;
}

export class LocalRoute {
  private readonly names: ReturnType<typeof localChannelNames>;
  private readonly announceChannel: BroadcastChannelLike;
  /** The channel to each peer sent to so far (names.link(self, peer)). */
  private readonly links = new Map<PeerId, BroadcastChannelLike>();
  /** Peers whose engine said it listens on the channel. */
  private readonly announced = new Set<PeerId>();
  /** This identity's engine listens on the channel (announced). */
  private live = false;
  private starting = false;
  private closed = false;
  private readonly liveness: PeerLiveness | null;

  constructor(private readonly options: LocalRouteOptions) {
    this.names = localChannelNames(options.secret);
    this.announceChannel = options.open(this.names.announce);
    this.announceChannel.onmessage = (event) => this.onAnnouncement(parseAnnouncement(event.data));
    const { locks, gone } = options;
    this.liveness = locks && gone ? new PeerLiveness({ locks, prefix: options.secret, self: options.self, gone: (id) => this.onGone(id) }) : null;
  }

  /**
   * This identity's engine listens on the channel now: say so, and ask the tabs already there to
   * answer. With Web Locks, only once this identity holds its liveness lock, so a peer that watches
   * it from the announcement on is told when this tab stops (if the lock manager refuses the lock,
   * it announces without one: the channel still works, and nobody is told when it stops).
   */
  start(): void {
    if (this.live || this.starting || this.closed) return;
    this.starting = true;
    const announce = () => {
      if (this.closed) return;
      this.live = true;
      this.post({ kind: 'hello', id: this.options.self, reply: true });
    };
    if (this.liveness) void this.liveness.hold().then((outcome) => outcome !== 'closed' && announce());
    else announce();
  }

  /** Peers whose liveness lock this route waits for (peer-liveness.ts). */
  watched(): PeerId[] {
    return this.liveness?.watched() ?? [];
  }

  /** Peers a frame would go to over the channel now. */
  reachable(): PeerId[] {
    return [...this.announced].filter((id) => this.options.linked(id)).sort();
  }

  /** Sends `bytes` to `to` over the channel if it is reachable there; false: use the data channel. */
  send(to: PeerId, bytes: Uint8Array): boolean {
    if (this.closed || !this.announced.has(to) || !this.options.linked(to)) return false;
    let link = this.links.get(to);
    if (!link) {
      link = this.options.open(this.names.link(this.options.self, to));
      this.links.set(to, link);
    }
    // Cloned by the channel, never transferred: the buffer may stay shared.
    link.postMessage({ kind: 'frame', from: this.options.self, to, bytes: transferableBuffer(bytes, true) });
    return true;
  }

  /** The identity is done (closed, or replaced by a new one): it listens no more, for good. */
  close(): void {
    if (this.closed) return;
    if (this.live) this.post({ kind: 'bye', id: this.options.self });
    this.closed = true;
    this.liveness?.close();
    this.announceChannel.onmessage = null;
    this.announceChannel.close();
    for (const link of this.links.values()) link.close();
    this.links.clear();
    this.announced.clear();
  }

  private onAnnouncement(announcement: Announcement | null): void {
    if (this.closed || announcement === null || announcement.id === this.options.self) return;
    const { id } = announcement;
    if (announcement.kind === 'bye') {
      this.forget(id);
      return;
    }
    this.announced.add(id);
    this.liveness?.watch(id);
    if (announcement.reply && this.live) this.post({ kind: 'hello', id: this.options.self, reply: false });
  }

  /** `id`'s tab stopped: no more frames to it here (a reload under the same id announces itself again). */
  private onGone(id: PeerId): void {
    this.forget(id);
    this.options.gone?.(id);
  }

  /** `id` listens no more: nothing goes to it over the channel until it announces itself again. */
  private forget(id: PeerId): void {
    this.announced.delete(id);
    this.links.get(id)?.close();
    this.links.delete(id);
  }

  private post(announcement: Announcement): void {
    this.announceChannel.postMessage(announcement);
  }
}
