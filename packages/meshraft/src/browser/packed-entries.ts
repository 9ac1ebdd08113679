// Compact forms of the two messages that carry many small byte arrays between the main thread and
// the engine Worker: 'apply' (committed entries) and 'propose' (encoded commands). Structured clone
// copies every Uint8Array as its own ArrayBuffer, which for a batch of 2,000 commands made decoding
// one message a long task on the UI thread. Packed, all command bytes travel in one transferred
// buffer with typed arrays of offsets and numbers beside it; unpacking makes views into it.
import { packEntries, unpackEntries, type ApplyNotice, type ClientTag, type ClientToHost, type HostToClient, type PackedEntries, type ProposeRequest, type Snapshot } from '@meshraft/core';
import { fillsOwnBuffer } from '../runtime/transfer';

export interface PackedApply {
  type: 'apply-packed';
  snapshot: ApplyNotice['snapshot'];
  entries: PackedEntries;
}

export interface PackedPropose {
  type: 'propose-packed';
  requestId: number;
  client: ClientTag;
  bytes: Uint8Array;
  ends: Uint32Array;
}

/** Below this many entries or commands a plain message is as cheap. */
const PACK_FROM = 16;

function packCommands(commands: Uint8Array[]): { bytes: Uint8Array; ends: Uint32Array } {
  let total = 0;
  for (const c of commands) total += c.byteLength;
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(commands.length);
  let offset = 0;
  commands.forEach((c, i) => {
    bytes.set(c, offset);
    offset += c.byteLength;
    ends[i] = offset;
  });
  return { bytes, ends };
}

function unpackCommands(bytes: Uint8Array, ends: Uint32Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (const end of ends) {
    out.push(bytes.subarray(start, end));
    start = end;
  }
  return out;
}

/**
 * The buffer of a snapshot's bytes when a port may transfer it: the protocol makes a snapshot in
 * an 'apply' or 'snapshot' message the receiver's own, and a 10 MB image cloned instead cost the
 * UI thread a long task. Only a buffer the bytes fill exactly: a view into a larger one shares it.
 */
function snapshotBuffer(snapshot: Snapshot | null): ArrayBuffer[] {
  const data = snapshot?.data;
  return data && fillsOwnBuffer(data) ? [data.buffer] : [];
}

/**
 * Whether a command's bytes are a view into a larger buffer (a decoded frame's entries share one
 * copy): structured clone would copy all of that buffer for them, so such entries travel packed.
 */
function sharesBuffers(entries: ApplyNotice['entries']): boolean {
  return entries.some((e) => e.kind === 'command' && !fillsOwnBuffer(e.data));
}

/** A message as it crosses the MessagePort, and the buffers to transfer with it. */
export function toWire(message: unknown): { wire: unknown; transfer: ArrayBuffer[] } {
  const m = message as HostToClient | ClientToHost;
  if (m.type === 'apply' && (m.entries.length >= PACK_FROM || sharesBuffers(m.entries))) {
    const entries = packEntries(m.entries);
    return { wire: { type: 'apply-packed', snapshot: m.snapshot, entries } satisfies PackedApply, transfer: [entries.bytes.buffer as ArrayBuffer, ...snapshotBuffer(m.snapshot)] };
  }
  if (m.type === 'apply' || m.type === 'snapshot') return { wire: message, transfer: snapshotBuffer(m.snapshot) };
  if (m.type === 'propose' && m.commands.length >= PACK_FROM) {
    const { bytes, ends } = packCommands(m.commands);
    return { wire: { type: 'propose-packed', requestId: m.requestId, client: m.client, bytes, ends } satisfies PackedPropose, transfer: [bytes.buffer as ArrayBuffer] };
  }
  return { wire: message, transfer: [] };
}

/** The protocol message again (plain messages pass through). */
export function fromWire<T>(wire: unknown): T {
  const w = wire as PackedApply | PackedPropose | { type: string };
  if (w.type === 'apply-packed') {
    const packed = w as PackedApply;
    return { type: 'apply', snapshot: packed.snapshot, entries: unpackEntries(packed.entries) } satisfies ApplyNotice as T;
  }
  if (w.type === 'propose-packed') {
    const packed = w as PackedPropose;
    return { type: 'propose', requestId: packed.requestId, client: packed.client, commands: unpackCommands(packed.bytes, packed.ends) } satisfies ProposeRequest as T;
  }
  return wire as T;
}
