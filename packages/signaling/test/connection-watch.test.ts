// ConnectionWatch against a fake engine.io connection and a fake WebSocket: what it counts as
// queued, and which pongs count as proof of reading (driven by a fake clock).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { SignalingSocket } from '../src/connection-handler';
import { ConnectionWatch } from '../src/connection-watch';

class FakeWebSocket extends EventEmitter {
  bufferedAmount = 0;
  readyState = 1;
  pings: Buffer[] = [];
  terminated = false;
  ping(data: Buffer): void {
    this.pings.push(data);
  }
  terminate(): void {
    this.terminated = true;
  }
}

function setup() {
  const clock = { now: 1000 };
  const ws = new FakeWebSocket();
  const conn = Object.assign(new EventEmitter(), { transport: { socket: ws } });
  const seen = { queued: [] as number[], answered: 0 };
  const watch = new ConnectionWatch(
    conn as unknown as SignalingSocket['conn'],
    { queued: (bytes) => seen.queued.push(bytes), probeAnswered: () => (seen.answered += 1) },
    () => clock.now,
  );
  return { clock, ws, conn, seen, watch };
}

describe('ConnectionWatch', () => {
  it("counts engine.io's write buffer until it is flushed, plus the WebSocket's unsent bytes", () => {
    const { ws, conn, seen, watch } = setup();
    conn.emit('packetCreate', { data: 'x'.repeat(100) });
    conn.emit('packetCreate', { data: '€' }); // UTF-8 bytes, not characters
    conn.emit('packetCreate', { data: new Uint8Array(50) });
    expect(seen.queued).toEqual([100, 103, 153]);
    conn.emit('flush');
    ws.bufferedAmount = 153;
    expect(watch.queuedBytes()).toBe(153);
    conn.emit('packetCreate', { data: 'y'.repeat(10) });
    expect(seen.queued.at(-1)).toBe(163);
    watch.terminate();
    expect(ws.terminated).toBe(true);
  });

  it('takes only echoed nonces as proof of reading, dated when the probe was sent', () => {
    const { clock, ws, seen, watch } = setup();
    expect(watch.lastReadProofMs).toBe(1000);
    clock.now = 2000;
    expect(watch.probe(0)).toBe(true);
    clock.now = 3000;
    expect(watch.probe(0)).toBe(true);
    const [first, second] = ws.pings;
    expect(first.equals(second)).toBe(false);

    clock.now = 9000;
    ws.emit('pong', Buffer.from('forged-nonce'));
    ws.emit('pong', Buffer.alloc(0)); // what a blind client could send
    expect(watch.lastReadProofMs).toBe(1000);
    expect(seen.answered).toBe(0);

    ws.emit('pong', first);
    expect(watch.lastReadProofMs).toBe(2000); // the send time, not the time it came back
    ws.emit('pong', second);
    expect(watch.lastReadProofMs).toBe(3000);
    ws.emit('pong', second); // a replay proves nothing new
    expect(seen.answered).toBe(2);
  });

  it('forgets probes older than the deadline and sends none on a closing socket', () => {
    const { clock, ws, watch } = setup();
    clock.now = 2000;
    watch.probe(0);
    const old = ws.pings[0];
    clock.now = 10_000;
    watch.probe(5000); // the probe sent at 2000 is past the deadline: dropped from the table
    ws.emit('pong', old);
    expect(watch.lastReadProofMs).toBe(1000);
    ws.readyState = 2;
    expect(watch.probe(5000)).toBe(false);
    expect(ws.pings).toHaveLength(2);
  });
});
