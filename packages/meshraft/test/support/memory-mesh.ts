// An in-memory stand-in for the WebRTC mesh (MeshPort), so launchGroup can run real engines in one
// Node process without signaling or WebRTC: peers that opened the hub see each other (peer-up on
// both sides), frames are delivered asynchronously and in order, and a peer can be cut off and
// reconnected (a network partition as the runtime sees it: peer-down, then peer-up).
import type { PeerId } from '@meshraft/core';
import type { JoinInfo, MeshPort } from '../../src/runtime/mesh-port';

interface Member {
  id: PeerId;
  open: boolean;
  up: Array<(id: PeerId) => void>;
  down: Array<(id: PeerId) => void>;
  message: Array<(from: PeerId, bytes: Uint8Array) => void>;
}

export class MemoryMeshHub {
  private readonly members = new Map<PeerId, Member>();
  private readonly cut = new Set<PeerId>();
  framesDelivered = 0;
  /** Called with every frame a peer sends to a linked peer, as it is sent (tests decode them). */
  readonly sendTaps: Array<(from: PeerId, to: PeerId, bytes: Uint8Array) => void> = [];
  /** dropPeer() calls, as `caller>dropped`. */
  readonly dropped: string[] = [];
  /** forgetPeer() calls, as `caller>forgotten`. */
  readonly forgotten: string[] = [];
  /** dropPeer() and forgetPeer() calls in the order they came, as `drop caller>peer` / `forget caller>peer`. */
  readonly calls: string[] = [];
  /** Who registered in the room and left it, in order, as `join id` (at its join answer) / `leave id`. */
  readonly roomLog: string[] = [];

  private linked(a: Member, b: Member): boolean {
    return a.open && b.open && a.id !== b.id && !this.cut.has(a.id) && !this.cut.has(b.id);
  }

  private connect(a: Member, b: Member): void {
    if (!this.linked(a, b)) return;
    for (const h of a.up) h(b.id);
    for (const h of b.up) h(a.id);
  }

  private disconnect(a: Member, b: Member): void {
    for (const h of a.down) h(b.id);
    for (const h of b.down) h(a.id);
  }

  open(id: PeerId): MeshPort {
    const me: Member = { id, open: true, up: [], down: [], message: [] };
    const present = [...this.members.values()].filter((m) => m.open).map((m) => m.id);
    this.members.set(id, me);
    let latest: JoinInfo | null = null;
    const joined = new Promise<JoinInfo>((resolve) =>
      setTimeout(() => {
        // A long-running directory: an empty answer is evidence of an empty room.
        latest = { peers: present, uptimeMs: 1e9, at: Date.now() };
        if (me.open) this.roomLog.push(`join ${id}`);
        resolve(latest);
        // Connections come up after the join answer, like data channels after signaling.
        setTimeout(() => {
          for (const other of this.members.values()) if (other !== me) this.connect(me, other);
        }, 5);
      }, 1),
    );
    return {
      joined,
      latestJoin: () => latest,
      roomPeers: () => (latest === null ? [] : [...this.members.values()].filter((m) => m !== me && m.open).map((m) => m.id)),
      reregisterBoundMs: 1000,
      onMessage: (h) => void me.message.push(h),
      onPeerUp: (h) => void me.up.push(h),
      onPeerDown: (h) => void me.down.push(h),
      send: (to, bytes) => {
        const target = this.members.get(to);
        if (!target || !this.linked(me, target)) return;
        const copy = bytes.slice();
        for (const tap of this.sendTaps) tap(id, to, copy);
        setTimeout(() => {
          if (!this.linked(me, target)) return;
          this.framesDelivered++;
          for (const h of target.message) h(id, copy);
        }, 0);
      },
      // The caller knows `other` stopped: this side sees its link go down (the other side is gone).
      dropPeer: (other) => {
        this.dropped.push(`${id}>${other}`);
        this.calls.push(`drop ${id}>${other}`);
        const target = this.members.get(other);
        if (target && this.linked(me, target)) for (const h of me.down) h(other);
      },
      forgetPeer: (other) => {
        this.forgotten.push(`${id}>${other}`);
        this.calls.push(`forget ${id}>${other}`);
      },
      stats: () => ({ hub: true }),
      close: () => {
        if (!me.open) return;
        for (const other of this.members.values()) if (this.linked(me, other)) this.disconnect(me, other);
        me.open = false;
        this.members.delete(id);
        this.roomLog.push(`leave ${id}`);
      },
    };
  }

  /** Cut `id` off from everyone (both sides see peer-down). */
  partition(id: PeerId): void {
    const me = this.members.get(id);
    if (!me || this.cut.has(id)) return;
    for (const other of this.members.values()) if (this.linked(me, other)) this.disconnect(me, other);
    this.cut.add(id);
  }

  heal(id: PeerId): void {
    if (!this.cut.delete(id)) return;
    const me = this.members.get(id);
    if (me) for (const other of this.members.values()) this.connect(me, other);
  }
}
