// A remote peer's WebRTC signal as PeerLink hands it to simple-peer: rebuilt from checked fields
// only. The signal comes through the signaling server from a peer that has not proved the group key
// yet, so nothing else in it may reach simple-peer: extra fields drive simple-peer's own features
// (`renegotiate`, `transceiverRequest`) and a malformed candidate makes it destroy the connection,
// which would let the relay close a link that is up. Candidates are also capped per link: simple-peer
// queues every candidate that arrives before the answer, so an uncapped stream of them is unbounded
// memory.

/** ICE candidates accepted per link (a browser gathers a handful per network interface). */
export const MAX_REMOTE_CANDIDATES = 64;
/** Longest candidate line accepted (real ones are 100-250 characters). */
export const MAX_CANDIDATE_CHARS = 1024;
/** Longest `sdpMid` / `usernameFragment` accepted. */
const MAX_TOKEN_CHARS = 256;

export type RemoteSignal =
  | { type: 'offer' | 'answer'; sdp: string }
  | {
      type: 'candidate';
      candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null; usernameFragment?: string | null };
    };

/** The signal rebuilt from its checked fields, or null when it is not a well-formed description or candidate. */
export function rebuildRemoteSignal(data: Record<string, unknown>): RemoteSignal | null {
  const { type } = data;
  if (type === 'offer' || type === 'answer') return typeof data.sdp === 'string' ? { type, sdp: data.sdp } : null;
  if (type !== 'candidate') return null;
  const raw = data.candidate;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  const { candidate, sdpMid, sdpMLineIndex, usernameFragment } = raw as Record<string, unknown>;
  if (typeof candidate !== 'string' || candidate.length > MAX_CANDIDATE_CHARS) return null;
  const mid = optionalToken(sdpMid);
  const fragment = optionalToken(usernameFragment);
  const lineIndex = sdpMLineIndex === undefined || sdpMLineIndex === null ? null : sdpMLineIndex;
  if (mid === false || fragment === false) return null;
  if (lineIndex !== null && !(Number.isInteger(lineIndex) && (lineIndex as number) >= 0 && (lineIndex as number) <= 0xffff)) return null;
  if (mid === null && lineIndex === null) return null; // RTCIceCandidate needs one of the two
  return {
    type: 'candidate',
    candidate: { candidate, sdpMid: mid, sdpMLineIndex: lineIndex as number | null, ...(fragment !== null ? { usernameFragment: fragment } : {}) },
  };
}

/** A string token, null when absent, false when malformed. */
function optionalToken(value: unknown): string | null | false {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' && value.length <= MAX_TOKEN_CHARS ? value : false;
}
