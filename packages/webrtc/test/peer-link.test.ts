// The handshake and frame handling of one link, over an in-memory fake of simple-peer.
import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey, importAuthKey } from '../src/auth';
import { encodeDataFrame, payloadPerFrame } from '../src/framing';
import { PeerLink, type LinkCloseReason, type MeshCounters, type PeerLinkContext } from '../src/peer-link';
import type { MeshChannel, PeerSignal, SimplePeerInstance, SimplePeerOptions } from '../src/types';

type Handler = (...args: never[]) => void;

/** A simple-peer stand-in: delivers sent bytes to its partner asynchronously, like a channel. */
class FakePeer implements SimplePeerInstance {
  static created: FakePeer[] = [];
  destroyed = false;
  partner: FakePeer | null = null;
  bufferSize = 0;
  private readonly handlers = new Map<string, Handler[]>();
  constructor(readonly options: SimplePeerOptions) {
    FakePeer.created.push(this);
  }
  on(event: string, listener: Handler): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const h of this.handlers.get(event) ?? []) (h as (...a: unknown[]) => void)(...args);
  }
  signal(_data: PeerSignal): void {}
  send(data: Uint8Array): void {
    const copy = data.slice();
    setTimeout(() => this.partner && !this.partner.destroyed && this.partner.emit('data', copy), 0);
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setTimeout(() => this.emit('close'), 0);
    this.partner?.destroy();
  }
}

function counters(): MeshCounters {
  return {
    framesIn: 0,
    framesOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    dropped: { badFrame: 0, tooLarge: 0, unauthenticated: 0, authFailed: 0, queueFull: 0, badSignal: 0 },
  };
}

interface Side {
  link: PeerLink;
  counters: MeshCounters;
  ups: number;
  closed: LinkCloseReason[];
  messages: { bytes: Uint8Array; channel: MeshChannel }[];
}

async function pair(keyA: string, keyB: string): Promise<{ a: Side; b: Side; fakes: FakePeer[] }> {
  FakePeer.created = [];
  const side = async (localId: string, remoteId: string, key: string, initiator: boolean): Promise<Side> => {
    const c = counters();
    const ctx: PeerLinkContext = {
      localId,
      authKey: await importAuthKey((await deriveRoomAndAuthKey(key)).authKey),
      SimplePeer: FakePeer,
      iceServers: [],
      scheduler: { payloadBytes: payloadPerFrame(1024), highWaterMark: 8192, maxQueuedBytes: 1 << 20, maxMessageBytes: 1 << 20 },
      connectTimeoutMs: 30_000,
      backpressurePollMs: 5,
      counters: c,
    };
    const s: Side = { counters: c, ups: 0, closed: [], messages: [], link: null as unknown as PeerLink };
    s.link = new PeerLink(ctx, remoteId, initiator, 'abc', {
      signal: () => undefined,
      up: () => (s.ups += 1),
      message: (bytes, channel) => s.messages.push({ bytes, channel }),
      drain: () => undefined,
      closed: ({ reason }) => s.closed.push(reason),
    });
    return s;
  };
  const a = await side('alice', 'bob', keyA, true);
  const b = await side('bob', 'alice', keyB, false);
  const fakes = [...FakePeer.created];
  fakes[0].partner = fakes[1];
  fakes[1].partner = fakes[0];
  return { a, b, fakes };
}

const settle = async (rounds = 20): Promise<void> => {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 1));
};

describe('PeerLink handshake', () => {
  it('authenticates both sides, then carries messages of both channels', async () => {
    const { a, b, fakes } = await pair('k', 'k');
    fakes[1].emit('connect'); // the responder may connect first; the challenge waits for it
    await settle(3);
    fakes[0].emit('connect');
    await settle();
    expect([a.ups, b.ups]).toEqual([1, 1]);
    expect(a.link.send(new Uint8Array(5000).fill(9), 'bulk')).toBe('queued');
    expect(b.link.send(Uint8Array.of(1, 2), 'control')).toBe('queued');
    await settle();
    expect(b.messages).toEqual([{ bytes: new Uint8Array(5000).fill(9), channel: 'bulk' }]);
    expect(a.messages).toEqual([{ bytes: Uint8Array.of(1, 2), channel: 'control' }]);
    expect(a.counters.dropped).toMatchObject({ badFrame: 0, unauthenticated: 0, authFailed: 0 });
  });

  it('refuses sends before authentication', async () => {
    const { a } = await pair('k', 'k');
    expect(a.link.send(Uint8Array.of(1), 'control')).toBe('notUp');
    a.link.close();
  });

  it('drops application frames that arrive before the handshake, and garbage, without throwing', async () => {
    const { a, b, fakes } = await pair('k', 'k');
    fakes[0].emit('connect');
    fakes[1].emit('connect');
    // An impatient peer sends data before proving anything; then some junk.
    fakes[1].send(encodeDataFrame('control', 0, Uint8Array.of(7), 0, payloadPerFrame(1024)));
    fakes[1].send(Uint8Array.of(250, 1, 2));
    fakes[1].send(new Uint8Array(0));
    await settle();
    expect(a.counters.dropped.unauthenticated).toBe(1);
    expect(a.counters.dropped.badFrame).toBe(2);
    expect(a.messages).toEqual([]);
    expect([a.ups, b.ups]).toEqual([1, 1]); // the handshake itself still completes
  });

  it('tears the link down on a wrong proof and emits nothing', async () => {
    const { a, b, fakes } = await pair('right key', 'wrong key');
    fakes[0].emit('connect');
    fakes[1].emit('connect');
    await settle();
    expect([a.ups, b.ups]).toEqual([0, 0]);
    expect(a.counters.dropped.authFailed + b.counters.dropped.authFailed).toBeGreaterThanOrEqual(1);
    expect([...a.closed, ...b.closed]).toContain('authFailed');
    expect(a.link.isClosed && b.link.isClosed).toBe(true);
    expect(fakes.every((f) => f.destroyed)).toBe(true);
  });
});
