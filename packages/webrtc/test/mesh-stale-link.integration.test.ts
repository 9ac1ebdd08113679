// A peer that vanishes without closing its connections (a crashed or frozen tab) and comes back
// with the same id: the other side's link still looks up. The mesh must admit the new instance
// quickly without ever closing a live link on the server's word. Real @roamhq/wrtc connections.
import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey } from '../src/index';
import { nodePeerDeps } from '../src/simple-peer-node';
import { freezablePeer, useMeshRig } from './support/mesh-rig';
import { waitFor } from './support/wait';

describe('a peer that comes back while its old link still looks up', () => {
  const rig = useMeshRig(async (signalingUrl) => {
    const { room, authKey } = await deriveRoomAndAuthKey('stale link test group key');
    return { signalingUrl, room, authKey, ...nodePeerDeps(), reconnect: { minMs: 100, maxMs: 1_000 }, linkHeartbeatMs: 200, linkTimeoutMs: 20_000 };
  });

  // linkTimeoutMs is long (20 s) in these tests: the stale link must go because of the new
  // instance, well before silence alone would close it.

  it('the dialling side came back: its new authenticated link replaces the stale one', async () => {
    const x = rig.open('peer-x');
    const frozen = freezablePeer();
    rig.afterClose(frozen.release);
    const first = rig.open('peer-0', { SimplePeer: frozen.SimplePeer }); // 'peer-0' < 'peer-x': it dials
    await waitFor('the pair', () => x.mesh.peers().includes('peer-0'));
    frozen.freeze();
    await first.mesh.close(); // leaves the room; its connection stays open but nobody answers on it
    expect(x.mesh.peers()).toContain('peer-0'); // still looks up on x's side
    const again = rig.open('peer-0');
    await waitFor('x to admit the new instance', () => again.mesh.peers().includes('peer-x'));
    await waitFor('the stale link to be replaced', () => x.mesh.stats().linkDrops.replaced === 1);
    expect(x.mesh.stats().linkDrops).toMatchObject({ heartbeatTimeout: 0, replaced: 1 });
    expect(x.downs.filter((id) => id === 'peer-0')).toHaveLength(1);
    const at = again.messages.length;
    expect(x.mesh.send('peer-0', Uint8Array.of(5), 'control')).toBe(true);
    await waitFor('a message to the new instance', () => again.messages.length > at);
  });

  it('the answering side came back: its "dial me" makes the dialler probe the stale link, which fails', async () => {
    const x = rig.open('peer-y');
    const frozen = freezablePeer();
    rig.afterClose(frozen.release);
    const first = rig.open('peer-z', { SimplePeer: frozen.SimplePeer }); // 'peer-y' < 'peer-z': y dials
    await waitFor('the pair', () => x.mesh.peers().includes('peer-z'));
    frozen.freeze();
    await first.mesh.close();
    const again = rig.open('peer-z');
    await waitFor('y to reach the new instance', () => again.mesh.peers().includes('peer-y') && x.mesh.peers().includes('peer-z'));
    // Closed by the failed probe (no reply over the stale link), not by anything the server said.
    expect(x.mesh.stats().linkDrops).toMatchObject({ heartbeatTimeout: 1, replaced: 0, channelClosed: 0 });
    const at = again.messages.length;
    expect(x.mesh.send('peer-z', Uint8Array.of(6), 'control')).toBe(true);
    await waitFor('a message to the new instance', () => again.messages.length > at);
  });

  it('the caller knows the peer stopped (dropPeer): the stale link closes at once, and the new instance connects without a probe', async () => {
    const x = rig.open('peer-m');
    const frozen = freezablePeer();
    rig.afterClose(frozen.release);
    const first = rig.open('peer-n', { SimplePeer: frozen.SimplePeer }); // 'peer-m' < 'peer-n': m dials
    await waitFor('the pair', () => x.mesh.peers().includes('peer-n'));
    frozen.freeze();
    await first.mesh.close();
    expect(x.mesh.peers()).toContain('peer-n'); // still looks up
    x.mesh.dropPeer('peer-n');
    expect(x.mesh.peers()).not.toContain('peer-n');
    expect(x.downs.filter((id) => id === 'peer-n')).toHaveLength(1);
    const again = rig.open('peer-n');
    await waitFor('m to reach the new instance', () => again.mesh.peers().includes('peer-m') && x.mesh.peers().includes('peer-n'));
    expect(x.mesh.stats().linkDrops).toMatchObject({ peerGone: 1, heartbeatTimeout: 0, replaced: 0, channelClosed: 0 });
    const at = again.messages.length;
    expect(x.mesh.send('peer-n', Uint8Array.of(7), 'control')).toBe(true);
    await waitFor('a message to the new instance', () => again.messages.length > at);
    x.mesh.dropPeer('peer-unknown'); // no link: nothing happens
    expect(x.mesh.stats().linkDrops.peerGone).toBe(1);
  });
});
