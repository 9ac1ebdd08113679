// @meshraft/webrtc: an authenticated, framed, prioritised bytes mesh over simple-peer.
// Browsers: nothing to inject (the simple-peer bundle is loaded lazily). Node: pass `SimplePeer` and
// `wrtc` (see src/simple-peer-node.ts, exported as '@meshraft/webrtc/node').
export { createPeerMesh, preloadSimplePeer } from './mesh';
export {
  deriveRoomAndAuthKey,
  derivationShareName,
  deriveLocalChannelName,
  groupKeyBytes,
  DEFAULT_APP_ID,
  GROUP_KEY_KDF_ITERATIONS,
  GROUP_KEY_MIN_BYTES,
  GROUP_KEY_MIN_CHARS,
  WeakGroupKeyError,
  type DeriveRoomOptions,
} from './group-key';
export { formatInviteLink, mintGroupKey, parseInviteLink } from './invite-link';
export { HANDSHAKE_VERSION } from './handshake-proof';
export { isValidRoomId } from './signaling-client';
export { MAX_FRAME_BYTES } from './framing';
export type {
  BackoffOptions,
  DataChannelLike,
  DropCounters,
  IoFunction,
  JoinedInfo,
  LinkDropCounters,
  LinkRefusal,
  MeshChannel,
  PeerMesh,
  PeerMeshEvents,
  PeerMeshOptions,
  PeerMeshStats,
  PeerSignal,
  SimplePeerConstructor,
  SimplePeerInstance,
  SimplePeerOptions,
  WrtcLike,
} from './types';
