// The handshake and frame handling of one link, over an in-memory fake of simple-peer.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deriveRoomAndAuthKey, importAuthKey } from '../src/group-key';
import { decodeFrame, encodeDataFrame, encodeHello, FrameKind, payloadPerFrame } from '../src/framing';
import { newMeshCounters, type MeshCounters } from '../src/mesh-counters';
import { PeerLink, type LinkClosedInfo, type PeerLinkContext } from '../src/peer-link';
import { MAX_CANDIDATE_CHARS, MAX_REMOTE_CANDIDATES } from '../src/remote-signal';
import type { MeshChannel, PeerSignal, SimplePeerInstance, SimplePeerOptions } from '../src/types';

type Handler = (...args: never[]) => void;

const FP_ALICE = 'AA:AA:AA:AA';
const FP_BOB = 'BB:BB:BB:BB';
const sdp = (fp: string) => `v=0\r\na=fingerprint:sha-256 ${fp}\r\n`;

/** A simple-peer stand-in: delivers sent bytes to its partner asynchronously, like a channel. */
class FakePeer implements SimplePeerInstance {
  static created: FakePeer[] = [];
  destroyed = false;
  partner: FakePeer | null = null;
  bufferSize = 0;
  /** Every frame this peer sent, for assertions on what a side revealed. */
  readonly sent: Uint8Array[] = [];
  /** What simple-peer keeps as `_pc`: the descriptions the fingerprints are read from. */
  _pc: { localDescription: { sdp: string } | null; remoteDescription: { sdp: string } | null } = {
    localDescription: null,
    remoteDescription: null,
  };
  readonly signals: PeerSignal[] = [];
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
  signal(data: PeerSignal): void {
    this.signals.push(data);
  }
  send(data: Uint8Array): void {
    const copy = data.slice();
    this.sent.push(copy);
    setTimeout(() => this.partner && !this.partner.destroyed && this.partner.emit('data', copy), 0);
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    setTimeout(() => this.emit('close'), 0);
    this.partner?.destroy();
  }
  kindsSent(): number[] {
    return this.sent.map((f) => f[0]);
  }
}

interface Side {
  link: PeerLink;
  fake: FakePeer;
  counters: MeshCounters;
  ups: number;
  closed: LinkClosedInfo[];
  messages: { bytes: Uint8Array; channel: MeshChannel }[];
}

const ROOM = 'room-0123456789abcdef';
const keys = new Map<string, Promise<CryptoKey>>();
const keyOf = (secret: string): Promise<CryptoKey> => {
  if (!keys.has(secret)) keys.set(secret, deriveRoomAndAuthKey(secret).then((d) => importAuthKey(d.authKey)));
  return keys.get(secret)!;
};
const RIGHT = 'the right group key, 32 chars ok';
const WRONG = 'a different group key, also long';

async function side(localId: string, remoteId: string, key: string, initiator: boolean): Promise<Side> {
  const c = newMeshCounters();
  const ctx: PeerLinkContext = {
    localId,
    room: ROOM,
    authKey: await keyOf(key),
    SimplePeer: FakePeer,
    iceServers: [],
    scheduler: { payloadBytes: payloadPerFrame(1024), highWaterMark: 8192, maxQueuedBytes: 1 << 20, maxMessageBytes: 1 << 20 },
    connectTimeoutMs: 30_000,
    backpressurePollMs: 5,
    liveness: { heartbeatMs: 20, timeoutMs: 200, probeTimeoutMs: 40 },
    counters: c,
  };
  const created = FakePeer.created.length;
  const s = { counters: c, ups: 0, closed: [], messages: [] } as unknown as Side;
  s.link = new PeerLink(ctx, remoteId, initiator, 'abc', {
    signal: () => undefined,
    up: () => (s.ups += 1),
    message: (bytes, channel) => s.messages.push({ bytes, channel }),
    drain: () => undefined,
    closed: (info) => s.closed.push(info),
  });
  s.fake = FakePeer.created[created];
  return s;
}

/**
 * Two linked sides. `seen` sets the fingerprints each side reads: by default each sees its own
 * certificate locally and the other's remotely, as through a direct connection.
 */
