// A mesh that cannot run at all (its auth key or WebRTC library failed to load) says so for good
// with 'failed', so whoever waits for its join answer stops waiting; it never dials or joins.
import { describe, expect, it } from 'vitest';
import { createPeerMesh } from '../src/index';
import { SimplePeer } from '../src/simple-peer-node';

describe('a mesh that cannot start', () => {
  it("emits 'failed' (and 'error') once, and never 'joined'", async () => {
    const mesh = createPeerMesh({
      signalingUrl: 'http://127.0.0.1:9', // never reached
      room: 'failed-room-0123456789',
      peerId: 'alice',
      authKey: new Uint8Array(3), // refused by the key import
      SimplePeer,
    });
    const events: string[] = [];
    mesh.on('failed', (error) => events.push(`failed: ${error.message}`));
    mesh.on('error', () => events.push('error'));
    mesh.on('joined', () => events.push('joined'));
    await expect.poll(() => events.length).toBe(2);
    expect(events[0]).toBe('error');
    expect(events[1]).toMatch(/^failed: /);
    await mesh.close();
  });

});
