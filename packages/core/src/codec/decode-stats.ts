// Counters for dropped frames: transports decode with decodeCounted and expose the stats, so a
// misbehaving (or hostile) peer shows up as numbers instead of exceptions.
import type { DecodeErrorReason } from '../errors';
import type { Message } from '../messages';
import { tryDecodeMessage, type CodecOptions } from './message-codec';

export interface DecodeStats {
  /** Frames decoded successfully. */
  decoded: number;
  /** Frames dropped, in total and per reason. */
  dropped: number;
  byReason: Record<DecodeErrorReason, number>;
  /** Human-readable description of the latest drop (for debugging; never contains payload bytes). */
  lastError: string | null;
}

export function createDecodeStats(): DecodeStats {
  return {
    decoded: 0,
    dropped: 0,
    byReason: { 'too-large': 0, 'bad-cbor': 0, 'bad-version': 0, 'bad-shape': 0, 'unknown-type': 0, 'out-of-range': 0 },
    lastError: null,
  };
}

/** Decodes a frame, or counts it in `stats` and returns null. Never throws. */
export function decodeCounted(bytes: Uint8Array, stats: DecodeStats, options?: CodecOptions): Message | null {
  const result = tryDecodeMessage(bytes, options);
  if (result.ok) {
    stats.decoded++;
    return result.message;
  }
  stats.dropped++;
  stats.byReason[result.error.reason]++;
  stats.lastError = result.error.message;
  return null;
}
