// Adapts @meshraft/webrtc's PeerMesh to the runtime's MeshPort. Must be called right after
// createPeerMesh() returns, before the first 'joined' event can fire.
import type { PeerMesh } from '@meshraft/webrtc';
import type { MeshPort } from './mesh-port';

export function meshPortFrom(mesh: PeerMesh): MeshPort {
  const joined = new Promise<{ peers: string[] }>((resolve) => {
    // 'joined' repeats after a signaling reconnect; only the first answer decides bootstrap.
    const off = mesh.on('joined', (info) => {
      off();
      resolve({ peers: info.bootstrap ? [] : [...info.peers] });
    });
  });
  return {
    joined,
    onMessage: (handler) => void mesh.on('message', (from, bytes) => handler(from, bytes)),
    onPeerUp: (handler) => void mesh.on('peer-up', handler),
    onPeerDown: (handler) => void mesh.on('peer-down', handler),
    // A refused send (peer down, bulk queue over its cap) is a lost message; Raft retries (§5.3).
    send: (to, bytes, channel) => void mesh.send(to, bytes, channel),
    stats: () => ({ ...mesh.stats(), peers: mesh.peers() }),
    close: () => mesh.close(),
  };
}