async function pair(
  keyA = RIGHT,
  keyB = RIGHT,
  seen = { a: { local: FP_ALICE, remote: FP_BOB }, b: { local: FP_BOB, remote: FP_ALICE } },
): Promise<{ a: Side; b: Side }> {
  const a = await side('alice', 'bob', keyA, true);
  const b = await side('bob', 'alice', keyB, false);
  a.fake.partner = b.fake;
  b.fake.partner = a.fake;
  a.fake._pc = { localDescription: { sdp: sdp(seen.a.local) }, remoteDescription: { sdp: sdp(seen.a.remote) } };
  b.fake._pc = { localDescription: { sdp: sdp(seen.b.local) }, remoteDescription: { sdp: sdp(seen.b.remote) } };
  return { a, b };
}

/** Lets the fake channel and WebCrypto run until `done` holds (bounded by rounds, not time). */
async function until(done: () => boolean, rounds = 500): Promise<void> {
  for (let i = 0; i < rounds && !done(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(done()).toBe(true);
}

const connect = (...sides: Side[]) => sides.forEach((s) => s.fake.emit('connect'));

afterEach(() => {
  vi.restoreAllMocks();
  FakePeer.created = [];
});

describe('PeerLink handshake v2', () => {
  it('authenticates both sides, then carries messages of both channels', async () => {
    const { a, b } = await pair();
    b.fake.emit('connect'); // the responder may connect first
    await until(() => b.fake.sent.length === 1);
    a.fake.emit('connect');
    await until(() => a.ups === 1 && b.ups === 1);
    expect(a.link.send(new Uint8Array(5000).fill(9), 'bulk')).toBe('queued');
    expect(b.link.send(Uint8Array.of(1, 2), 'control')).toBe('queued');
    await until(() => b.messages.length === 1 && a.messages.length === 1);
    expect(b.messages).toEqual([{ bytes: new Uint8Array(5000).fill(9), channel: 'bulk' }]);
    expect(a.messages).toEqual([{ bytes: Uint8Array.of(1, 2), channel: 'control' }]);
    // Wire order: HELLO both ways, the initiator proves first, then the responder, then AUTH_OK.
    expect(a.fake.kindsSent().slice(0, 3)).toEqual([FrameKind.hello, FrameKind.proof, FrameKind.authOk]);
    expect(b.fake.kindsSent().slice(0, 2)).toEqual([FrameKind.hello, FrameKind.proof]);
    expect(a.counters.dropped).toMatchObject({ badFrame: 0, unauthenticated: 0, authFailed: 0 });
    a.link.close();
  });

  it('refuses sends before authentication', async () => {
    const { a } = await pair();
    expect(a.link.send(Uint8Array.of(1), 'control')).toBe('notUp');
    a.link.close();
  });

  it('drops application frames that arrive before the handshake, and garbage, without throwing', async () => {
    const { a, b } = await pair();
    connect(a, b);
    // An impatient peer sends data before proving anything; then some junk.
    b.fake.send(encodeDataFrame('control', 0, Uint8Array.of(7), 0, payloadPerFrame(1024)));
    b.fake.send(Uint8Array.of(250, 1, 2));
    b.fake.send(new Uint8Array(0));
    await until(() => a.ups === 1 && b.ups === 1);
    expect(a.counters.dropped.unauthenticated).toBe(1);
    expect(a.counters.dropped.badFrame).toBe(2);
    expect(a.messages).toEqual([]);
    a.link.close();
  });

  it('a responder never proves itself to an initiator whose proof is wrong', async () => {
    const { a, b } = await pair(WRONG, RIGHT);
    connect(a, b);
    await until(() => b.closed.length === 1 && a.closed.length === 1);
    expect([a.ups, b.ups]).toEqual([0, 0]);
    expect(b.counters.dropped.authFailed).toBe(1);
    expect(b.closed[0]).toMatchObject({ reason: 'refused', refusal: 'authFailed' });
    expect(b.fake.kindsSent()).toEqual([FrameKind.hello, FrameKind.refuse]); // no PROOF ever left the responder
    // The initiator learns from the REFUSE frame and counts the refusal too.
    expect(a.closed[0]).toMatchObject({ reason: 'refused', refusal: 'authFailed' });
    expect(a.counters.dropped.authFailed).toBe(1);
  });

  it('an initiator refuses a wrong responder proof', async () => {
    const a = await side('alice', 'bob', RIGHT, true);
    a.fake._pc = { localDescription: { sdp: sdp(FP_ALICE) }, remoteDescription: { sdp: sdp(FP_BOB) } };
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    a.fake.emit('connect');
    a.fake.emit('data', encodeHello(2, new Uint8Array(32).fill(5)));
    await until(() => a.fake.kindsSent().includes(FrameKind.proof));
    a.fake.emit('data', Uint8Array.of(FrameKind.proof, ...new Uint8Array(32).fill(9)));
    await until(() => a.closed.length === 1);
    expect(a.closed[0]).toMatchObject({ reason: 'refused', refusal: 'authFailed' });
    expect(a.ups).toBe(0);
    expect(a.fake.kindsSent()).not.toContain(FrameKind.authOk);
  });

  it('fails when the two ends see different certificates (a relay in the middle), even with the right key', async () => {
    const relayed = {
      a: { local: FP_ALICE, remote: 'EE:EE:EE:EE' }, // alice's leg ends at the relay's first certificate
      b: { local: FP_BOB, remote: 'FF:FF:FF:FF' }, // bob's leg ends at its second one
    };
    const { a, b } = await pair(RIGHT, RIGHT, relayed);
    connect(a, b);
    await until(() => b.closed.length === 1);
    expect(b.closed[0]).toMatchObject({ reason: 'refused', refusal: 'authFailed' });
    expect(b.fake.kindsSent()).not.toContain(FrameKind.proof);
    expect([a.ups, b.ups]).toEqual([0, 0]);
  });

  it('refuses its own HELLO echoed back (reflection)', async () => {
    const a = await side('alice', 'bob', RIGHT, true);
    a.fake.partner = a.fake; // everything alice sends comes straight back
    a.fake._pc = { localDescription: { sdp: sdp(FP_ALICE) }, remoteDescription: { sdp: sdp(FP_ALICE) } };
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    a.fake.emit('connect');
    await until(() => a.closed.length === 1);
    expect(a.closed[0]).toMatchObject({ reason: 'refused', refusal: 'reflected' });
    expect(a.counters.dropped.reflected).toBe(1);
    expect(a.fake.kindsSent()).toEqual([FrameKind.hello]);
  });

  it('refuses a link whose remote id is our own', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const self = await side('alice', 'alice', RIGHT, true);
    await until(() => self.closed.length === 1);
    expect(self.closed[0]).toMatchObject({ refusal: 'reflected' });
  });

  it('refuses when the DTLS fingerprints cannot be read', async () => {
    const { a, b } = await pair();
    a.fake._pc = { localDescription: null, remoteDescription: null };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    connect(a, b);
    await until(() => a.closed.length === 1);
    expect(a.closed[0]).toMatchObject({ refusal: 'noFingerprint' });
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/fingerprints/));
    b.link.close();
  });
});

