// The counters one mesh keeps (PeerMeshStats without the derived queuedBytes), all at zero.
import type { PeerMeshStats } from './types';

export type MeshCounters = Omit<PeerMeshStats, 'queuedBytes'>;

export function newMeshCounters(): MeshCounters {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    heartbeatsIn: 0,
    heartbeatsOut: 0,
    dropped: {
      badFrame: 0,
      tooLarge: 0,
      unauthenticated: 0,
      authFailed: 0,
      versionMismatch: 0,
      reflected: 0,
      noFingerprint: 0,
      handshakeTimeout: 0,
      queueFull: 0,
      badSignal: 0,
    },
    linkDrops: { channelClosed: 0, heartbeatTimeout: 0, replaced: 0, peerGone: 0 },
    signaling: { connects: 0, disconnects: 0, joins: 0, errors: 0, lastProblem: null },
  };
}
