// What travels in the signaling server's opaque `data` field between two meshes:
//   sig   a simple-peer signal of session `s` (session = one connection attempt, named by the initiator)
//   reset the responder's link of session `s` failed: please redial
//   hello the responder (re)joined and has no link to you: please dial (it may have reloaded while
//         your side of the old link still looks open)
// All three are hints from an untrusted relay: none of them can close a link that is up.
import { randomBytes } from './bytes';
import type { PeerSignal } from './types';

export type SignalEnvelope = { s: string; sig: PeerSignal } | { s: string; reset: true } | { hello: true };

const SESSION_PATTERN = /^[0-9a-f]{1,64}$/;

/** Null for anything malformed (the caller counts it). */
export function parseEnvelope(data: unknown): SignalEnvelope | null {
  if (typeof data !== 'object' || data === null) return null;
  const { s, sig, reset, hello } = data as Record<string, unknown>;
  if (hello === true) return { hello: true };
  if (typeof s !== 'string' || !SESSION_PATTERN.test(s)) return null;
  if (reset === true) return { s, reset: true };
  if (typeof sig !== 'object' || sig === null || Array.isArray(sig)) return null;
  return { s, sig: sig as PeerSignal };
}

export function newSessionId(): string {
  return Array.from(randomBytes(8), (b) => b.toString(16).padStart(2, '0')).join('');
}
