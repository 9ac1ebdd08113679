// @meshraft/webrtc: an authenticated, framed, prioritised bytes mesh over simple-peer.
// Browsers: nothing to inject (the simple-peer bundle is loaded lazily). Node: pass `SimplePeer` and
// `wrtc` (see src/simple-peer-node.ts, meant to be exported as '@meshraft/webrtc/node').
export { createPeerMesh } from './mesh';
export { deriveRoomAndAuthKey } from './auth';
export { MAX_FRAME_BYTES } from './framing';
export type {
  BackoffOptions,
  DataChannelLike,
  DropCounters,
  IoFunction,
  JoinedInfo,
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
