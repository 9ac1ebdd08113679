// A client without the group key that knows the room id (the signaling server sees it) joins and
// leaves the room in a loop, under a new peer id each time that the honest peer must dial. Every
// join starts a connection attempt; a leave must end it, or attempts pile up until their connect
// timeout, bounded only by the churn rate.
import { afterAll, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { createPeerMesh, deriveRoomAndAuthKey, type PeerMesh } from '../src/index';
import type { SimplePeerConstructor, SimplePeerInstance } from '../src/types';
import { waitFor } from './support/wait';

/** A simple-peer stand-in that never connects: it only counts the connections alive. */
let live = 0;
let created = 0;
class NeverConnectingPeer implements SimplePeerInstance {
  destroyed = false;
  constructor() {
    live++;
    created++;
  }
  signal(): void {}
  send(): void {}
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live--;
  }
  on(): this {
    return this;
  }
}

let server: SignalingServer | undefined;
let mesh: PeerMesh | undefined;
afterAll(async () => {
  await mesh?.close();
  await server?.close();
});

it('a peer that joins and leaves in a loop leaves no connection attempt behind', async () => {
  server = await startSignalingServer({ port: 0 });
  const { room, authKey } = await deriveRoomAndAuthKey('join churn test group key');
  // 'a-...' sorts first: the honest peer is the initiator towards every 'z-...' joiner.
  mesh = createPeerMesh({ signalingUrl: server.url, room, peerId: 'a-honest', authKey, SimplePeer: NeverConnectingPeer as unknown as SimplePeerConstructor });
  await new Promise<void>((resolve) => mesh!.on('joined', () => resolve()));
  const cycles = 40;
  for (let i = 0; i < cycles; i++) {
    const socket = io(server.url, { transports: ['websocket'], forceNew: true, reconnection: false });
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    await socket.timeout(2000).emitWithAck('join', { room, peerId: `z-churn-${i}` });
    socket.disconnect();
  }
  await waitFor('the joiners to have left the room', () => mesh!.roomPeers().length === 0, 10_000);
  // Each join was dialled (the attack costs the honest peer something, but not for long) ...
  expect(created).toBeGreaterThanOrEqual(cycles);
  // ... and each leave ended its attempt.
  await waitFor('every connection attempt to end', () => live === 0, 10_000);
});
