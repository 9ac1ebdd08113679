// An in-memory network for in-process clusters: asynchronous FIFO delivery (one macrotask per flush),
// with the faults tests need: partitions, one-way blocks, dead peers and a per-message drop filter.
// By default every message crosses the real codec (encode at send, decode at delivery), so tests
// exercise the same bytes a WebRTC link would carry and no object is shared between peers.
import { decodeMessage, encodeMessage } from '../codec/index';
import type { Message } from '../messages';
import type { PeerId } from '../types';
import { realClock, type Clock } from './clock';
import type { PeerTransport } from './peer-transport';

/** What the network delivers to; EngineHost has exactly these methods. */
export interface NetworkEndpoint {
  receive(from: PeerId, message: Message): void;
  peerUp(id: PeerId): void;
  peerDown(id: PeerId): void;
}

/** Return false to drop the message (called at send time). */
export type MessageFilter = (from: PeerId, to: PeerId, message: Message) => boolean;

export interface InMemoryNetworkOptions {
  clock?: Clock;
  /** Pass messages through encodeMessage/decodeMessage (default true). */
  serialize?: boolean;
}

export interface InMemoryNetworkStats {
  sent: number;
  delivered: number;
  /** Dropped by a partition, a block, the filter, or a dead receiver. */
  dropped: number;
  decodeErrors: number;
}

interface InFlight {
  from: PeerId;
  to: PeerId;
  endpoint: NetworkEndpoint;
  message: Message | null;
  bytes: Uint8Array | null;
}

const linkKey = (from: PeerId, to: PeerId) => `${from}\u0000${to}`;

export class InMemoryNetwork {
  readonly stats: InMemoryNetworkStats = { sent: 0, delivered: 0, dropped: 0, decodeErrors: 0 };
  private readonly clock: Clock;
  private readonly serialize: boolean;
  private endpoints = new Map<PeerId, NetworkEndpoint>();
  /** Partition sides; null when the network is whole. */
  private sides: Map<PeerId, number> | null = null;
  private blocked = new Set<string>();
  private filter: MessageFilter | null = null;
  private queue: InFlight[] = [];
  private flushScheduled = false;

  constructor(options: InMemoryNetworkOptions = {}) {
    this.clock = options.clock ?? realClock;
    this.serialize = options.serialize ?? true;
  }

  /** A peer comes alive: it and the peers it can reach learn of each other (peerUp). */
  attach(id: PeerId, endpoint: NetworkEndpoint): PeerTransport {
    this.changeLinks(() => this.endpoints.set(id, endpoint));
    return { send: (to, message) => this.send(id, to, message) };
  }

  /** A peer dies: messages to it are dropped; the others see peerDown. */
  detach(id: PeerId): void {
    this.changeLinks(() => this.endpoints.delete(id));
  }

  /**
   * Split the network: peers talk only within their group. A peer in no group is cut from everyone.
   * Replaces any earlier partition.
   */
  partition(...groups: PeerId[][]): void {
    this.changeLinks(() => {
      this.sides = new Map();
      groups.forEach((group, side) => group.forEach((id) => this.sides!.set(id, side)));
    });
  }

  /** Drop every message from `from` to `to` (one direction only). */
  block(from: PeerId, to: PeerId): void {
    this.changeLinks(() => this.blocked.add(linkKey(from, to)));
  }

  /** Undo every partition and block. */
  heal(): void {
    this.changeLinks(() => {
      this.sides = null;
      this.blocked.clear();
    });
  }

  /** Install (or clear with null) a per-message drop filter. */
  setFilter(filter: MessageFilter | null): void {
    this.filter = filter;
  }

  canReach(from: PeerId, to: PeerId): boolean {
    if (!this.endpoints.has(from) || !this.endpoints.has(to) || from === to) return false;
    if (this.blocked.has(linkKey(from, to))) return false;
    if (this.sides === null) return true;
    const a = this.sides.get(from);
    return a !== undefined && a === this.sides.get(to);
  }

  /** Peers attached (alive) right now. */
  peers(): PeerId[] {
    return [...this.endpoints.keys()];
  }

  private send(from: PeerId, to: PeerId, message: Message): void {
    this.stats.sent++;
    const endpoint = this.endpoints.get(to);
    if (!endpoint || !this.canReach(from, to) || (this.filter && !this.filter(from, to, message))) {
      this.stats.dropped++;
      return;
    }
    const item: InFlight = { from, to, endpoint, message: null, bytes: null };
    if (this.serialize) item.bytes = encodeMessage(message);
    else item.message = message;
    this.queue.push(item);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.clock.setTimeout(() => this.flush(), 0);
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    for (const item of batch) {
      // A partition that started while the message was in flight, or a restart of the receiver
      // (a new endpoint), loses it, like a dropped connection would.
      if (this.endpoints.get(item.to) !== item.endpoint || !this.canReach(item.from, item.to)) {
        this.stats.dropped++;
        continue;
      }
      let message = item.message;
      if (item.bytes) {
        try {
          message = decodeMessage(item.bytes);
        } catch {
          this.stats.decodeErrors++;
          continue;
        }
      }
      this.stats.delivered++;
      item.endpoint.receive(item.from, message!);
    }
  }

  /** Apply a topology change and tell every endpoint which links came up or went down. */
  private changeLinks(change: () => void): void {
    const before = this.reachability();
    const endpointsBefore = new Map(this.endpoints);
    change();
    const after = this.reachability();
    const ids = new Set([...endpointsBefore.keys(), ...this.endpoints.keys()]);
    for (const a of ids) {
      for (const b of ids) {
        if (a === b) continue;
        // Connectivity is reported per direction as seen by the receiving side (a hears b or not).
        const was = before.has(linkKey(b, a)) && before.has(linkKey(a, b));
        const is = after.has(linkKey(b, a)) && after.has(linkKey(a, b));
        const endpoint = this.endpoints.get(a);
        if (!endpoint || was === is) continue;
        if (is) endpoint.peerUp(b);
        else endpoint.peerDown(b);
      }
    }
  }

  private reachability(): Set<string> {
    const links = new Set<string>();
    for (const a of this.endpoints.keys()) {
      for (const b of this.endpoints.keys()) if (this.canReach(a, b)) links.add(linkKey(a, b));
    }
    return links;
  }
}
