// The peer-id rule of the signaling server and the mesh (packages/signaling/src/protocol.ts and
// @meshraft/webrtc's isValidPeerId), for the runtime's own checks: the `peerId` and `bootstrap`
// options, and ids posted on the same-browser channel. Kept here rather than imported from
// @meshraft/webrtc so the engine Worker's bundle does not take that package in.
import type { PeerId } from '@meshraft/core';

/** 1-64 of letters, digits, `_` and `-`. */
export const PEER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The pattern, and not a name Object.prototype holds (`__proto__`, `constructor`, ...): records are keyed by peer id. */
export function isPeerId(value: unknown): value is PeerId {
  return typeof value === 'string' && PEER_ID_PATTERN.test(value) && !(value in Object.prototype);
}
