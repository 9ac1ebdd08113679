// Counters of Raft frames crossing the codec on the engine side. A frame that fails to decode is
// dropped and counted by reason (never thrown into the engine); accepted frames are
// counted per sender so a test can prove that an unauthenticated peer got nothing accepted.
import type { DecodeErrorReason, PeerId } from '@meshraft/core';
import type { LocalDropReason } from './local-channel';

/** Frames that came over the same-browser channel (local-channel.ts). */
export interface LocalFrameStats {
  /** Handed on to decoding (a frame that then fails to decode is also counted in FrameStats.dropped). */
  framesIn: number;
  bytesIn: number;
  /** By sender. */
  receivedFrom: Record<PeerId, number>;
  /** Refused before decoding, by reason: `unauthenticated` = no authenticated link to the sender now. */
  dropped: Record<LocalDropReason, number>;
  /** Peers whose frames the engine listens for on the channel now (its links that are up). */
  listening: PeerId[];
}

export interface FrameStats {
  framesIn: number;
  bytesIn: number;
  framesOut: number;
  bytesOut: number;
  /** Outbound frames by channel. */
  sentOn: { control: number; bulk: number };
  droppedTotal: number;
  dropped: Partial<Record<DecodeErrorReason, number>>;
  /** Frames accepted (decoded and handed to the engine), by sender. */
  acceptedFrom: Record<PeerId, number>;
  /** Outbound messages the codec refused to encode (never sent). */
  encodeFailed: number;
  /** Log entries received (AppendEntries + catch-up replies): shows how much of a log was refetched. */
  entriesIn: number;
  /** Catch-up replies that carried data (entries or snapshot bytes), by sender: who served this peer. */
  catchUpChunksFrom: Record<PeerId, number>;
  local: LocalFrameStats;
}

export function emptyFrameStats(): FrameStats {
  return {
    framesIn: 0,
    bytesIn: 0,
    framesOut: 0,
    bytesOut: 0,
    sentOn: { control: 0, bulk: 0 },
    droppedTotal: 0,
    dropped: {},
    acceptedFrom: {},
    entriesIn: 0,
    encodeFailed: 0,
    catchUpChunksFrom: {},
    local: { framesIn: 0, bytesIn: 0, receivedFrom: {}, dropped: { malformed: 0, misaddressed: 0, unauthenticated: 0, tooLarge: 0 }, listening: [] },
  };
}

export class FrameCounters {
  private readonly stats = emptyFrameStats();

  accepted(from: PeerId, bytes: number, entries: number): void {
    this.stats.framesIn++;
    this.stats.entriesIn += entries;
    this.stats.bytesIn += bytes;
    this.stats.acceptedFrom[from] = (this.stats.acceptedFrom[from] ?? 0) + 1;
  }

  /** A catch-up reply with data arrived from `from`. */
  catchUpChunk(from: PeerId): void {
    this.stats.catchUpChunksFrom[from] = (this.stats.catchUpChunksFrom[from] ?? 0) + 1;
  }

  dropped(reason: DecodeErrorReason, bytes: number): void {
    this.stats.bytesIn += bytes;
    this.stats.droppedTotal++;
    this.stats.dropped[reason] = (this.stats.dropped[reason] ?? 0) + 1;
  }

  /** A frame from the same-browser channel passed its admission check (decoding comes next). */
  localIn(from: PeerId, bytes: number): void {
    const local = this.stats.local;
    local.framesIn++;
    local.bytesIn += bytes;
    local.receivedFrom[from] = (local.receivedFrom[from] ?? 0) + 1;
  }

  localDropped(reason: LocalDropReason): void {
    this.stats.local.dropped[reason]++;
  }

  encodeFailed(): void {
    this.stats.encodeFailed++;
  }

  sent(channel: 'control' | 'bulk', bytes: number): void {
    this.stats.framesOut++;
    this.stats.bytesOut += bytes;
    this.stats.sentOn[channel]++;
  }

  /** A deep copy, safe to post to another thread or keep. */
  snapshot(): FrameStats {
    return {
      ...this.stats,
      sentOn: { ...this.stats.sentOn },
      dropped: { ...this.stats.dropped },
      acceptedFrom: { ...this.stats.acceptedFrom },
      catchUpChunksFrom: { ...this.stats.catchUpChunksFrom },
      local: { ...this.stats.local, receivedFrom: { ...this.stats.local.receivedFrom }, dropped: { ...this.stats.local.dropped }, listening: [] },
    };
  }
}
