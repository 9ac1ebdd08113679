// A peer that never comes online has to be diagnosable from its stats: the mesh counts its signaling
// connections (opened, closed, joined) and the problems on the way, with the latest one's text. A
// server at its connection cap refuses this mesh until a slot frees up; then it joins; then the
// server goes away and the connection closes.
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { afterEach, describe, expect, it } from 'vitest';
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMesh } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import { SignalingClient } from '../src/signaling-client';

describe('mesh stats: the signaling connection', () => {
  let server: SignalingServer | null = null;
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await server?.close();
    server = null;
  });

  it('counts refusals with their reason, then the join, then the disconnect when the server goes', async () => {
    server = await startSignalingServer({ port: 0, maxConnections: 1 });
    const { room, authKey } = await deriveRoomAndAuthKey('signaling counters group key');
    // Another peer holds the server's only connection.
    let occupantJoined = false;
    const occupant = new SignalingClient(
      { url: server.url, room, peerId: 'occupant', backoff: { minMs: 50, maxMs: 200 }, aliveIntervalMs: 1000, joinTimeoutMs: 1000 },
      { joined: () => (occupantJoined = true), lost: () => {}, peerJoined: () => {}, peerLeft: () => {}, signal: () => {}, badMessage: () => {}, reflected: () => {}, error: () => {} },
    );
    cleanups.push(() => occupant.close());
    await expect.poll(() => occupantJoined).toBe(true);

    const mesh: PeerMesh = createPeerMesh({ signalingUrl: server.url, room, authKey, peerId: 'counted', ...nodePeerDeps(), reconnect: { minMs: 50, maxMs: 200 } });
    cleanups.push(() => mesh.close());
    await expect.poll(() => mesh.stats().signaling.errors, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const refused = mesh.stats().signaling;
    expect(refused.joins).toBe(0);
    expect(refused.lastProblem).toMatch(/too-many-connections/);

    occupant.close();
    await expect.poll(() => mesh.stats().signaling.joins, { timeout: 10_000 }).toBe(1);
    expect(mesh.stats().signaling.connects).toBeGreaterThanOrEqual(1);
    const disconnectsBefore = mesh.stats().signaling.disconnects;

    await server.close();
    server = null;
    await expect.poll(() => mesh.stats().signaling.disconnects, { timeout: 10_000 }).toBeGreaterThan(disconnectsBefore);
    // The disconnect's reason, or already the error of a reconnect attempt to the stopped server.
    expect(mesh.stats().signaling.lastProblem).toMatch(/close|disconnect|error/);
    expect(mesh.stats().signaling.joins).toBe(1);
  });
});
