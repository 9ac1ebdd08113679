// Adapts @meshraft/webrtc's PeerMesh to the runtime's MeshPort. Must be called right after
// createPeerMesh() returns, before the first 'joined' event can fire.
import type { PeerMesh } from '@meshraft/webrtc';
import type { JoinInfo, MeshPort } from './mesh-port';

export function meshPortFrom(mesh: PeerMesh): MeshPort {
  let latest: JoinInfo | null = null;
  let refuse: (error: Error) => void = () => {};
  const joined = new Promise<JoinInfo>((resolve, reject) => {
    refuse = reject;
    // 'joined' repeats after a signaling reconnect: keep the latest answer, resolve with the first.
    mesh.on('joined', (info) => {
      latest = { peers: [...info.peers], uptimeMs: info.uptimeMs, at: Date.now() };
      resolve(latest);
    });
  });
  // Whoever waits for the answer (a tab's start, holding the profile's start-up lock) must not wait
  // for ever once none can come: the mesh failed for good, or was closed.
  mesh.on('failed', (error) => refuse(error));
  joined.catch(() => {}); // a port nobody waits on may close unjoined
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
    close: () => {
      refuse(new Error('meshraft: the mesh closed before its room answered'));
      return mesh.close();
    },
  };
}
