// What the mesh integration tests share: a signaling server per test file, the meshes its tests
// open on it (closed after the file, with whatever a test asked to release), and simple-peer
// variants that behave like a page that stopped running or count the connections built.
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { afterAll, beforeAll } from 'vitest';
import { createPeerMesh, type PeerMeshOptions } from '../../src/index';
import { SimplePeer } from '../../src/simple-peer-node';
import type { SimplePeerInstance, SimplePeerOptions } from '../../src/types';
import { probe, type Probe } from './mesh-probe';

export type BaseMeshOptions = Omit<PeerMeshOptions, 'peerId'>;

export interface MeshRig {
  /** Opens a mesh on the file's server with the base options (and `over`), closed after the file. */
  open(peerId: string, over?: Partial<PeerMeshOptions>): Probe;
  /** Run after the file's meshes are closed (e.g. really closing what a stopped peer left open). */
  afterClose(release: () => void): void;
}

/** Starts a signaling server for the calling test file; `base` gives the options every mesh gets. */
export function useMeshRig(base: (signalingUrl: string) => Promise<BaseMeshOptions>): MeshRig {
  let server: SignalingServer | null = null;
  let options: BaseMeshOptions | null = null;
  const opened: Probe[] = [];
  const releases: (() => void)[] = [];
  beforeAll(async () => {
    server = await startSignalingServer({ port: 0 });
    options = await base(server.url);
  });
  afterAll(async () => {
    await Promise.all(opened.map((p) => p.mesh.close()));
    releases.forEach((release) => release());
    await server?.close();
  });
  return {
    open(peerId, over = {}) {
      if (options === null) throw new Error('the mesh rig has not started yet (open meshes inside tests)');
      const p = probe(createPeerMesh({ ...options, peerId, ...over }));
      opened.push(p);
      return p;
    },
    afterClose: (release) => void releases.push(release),
  };
}

const Base = SimplePeer as unknown as new (o: SimplePeerOptions) => SimplePeerInstance;

/** simple-peer whose connections survive destroy() while `frozen`, like a tab that stopped running. */
export function freezablePeer() {
  const instances: SimplePeerInstance[] = [];
  const state = { frozen: false };
  class FreezablePeer extends Base {
    constructor(options: SimplePeerOptions) {
      super(options);
      instances.push(this);
    }
    override destroy(error?: Error): void {
      if (!state.frozen) super.destroy(error);
    }
  }
  return {
    SimplePeer: FreezablePeer,
    freeze: () => (state.frozen = true),
    /** Really closes what the frozen instances left open. */
    release: () => {
      state.frozen = false;
      for (const peer of instances) if (!peer.destroyed) peer.destroy();
    },
  };
}

/** simple-peer that counts the connections this side builds. */
export function countingPeer() {
  const built = { count: 0 };
  class CountingPeer extends Base {
    constructor(options: SimplePeerOptions) {
      super(options);
      built.count += 1;
    }
  }
  return { SimplePeer: CountingPeer, built };
}
