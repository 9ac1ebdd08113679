// Status gossip: each peer tells its connected peers how it sees itself (role, term, committed,
// applied, online, catch-up), so a dashboard can show every member. It rides the mesh beside Raft
// frames but never reaches the engine: it is for display only and Raft never trusts it.
//
// A gossip frame is one tag byte followed by a cbor value. Raft frames are the codec's 3-element
// CBOR array and so always start with 0x83; any other first byte cannot be mistaken for one.
import { decodeValue, encodeValue, type CatchUpProgress, type GroupStatus, type PeerId, type PeerView, type Role } from '@meshraft/core';

export const GOSSIP_TAG = 0x47; // 'G'

/** Send our view at most this often while it changes, and at least this often while idle. */
const MIN_INTERVAL_MS = 250;
const IDLE_INTERVAL_MS = 2000;
const ROLES: readonly Role[] = ['follower', 'pre-candidate', 'candidate', 'leader'];

export function isGossipFrame(bytes: Uint8Array): boolean {
  return bytes.byteLength > 0 && bytes[0] === GOSSIP_TAG;
}

/**
 * `holdsNothing`: the peer holds nothing of the group and belongs to none. While its term is 0 it has
 * heard of no group: PeerView.pristine (other new tabs do not wait for it). Once a departed voter's
 * notice moved its term it waits for the group as a frozen tab does and can continue none:
 * PeerView.frozen (counted as a member, it kept the profile holding the last departure from
 * re-founding, and every tab waited for good).
 */
export function encodeGossip(status: GroupStatus, holdsNothing = false): Uint8Array {
  const view: PeerView = {
    role: status.role,
    term: status.term,
    committed: status.committed,
    applied: status.applied,
    online: status.online,
    catchUp: status.catchUp,
  };
  if (holdsNothing && status.term === 0) view.pristine = true;
  if (status.frozen === true || (holdsNothing && status.term > 0)) view.frozen = true;
  const body = encodeValue(view);
  const frame = new Uint8Array(body.byteLength + 1);
  frame[0] = GOSSIP_TAG;
  frame.set(body, 1);
  return frame;
}

/** Decodes and validates a gossip frame; null for anything malformed (the caller counts it). */
export function decodeGossip(bytes: Uint8Array): PeerView | null {
  if (!isGossipFrame(bytes) || bytes.byteLength > 4096) return null;
  let value: unknown;
  try {
    value = decodeValue(bytes.subarray(1));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const count = (x: unknown) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!ROLES.includes(v.role as Role) || !count(v.term) || !count(v.committed) || !count(v.applied)) return null;
  if (typeof v.online !== 'boolean') return null;
  const catchUp = v.catchUp === null ? null : catchUpOf(v.catchUp, count);
  if (catchUp === undefined) return null;
  if (v.pristine !== undefined && v.pristine !== true) return null;
  if (v.frozen !== undefined && v.frozen !== true) return null;
  const view: PeerView = {
    role: v.role as Role,
    term: v.term as number,
    committed: v.committed as number,
    applied: v.applied as number,
    online: v.online,
    catchUp,
  };
  if (v.pristine === true) view.pristine = true;
  if (v.frozen === true) view.frozen = true;
  return view;
}

/**
 * A gossiped catch-up progress rebuilt from checked fields (apps read it from `group.status.peers`
 * as a CatchUpProgress), or undefined when any field is missing or out of range.
 */
function catchUpOf(value: unknown, count: (x: unknown) => boolean): CatchUpProgress | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const c = value as Record<string, unknown>;
  const { fraction, from, to, entriesFetched, bytesFetched, peersUsed, phase } = c;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) return undefined;
  if (![from, to, entriesFetched, bytesFetched, peersUsed].every(count) || (phase !== 'log' && phase !== 'snapshot')) return undefined;
  return { fraction, from, to, entriesFetched, bytesFetched, peersUsed, phase } as CatchUpProgress;
}

/** The gossiped fields of a status, as a comparable string. */
function viewKey(s: GroupStatus, holdsNothing: boolean): string {
  return `${s.role}|${s.term}|${s.committed}|${s.applied}|${s.online}|${s.catchUp ? s.catchUp.fraction.toFixed(2) : '-'}|${holdsNothing}|${s.frozen === true}`;
}

export interface StatusGossipOptions {
  /** Our current status. */
  status(): GroupStatus;
  /** Whether we hold nothing and belong to no group (said as PeerView.pristine or frozen, see encodeGossip); default false. */
  holdsNothing?(): boolean;
  broadcast(frame: Uint8Array): void;
  /** Called with a new views object whenever a peer's view changes. */
  onViews(views: Readonly<Record<PeerId, PeerView>>): void;
}

export class StatusGossip {
  private views: Readonly<Record<PeerId, PeerView>> = {};
  private lastSent = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private lastStatus: GroupStatus | null = null;
  private lastHoldsNothing = false;
  private lastKey = '';
  /** Malformed gossip frames received (dropped). */
  dropped = 0;

  constructor(private readonly options: StatusGossipOptions) {
    this.schedule(IDLE_INTERVAL_MS);
  }

  /** Our status may have changed: send soon (rate-limited) if anything we gossip did. */
  statusChanged(): void {
    const status = this.options.status();
    const holdsNothing = this.options.holdsNothing?.() ?? false;
    if (status === this.lastStatus && holdsNothing === this.lastHoldsNothing) return;
    this.lastStatus = status;
    this.lastHoldsNothing = holdsNothing;
    const key = viewKey(status, holdsNothing);
    if (key === this.lastKey) return;
    this.lastKey = key;
    const wait = Math.max(0, this.lastSent + MIN_INTERVAL_MS - Date.now());
    this.schedule(wait);
  }

  /** A connected peer may not know us yet. */
  peerUp(): void {
    this.schedule(0);
  }

  peerDown(id: PeerId): void {
    if (!(id in this.views)) return;
    const { [id]: _gone, ...rest } = this.views;
    this.publish(rest);
  }

  /** What `id` last said of itself (undefined: nothing heard since its link came up). */
  viewOf(id: PeerId): PeerView | undefined {
    return this.views[id];
  }

  receive(from: PeerId, bytes: Uint8Array): void {
    const view = decodeGossip(bytes);
    if (!view) {
      this.dropped += 1;
      return;
    }
    this.publish({ ...this.views, [from]: view });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private publish(views: Readonly<Record<PeerId, PeerView>>): void {
    this.views = views;
    this.options.onViews(views);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.send(), delayMs);
  }

  private send(): void {
    this.timer = null;
    if (this.stopped) return;
    this.lastSent = Date.now();
    this.options.broadcast(encodeGossip(this.options.status(), this.options.holdsNothing?.() ?? false));
    this.schedule(IDLE_INTERVAL_MS);
  }
}
