import { describe, expect, it } from 'vitest';
import type { Message } from '@meshraft/core';
import { FrameRelay, type DecodeOutcome } from '../src/runtime/frame-relay';
import { channelFor, CONTROL_MAX_BYTES } from '../src/runtime/channel';
import { transferableBuffer } from '../src/runtime/transfer';

// A stand-in codec: JSON, so the relay's bookkeeping is tested without depending on cbor.
const encode = (m: Message) => new TextEncoder().encode(JSON.stringify(m));
function decode(bytes: Uint8Array): DecodeOutcome {
  try {
    const value = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof value?.type !== 'string') return { ok: false, reason: 'bad-shape' };
    return { ok: true, message: value as Message };
  } catch {
    return { ok: false, reason: 'bad-cbor' };
  }
}

const heartbeat: Message = { type: 'Heartbeat', term: 2, commit: 5, round: 1 };
const append: Message = {
  type: 'AppendEntries', term: 2, prevLogIndex: 0, prevLogTerm: 0, leaderCommit: 0,
  entries: [{ kind: 'noop', index: 1, term: 2 }],
};

describe('FrameRelay', () => {
  it('delivers decoded frames and counts them per sender', () => {
    const delivered: Array<[string, Message]> = [];
    const relay = new FrameRelay({ decode, encode, deliver: (f, m) => delivered.push([f, m]), transmit: () => {} });
    relay.inbound('a', encode(heartbeat));
    relay.inbound('a', encode(heartbeat));
    relay.inbound('b', encode(append));
    expect(delivered.map(([f]) => f)).toEqual(['a', 'a', 'b']);
    expect(relay.stats()).toMatchObject({ framesIn: 3, droppedTotal: 0, acceptedFrom: { a: 2, b: 1 }, entriesIn: 1 });
  });

  it('drops and counts bad frames without delivering or throwing', () => {
    const delivered: Message[] = [];
    const throwing = () => {
      throw new Error('codec bug');
    };
    const relay = new FrameRelay({ decode, encode, deliver: (_f, m) => delivered.push(m), transmit: () => {} });
    relay.inbound('x', new Uint8Array([0xff, 0x00, 0x13]));
    relay.inbound('x', encode({ nope: true } as unknown as Message));
    const fragile = new FrameRelay({ decode: throwing, encode, deliver: () => delivered.push(heartbeat), transmit: () => {} });
    expect(() => fragile.inbound('x', new Uint8Array([1]))).not.toThrow();
    expect(delivered).toEqual([]);
    expect(relay.stats()).toMatchObject({ framesIn: 0, droppedTotal: 2, dropped: { 'bad-cbor': 1, 'bad-shape': 1 }, acceptedFrom: {} });
    expect(fragile.stats().droppedTotal).toBe(1);
  });

  it('encodes outbound messages onto the right channel', () => {
    const sent: Array<[string, string]> = [];
    const relay = new FrameRelay({ decode, encode, deliver: () => {}, transmit: (to, _b, ch) => sent.push([to, ch]) });
    relay.outbound('b', heartbeat);
    relay.outbound('c', append);
    expect(sent).toEqual([['b', 'control'], ['c', 'bulk']]);
    expect(relay.stats().sentOn).toEqual({ control: 1, bulk: 1 });
  });
});

describe('channelFor', () => {
  it('keeps elections and heartbeats on control, data on bulk', () => {
    expect(channelFor({ type: 'RequestVote', term: 1, lastLogIndex: 0, lastLogTerm: 0 }, 40)).toBe('control');
    expect(channelFor({ ...append, entries: [] } as Message, 40)).toBe('control');
    expect(channelFor(append, 40)).toBe('bulk');
    expect(channelFor({ type: 'FetchEntriesResponse', requestId: 1, senderTerm: 1, entries: [] }, 20)).toBe('bulk');
    expect(channelFor({ type: 'ForwardCommands', requestId: 1, client: { clientId: 'c', seq: 1 }, commands: [] }, CONTROL_MAX_BYTES + 1)).toBe('bulk');
  });
});

describe('transferableBuffer', () => {
  it('never hands out a buffer shared with other views', () => {
    const scratch = new Uint8Array(64);
    scratch.set([1, 2, 3], 8);
    const view = scratch.subarray(8, 11);
    const buffer = transferableBuffer(view, true);
    expect(buffer).not.toBe(scratch.buffer);
    expect([...new Uint8Array(buffer)]).toEqual([1, 2, 3]);
    const whole = new Uint8Array([4, 5]);
    expect(transferableBuffer(whole, true)).toBe(whole.buffer);
    expect(transferableBuffer(whole)).not.toBe(whole.buffer);
  });
});
