// Adapts @meshraft/webrtc's PeerMesh to the runtime's MeshPort. Must be called right after
// createPeerMesh() returns, before the first 'joined' event can fire.
import type { PeerMesh } from '@meshraft/webrtc';
import type { JoinInfo, MeshPort } from './mesh-port';

export function meshPortFrom(mesh: PeerMesh): MeshPort {
  let latest: JoinInfo | null = null;
  const joined = new Promise<JoinInfo>((resolve) => {
    // 'joined' repeats after a signaling reconnect: keep the latest answer, resolve with the first.
    mesh.on('joined', (info) => {
      latest = { peers: [...info.peers], uptimeMs: info.uptimeMs, at: Date.now() };
      resolve(latest);
    });
  });
  return {
    joined,
    latestJoin: () => latest,
    roomPeers: () => mesh.roomPeers(),
    reregisterBoundMs: mesh.reregisterBoundMs,
    onMessage: (handler) => void mesh.on('message', (from, bytes) => handler(from, bytes)),
    onPeerUp: (handler) => void mesh.on('peer-up', handler),
    onPeerDown: (handler) => void mesh.on('peer-down', handler),
    // A refused send (peer down, bulk queue over its cap) is a lost message; Raft retries (§5.3).
    send: (to, bytes, channel) => void mesh.send(to, bytes, channel),
    dropPeer: (id) => mesh.dropPeer(id),
    forgetPeer: (id) => mesh.forgetPeer(id),
    stats: () => ({ ...mesh.stats(), peers: mesh.peers() }),
    close: () => mesh.close(),
  };
}
