// The client answers each of the server's transport pings with 'alive', besides its timer. Chrome
// runs the timers of a tab hidden for minutes with no WebRTC connection (a group's lone tab) about
// once a minute; with the timer alone that tab was evicted as a ghost every minute, its room looking
// empty meanwhile (a new device finding it empty founds a second group). Pings are events: they
// arrive whatever the tab's timers do.
import { afterEach, describe, expect, it } from 'vitest';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';
import { SignalingClient } from '../src/signaling-client';

describe('signaling client whose alive timer barely runs (a throttled background tab)', () => {
  let server: SignalingServer | null = null;
  let client: SignalingClient | null = null;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('is not evicted as a ghost: the server pings, the client says alive', async () => {
    server = await startSignalingServer({ port: 0, ghostTimeoutMs: 1200, pingIntervalMs: 200, pingTimeoutMs: 2000 });
    let joins = 0;
    let lost = 0;
    client = new SignalingClient(
      // A timer that never fires within the test: what a throttled tab's would do.
      { url: `http://127.0.0.1:${server.port}`, room: 'alive-on-ping-room-0123456789', peerId: 'lone', aliveIntervalMs: 600_000, joinTimeoutMs: 2000, backoff: { minMs: 50, maxMs: 200 } },
      {
        joined: () => (joins += 1),
        lost: () => (lost += 1),
        peerJoined: () => {},
        peerLeft: () => {},
        signal: () => {},
        badMessage: () => {},
        reflected: () => {},
        error: () => {},
      },
    );
    await expect.poll(() => joins).toBe(1);
    // Three ghost timeouts pass.
    await new Promise((resolve) => setTimeout(resolve, 3600));
    expect(server.stats().ghostsEvicted).toBe(0);
    expect(lost).toBe(0);
    expect(joins).toBe(1);
    expect(client.isJoined).toBe(true);
  });
});
