// A peer gone for good (its identity departed: a closed tab never comes back under that id) is not
// dialled again: dropping its link after forgetPeer builds no new connection, where a plain
// dropPeer dials afresh at once (the stopped tab's identity may be adopted by a new one). Joining
// the room anew makes it dialable again. Real @roamhq/wrtc connections.
import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import { countingPeer, freezablePeer, useMeshRig } from './support/mesh-rig';
import { waitFor } from './support/wait';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('forgetPeer', () => {
  // Each test derives a room of its own; the base options only name the server.
  const rig = useMeshRig(async (signalingUrl) => ({
    signalingUrl,
    room: '',
    authKey: new Uint8Array(),
    ...nodePeerDeps(),
    reconnect: { minMs: 50, maxMs: 200 },
    linkHeartbeatMs: 200,
    linkTimeoutMs: 20_000,
  }));

  /**
   * In a room of their own, `dialer` ('<prefix>a') dials `gone` ('<prefix>b'), whose connections
   * outlive destroy() as a page that stopped running leaves them (it stays in the room).
   */
  async function pairThenStop(prefix: string) {
    const counting = countingPeer();
    const stopped = freezablePeer();
    stopped.freeze();
    rig.afterClose(stopped.release);
    const group = await deriveRoomAndAuthKey(`forget peer test group key ${prefix}`);
    const dialer = rig.open(`${prefix}a`, { ...group, SimplePeer: counting.SimplePeer });
    const gone = rig.open(`${prefix}b`, { ...group, SimplePeer: stopped.SimplePeer });
    await waitFor('the pair', () => dialer.mesh.peers().includes(`${prefix}b`) && gone.mesh.peers().includes(`${prefix}a`));
    expect(counting.built.count).toBe(1);
    return { dialer, gone, goneId: `${prefix}b`, built: counting.built, group };
  }

  it('a dropped peer that is still listed is dialled afresh at once (it may come back under that id)', async () => {
    const { dialer, goneId, built } = await pairThenStop('peer-d');
    dialer.mesh.dropPeer(goneId);
    expect(dialer.mesh.peers()).not.toContain(goneId);
    expect(built.count).toBe(2);
  });

  it('a forgotten peer keeps its live link, and once dropped it is never dialled again while it stays in the room', async () => {
    const { dialer, gone, goneId, built } = await pairThenStop('peer-f');
    dialer.mesh.forgetPeer(goneId);
    expect(dialer.mesh.peers()).toContain(goneId);
    const at = gone.messages.length;
    expect(dialer.mesh.send(goneId, Uint8Array.of(9), 'control')).toBe(true);
    await waitFor('a message over the kept link', () => gone.messages.length > at);
    dialer.mesh.dropPeer(goneId);
    expect(dialer.mesh.peers()).not.toContain(goneId);
    expect(dialer.mesh.roomPeers()).toContain(goneId); // the room listing stays what the server says
    await pause(1_000); // many times the reconnect backoff (50-200 ms)
    expect(built.count).toBe(1);
    expect(dialer.mesh.stats().linkDrops.peerGone).toBe(1);
  });

  it('a forgotten peer that joins the room anew is dialled again', async () => {
    const { dialer, gone, goneId, built, group } = await pairThenStop('peer-j');
    dialer.mesh.forgetPeer(goneId);
    dialer.mesh.dropPeer(goneId);
    await gone.mesh.close(); // leaves the room
    await waitFor('the server to say it left', () => !dialer.mesh.roomPeers().includes(goneId));
    const again = rig.open(goneId, group);
    await waitFor('the new instance to link up', () => dialer.mesh.peers().includes(goneId) && again.mesh.peers().includes(dialer.mesh.peerId));
    expect(built.count).toBe(2);
  });
});
