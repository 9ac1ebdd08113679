// Records what a PeerMesh reports, for assertions in the integration tests.
import type { JoinedInfo, LinkRefusal, MeshChannel, PeerMesh } from '../../src/index';

export interface Probe {
  mesh: PeerMesh;
  ups: string[];
  downs: string[];
  joins: JoinedInfo[];
  lost: number;
  refused: { from: string; reason: LinkRefusal }[];
  /** Small messages only (< 64 bytes), so bulk transfers do not pile up in memory. */
  messages: { from: string; bytes: Uint8Array; channel: MeshChannel }[];
}

export function probe(mesh: PeerMesh): Probe {
  const p: Probe = { mesh, ups: [], downs: [], joins: [], lost: 0, refused: [], messages: [] };
  mesh.on('joined', (info) => p.joins.push(info));
  mesh.on('signaling-lost', () => (p.lost += 1));
  mesh.on('peer-up', (id) => p.ups.push(id));
  mesh.on('peer-down', (id) => p.downs.push(id));
  mesh.on('refused', (from, reason) => p.refused.push({ from, reason }));
  mesh.on('message', (from, bytes, channel) => {
    if (bytes.length < 64) p.messages.push({ from, bytes, channel });
  });
  return p;
}

/** Up links that closed for any cause. */
export function linkDrops(p: Probe): number {
  const d = p.mesh.stats().linkDrops;
  return d.channelClosed + d.heartbeatTimeout + d.replaced + d.peerGone;
}
