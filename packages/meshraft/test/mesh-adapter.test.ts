// The runtime's view of @meshraft/webrtc's mesh (mesh-adapter.ts): the join answer a starting tab
// waits for, holding its profile's start-up lock, resolves once and never hangs once none can come.
import { describe, expect, it } from 'vitest';
import type { PeerMesh, PeerMeshEvents } from '@meshraft/webrtc';
import { meshPortFrom } from '../src/runtime/mesh-adapter';

/** Only what the adapter uses of a PeerMesh: its events, and close(). */
function fakePeerMesh() {
  const listeners = new Map<string, Array<(...args: never[]) => void>>();
  let closed = 0;
  const mesh = {
    peerId: 'tab-a',
    reregisterBoundMs: 1000,
    on<E extends keyof PeerMeshEvents>(event: E, listener: PeerMeshEvents[E]) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (...args: never[]) => void]);
      return () => {};
    },
    close: async () => {
      closed++;
      listeners.clear(); // as the real mesh: no event after close
    },
  };
  const emit = <E extends keyof PeerMeshEvents>(event: E, ...args: Parameters<PeerMeshEvents[E]>) =>
    (listeners.get(event) ?? []).forEach((listener) => (listener as (...a: Parameters<PeerMeshEvents[E]>) => void)(...args));
  return { mesh: mesh as unknown as PeerMesh, emit, closed: () => closed };
}

describe('meshPortFrom', () => {
  it("resolves joined with the first answer; latestJoin follows the answers after a signaling reconnect", async () => {
    const { mesh, emit } = fakePeerMesh();
    const port = meshPortFrom(mesh);
    emit('joined', { bootstrap: false, peers: ['b'], uptimeMs: 5 });
    emit('joined', { bootstrap: false, peers: ['b', 'c'], uptimeMs: 30_000 });
    await expect(port.joined).resolves.toMatchObject({ peers: ['b'], uptimeMs: 5 });
    expect(port.latestJoin()).toMatchObject({ peers: ['b', 'c'], uptimeMs: 30_000 });
  });

  it('rejects joined when the mesh fails for good before its room answered (its WebRTC library did not load)', async () => {
    const { mesh, emit } = fakePeerMesh();
    const port = meshPortFrom(mesh);
    emit('failed', new Error('Failed to fetch dynamically imported module'));
    await expect(port.joined).rejects.toThrow('Failed to fetch dynamically imported module');
  });

  it('rejects joined when the port is closed before its room answered, and closes the mesh', async () => {
    const { mesh, closed } = fakePeerMesh();
    const port = meshPortFrom(mesh);
    await port.close();
    await expect(port.joined).rejects.toThrow('the mesh closed before its room answered');
    expect(closed()).toBe(1);
  });

  it('an answer that came stays: closing afterwards changes nothing for those who waited on it', async () => {
    const { mesh, emit } = fakePeerMesh();
    const port = meshPortFrom(mesh);
    emit('joined', { bootstrap: true, peers: [], uptimeMs: 1 });
    await port.close();
    await expect(port.joined).resolves.toMatchObject({ peers: [] });
  });
});
