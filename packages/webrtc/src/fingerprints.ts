// DTLS certificate fingerprints of one peer connection, for the handshake transcript.
//
// The WebRTC stack refuses a DTLS peer whose certificate does not match the `a=fingerprint:` lines
// of the remote description, so the remote description's fingerprints name the machine at the
// other end of the data channel, and the local description's name ours.
//
// Source, in order: the RTCPeerConnection simple-peer keeps in `_pc` (current*Description, then
// *Description; present in Chromium, Firefox and @roamhq/wrtc), else the SDP of the offer/answer
// signals this link sent and applied (simple-peer emits the local description's SDP).
import type { SimplePeerInstance } from './types';

const FINGERPRINT_LINE = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/;

/**
 * The canonical fingerprint list of an SDP: every `a=fingerprint:` line (session or media level) as
 * "<algorithm lowercased> <hex uppercased>", deduplicated, sorted, joined with "\n". Null if none.
 */
export function fingerprintsOf(sdp: unknown): string | null {
  if (typeof sdp !== 'string') return null;
  const found = new Set<string>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = FINGERPRINT_LINE.exec(line.trim());
    if (match !== null) found.add(`${match[1].toLowerCase()} ${match[2].toUpperCase()}`);
  }
  return found.size === 0 ? null : [...found].sort().join('\n');
}

interface DescriptionHolder {
  currentLocalDescription?: { sdp?: unknown } | null;
  localDescription?: { sdp?: unknown } | null;
  currentRemoteDescription?: { sdp?: unknown } | null;
  remoteDescription?: { sdp?: unknown } | null;
}

function peerConnectionOf(peer: SimplePeerInstance): DescriptionHolder | null {
  const pc = (peer as unknown as { _pc?: unknown })._pc;
  return typeof pc === 'object' && pc !== null ? (pc as DescriptionHolder) : null;
}

function firstFingerprints(...sdps: unknown[]): string | null {
  for (const sdp of sdps) {
    const found = fingerprintsOf(sdp);
    if (found !== null) return found;
  }
  return null;
}

export interface LinkFingerprints {
  local: string;
  remote: string;
}

/** Both sides' fingerprints, or null if either is unknown (the handshake then refuses the link). */
export function linkFingerprints(
  peer: SimplePeerInstance,
  observed: { localSdp: string | null; remoteSdp: string | null },
): LinkFingerprints | null {
  const pc = peerConnectionOf(peer);
  const local = firstFingerprints(pc?.currentLocalDescription?.sdp, pc?.localDescription?.sdp, observed.localSdp);
  const remote = firstFingerprints(pc?.currentRemoteDescription?.sdp, pc?.remoteDescription?.sdp, observed.remoteSdp);
  return local === null || remote === null ? null : { local, remote };
}