describe('PeerLink handshake versions', () => {
  it('refuses a v1 peer clearly and sends it a v1 proof it will reject', async () => {
    const { a, b } = await pair();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    b.fake.emit('connect');
    // a speaks v1: its first frame is a CHALLENGE (kind 2) with a 32-byte nonce.
    const challenge = new Uint8Array(33);
    challenge[0] = 2;
    b.fake.emit('data', challenge);
    await until(() => b.closed.length === 1);
    expect(b.closed[0]).toMatchObject({ reason: 'refused', refusal: 'versionMismatch' });
    expect(b.counters.dropped.versionMismatch).toBe(1);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/handshake v1.*v2/));
    expect(b.fake.kindsSent()).toContain(3); // the v1 PROOF frame: a v1 peer counts an auth failure
    a.link.close();
  });

  it('refuses another version with a REFUSE frame, and the receiver of REFUSE reports it too', async () => {
    const { a, b } = await pair();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    connect(a, b);
    b.fake.emit('data', encodeHello(3, new Uint8Array(32)));
    await until(() => b.closed.length === 1 && a.closed.length === 1);
    expect(b.closed[0]).toMatchObject({ refusal: 'versionMismatch' });
    const refuse = b.fake.sent.map((f) => decodeFrame(f)).find((f) => f?.kind === 'refuse');
    expect(refuse).toEqual({ kind: 'refuse', reason: 1, version: 2 });
    // a received b's REFUSE (b thinks a speaks v3): a reports the mismatch as well.
    expect(a.closed[0]).toMatchObject({ refusal: 'versionMismatch' });
    expect(warn.mock.calls.some(([m]) => /it speaks handshake v2/.test(String(m)))).toBe(true);
  });
});

