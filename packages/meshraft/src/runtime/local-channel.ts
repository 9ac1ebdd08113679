// The same-browser channel: tabs of one browser profile that run the same group reach each other's
// engine Worker over BroadcastChannel instead of a WebRTC data channel (docs/architecture.md, "The
// same-browser channel"). This file holds the pure parts both ends share: the channel names, the
// message shapes and the checks a received message must pass. Everything received here is
// untrusted (any script of the origin that knows the name can post anything), so every check says
// why it drops, and nothing throws.
import type { PeerId } from '@meshraft/core';
import { isPeerId } from '../peer-id';

/** Largest Raft frame accepted from the channel: the data channel's default message cap. */
export const MAX_LOCAL_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Names derived from the group's secret channel name (`deriveLocalChannelName` of
 * @meshraft/webrtc): one channel where tabs announce themselves, and one per ordered pair of peers,
 * held open only by the sender's main thread and the receiver's engine Worker. A BroadcastChannel
 * delivers to every other object of its name, so a name shared by more tabs would wake each of them
 * for frames between two others.
 */
export function localChannelNames(secret: string): { announce: string; link(from: PeerId, to: PeerId): string } {
  return {
    announce: `meshraft:${secret}:announce`,
    link: (from, to) => `meshraft:${secret}:link:${from}:${to}`,
  };
}

/** One Raft frame, as posted on the channel from `from` to `to`. `bytes` is the encoded message. */
export interface LocalFrame {
  kind: 'frame';
  from: PeerId;
  to: PeerId;
  bytes: ArrayBuffer;
}

/**
 * On the announce channel: `hello` says the sender's engine listens for frames from the peers it
 * holds links to (`reply`: answer with your own hello, sent by a tab that just started); `bye`: that
 * identity listens no more, for good.
 */
export type Announcement = { kind: 'hello'; id: PeerId; reply: boolean } | { kind: 'bye'; id: PeerId };

/** Why a frame from the channel was not handed to the engine (each has a counter in FrameStats.local). */
export type LocalDropReason = 'malformed' | 'misaddressed' | 'unauthenticated' | 'tooLarge';

export type LocalAdmission = { ok: true; from: PeerId; bytes: Uint8Array } | { ok: false; reason: LocalDropReason };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * What the receiving engine does with a message from one of its channels. Accepted only from a peer
 * this engine holds an authenticated link to (`linked`: the mesh proved it holds the group key, the
 * link is up now, and it is the peer that channel is for), addressed to this engine's current
 * identity, within the size cap. The bytes are then decoded like a data-channel frame (same codec,
 * limits and decode budget).
 */
export function admitLocalFrame(data: unknown, self: PeerId, linked: (id: PeerId) => boolean, maxBytes = MAX_LOCAL_FRAME_BYTES): LocalAdmission {
  if (!isRecord(data) || data.kind !== 'frame' || !isPeerId(data.from) || !isPeerId(data.to) || !(data.bytes instanceof ArrayBuffer)) {
    return { ok: false, reason: 'malformed' };
  }
  if (data.to !== self || data.from === self) return { ok: false, reason: 'misaddressed' };
  if (!linked(data.from)) return { ok: false, reason: 'unauthenticated' };
  if (data.bytes.byteLength > maxBytes) return { ok: false, reason: 'tooLarge' };
  return { ok: true, from: data.from, bytes: new Uint8Array(data.bytes) };
}

/** An announcement, or null for anything else (ignored: announcements only say where to send). */
export function parseAnnouncement(data: unknown): Announcement | null {
  if (!isRecord(data) || !isPeerId(data.id)) return null;
  if (data.kind === 'hello' && typeof data.reply === 'boolean') return { kind: 'hello', id: data.id, reply: data.reply };
  if (data.kind === 'bye') return { kind: 'bye', id: data.id };
  return null;
}

/** The slice of BroadcastChannel used here (tests pass an in-memory one). */
export interface BroadcastChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent) => void) | null;
  /** A message that could not be deserialized here. */
  onmessageerror: ((event: MessageEvent) => void) | null;
  close(): void;
}

export type OpenBroadcastChannel = (name: string) => BroadcastChannelLike;
