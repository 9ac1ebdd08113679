// A connection attempt whose signals were lost while a signaling socket was away (the client drops
// what it cannot send; the server cannot deliver to a socket that is gone) must be restarted when
// the sockets are back, not left waiting for its connect timeout. connectTimeoutMs is 60 s here, so
// only the restart can bring the link up within a test's time. Real @roamhq/wrtc connections.
import { io as realIo, type Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import type { IoFunction } from '../src/types';
import { countingPeer, useMeshRig } from './support/mesh-rig';
import { waitFor } from './support/wait';

type Listener = (...args: unknown[]) => void;

/**
 * socket.io-client's io() with switches: while `dropSignals` is set the outgoing 'signal' emits are
 * lost, and while `deafToPeers` is set the server's peer-joined / peer-left hints are not heard.
 */
function lossyIo() {
  const state = { dropSignals: false, deafToPeers: false, dropped: 0, socket: null as Socket | null };
  const io: IoFunction = (url, options) => {
    const socket: Socket = realIo(url, options);
    state.socket = socket;
    const emit = socket.emit.bind(socket);
    socket.emit = ((event: string, ...args: unknown[]) => {
      if (event === 'signal' && state.dropSignals) {
        state.dropped += 1;
        return socket;
      }
      return emit(event, ...args);
    }) as Socket['emit'];
    const on = socket.on.bind(socket);
    socket.on = ((event: string, listener: Listener) =>
      on(event, (...args: unknown[]) => {
        if (!(state.deafToPeers && (event === 'peer-joined' || event === 'peer-left'))) listener(...args);
      })) as Socket['on'];
    return socket;
  };
  return {
    io,
    state,
    /** Drops the connection as a network failure would; socket.io reconnects and the mesh re-joins. */
    reconnect: () => state.socket?.io.engine.close(),
  };
}

/** Each test in a room of its own, so it counts only its own peers' connections. */
const ownRoom = (test: string) => ({ room: `lost-signals-test-${test}` });

describe('a connection attempt whose signals were lost while signaling was away', () => {
  const rig = useMeshRig(async (signalingUrl) => {
    const { room, authKey } = await deriveRoomAndAuthKey('lost signals test group key');
    return { signalingUrl, room, authKey, ...nodePeerDeps(), reconnect: { minMs: 100, maxMs: 1_000 }, connectTimeoutMs: 60_000, linkHeartbeatMs: 200 };
  });

  it('the dialling side lost its offer: it redials once it has re-joined', async () => {
    const b = rig.open('lost-b', ownRoom('offer'));
    await waitFor('b to join', () => b.joins.length === 1);
    const lossy = lossyIo();
    lossy.state.dropSignals = true;
    const a = rig.open('lost-a', { ...ownRoom('offer'), io: lossy.io }); // 'lost-a' < 'lost-b': a dials
    await waitFor("a's offer to be lost", () => lossy.state.dropped >= 1);
    lossy.state.dropSignals = false;
    lossy.reconnect();
    await waitFor('a to re-join', () => a.joins.length === 2 && a.lost === 1);
    await waitFor('the link to come up', () => a.ups.includes('lost-b') && b.ups.includes('lost-a'), 20_000);
    expect(a.mesh.send('lost-b', Uint8Array.of(1), 'control')).toBe(true);
    expect(b.mesh.send('lost-a', Uint8Array.of(2), 'control')).toBe(true);
    await waitFor('a message each way', () => a.messages.length === 1 && b.messages.length === 1);
    expect(a.mesh.stats().dropped.handshakeTimeout).toBe(0);
  });

  it('the answering side lost its answer and re-joined unseen: its hello makes the dialler restart', async () => {
    const lossy = lossyIo();
    const b = rig.open('hello-b', { ...ownRoom('hello'), io: lossy.io });
    await waitFor('b to join', () => b.joins.length === 1);
    lossy.state.dropSignals = true;
    const ofA = lossyIo();
    const a = rig.open('hello-a', { ...ownRoom('hello'), io: ofA.io }); // 'hello-a' < 'hello-b': a dials, b's answer is lost
    await waitFor("b's answer to be lost", () => lossy.state.dropped >= 1);
    // a does not hear b leave and join again (hints may be lost or late): only b's hello tells it.
    ofA.state.deafToPeers = true;
    lossy.state.dropSignals = false;
    lossy.reconnect();
    await waitFor('b to re-join', () => b.joins.length === 2);
    await waitFor('the link to come up', () => a.ups.includes('hello-b') && b.ups.includes('hello-a'), 20_000);
    expect(a.mesh.send('hello-b', Uint8Array.of(3), 'control')).toBe(true);
    await waitFor('a message', () => b.messages.length === 1);
  });

  it('a peer joining an idle room costs one connection on each side', async () => {
    const counted = { a: countingPeer(), b: countingPeer() };
    const a = rig.open('idle-a', { ...ownRoom('idle'), SimplePeer: counted.a.SimplePeer });
    await waitFor('a to join', () => a.joins.length === 1);
    const b = rig.open('idle-b', { ...ownRoom('idle'), SimplePeer: counted.b.SimplePeer }); // joins second, says hello
    await waitFor('the link to come up', () => a.ups.includes('idle-b') && b.ups.includes('idle-a'));
    expect([counted.a.built.count, counted.b.built.count]).toEqual([1, 1]);
  });
});