describe('PeerLink signals and liveness', () => {
  it('applies one description, then only candidates (no renegotiation)', async () => {
    const a = await side('alice', 'bob', RIGHT, true);
    a.link.signal({ type: 'offer', sdp: sdp(FP_BOB) }); // an initiator takes an answer, not an offer
    a.link.signal({ type: 'answer', sdp: sdp(FP_BOB) });
    a.link.signal({ type: 'answer', sdp: sdp('EE:EE') }); // a second description
    a.link.signal({ type: 'candidate', candidate: { candidate: 'x', sdpMid: '0' } });
    a.link.signal({ renegotiate: true });
    expect(a.fake.signals.map((s) => s.type)).toEqual(['answer', 'candidate']);
    expect(a.counters.dropped.badSignal).toBe(3);
    a.link.close();
  });

  it('hands simple-peer only the checked fields of a signal, and drops malformed candidates', async () => {
    const a = await side('alice', 'bob', RIGHT, true);
    // Extra fields drive simple-peer features (a bogus transceiverRequest makes it destroy the
    // connection): they never reach it.
    a.link.signal({ type: 'answer', sdp: sdp(FP_BOB), renegotiate: true, transceiverRequest: { kind: 'bogus' } });
    a.link.signal({ type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0, extra: 1 }, transceiverRequest: { kind: 'bogus' } });
    const malformed: PeerSignal[] = [
      { type: 'candidate', candidate: { candidate: 'x'.repeat(MAX_CANDIDATE_CHARS + 1), sdpMid: '0' } },
      { type: 'candidate', candidate: { candidate: 7, sdpMid: '0' } },
      { type: 'candidate', candidate: { candidate: 'x' } }, // neither sdpMid nor sdpMLineIndex
      { type: 'candidate', candidate: { candidate: 'x', sdpMLineIndex: -1 } },
      { type: 'candidate', candidate: { candidate: 'x', sdpMid: { toString: 1 } } },
      { type: 'candidate', candidate: ['x'] },
      { type: 'offer', sdp: 42 },
    ];
    for (const signal of malformed) a.link.signal(signal);
    expect(a.fake.signals).toEqual([
      { type: 'answer', sdp: sdp(FP_BOB) },
      { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 } },
    ]);
    expect(a.counters.dropped.badSignal).toBe(malformed.length);
    a.link.close();
  });

  it('accepts at most MAX_REMOTE_CANDIDATES candidates per link and counts the rest', async () => {
    const a = await side('alice', 'bob', RIGHT, true);
    // Before the answer: simple-peer would queue every one of them.
    for (let i = 0; i < MAX_REMOTE_CANDIDATES + 10; i++) a.link.signal({ type: 'candidate', candidate: { candidate: `c${i}`, sdpMid: '0' } });
    expect(a.fake.signals.length).toBe(MAX_REMOTE_CANDIDATES);
    expect(a.counters.dropped.badSignal).toBe(10);
    a.link.close();
  });

  it('takes no signal once its channel is open, while authenticating or up', async () => {
    const { a, b } = await pair();
    a.link.signal({ type: 'answer', sdp: sdp(FP_BOB) });
    const candidate = { type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 203.0.113.5 9 typ host', sdpMid: 'bogus' } };
    connect(a, b); // authenticating
    a.link.signal(candidate);
    await until(() => a.ups === 1 && b.ups === 1);
    a.link.signal(candidate);
    b.link.signal(candidate);
    b.link.signal({ type: 'offer', sdp: sdp(FP_ALICE) });
    expect(a.fake.signals.map((s) => s.type)).toEqual(['answer']);
    expect(b.fake.signals).toEqual([]);
    expect([a.counters.dropped.badSignal, b.counters.dropped.badSignal]).toEqual([2, 2]);
    a.link.close();
  });

  it('exchanges heartbeats while up and closes a link that goes silent', async () => {
    const { a, b } = await pair();
    connect(a, b);
    await until(() => a.ups === 1 && b.ups === 1);
    await until(() => a.counters.heartbeatsIn >= 3 && b.counters.heartbeatsIn >= 3);
    expect(a.closed).toEqual([]);
    b.fake.partner = null; // b's frames stop arriving, its channel does not close
    await until(() => a.closed.length === 1);
    expect(a.closed[0]).toEqual({ wasUp: true, reason: 'heartbeatTimeout' });
    b.link.close();
  });

  it('a probe keeps a link whose peer answers', async () => {
    const { a, b } = await pair();
    connect(a, b);
    await until(() => a.ups === 1 && b.ups === 1);
    const before = a.counters.heartbeatsIn;
    a.link.probe();
    await until(() => a.counters.heartbeatsIn >= before + 5);
    expect(a.link.isUp).toBe(true);
    expect(a.fake.sent.some((f) => f[0] === FrameKind.heartbeat && f[1] === 1)).toBe(true);
    a.link.close();
  });
});
