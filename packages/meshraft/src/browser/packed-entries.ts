// Compact forms of the two messages that carry many small byte arrays between the main thread and
// the engine Worker: 'apply' (committed entries) and 'propose' (encoded commands). Structured clone
// copies every Uint8Array as its own ArrayBuffer, which for a batch of 2,000 commands made decoding
// one message a long task on the UI thread. Packed, all command bytes travel in one transferred
// buffer with typed arrays of offsets and numbers beside it; unpacking makes views into it.
import type { ApplyNotice, ClientTag, ClientToHost, HostToClient, LogEntry, ProposeRequest } from '@meshraft/core';

/** Command entries as columns; other entries (no-ops, configurations) as they are. */
export interface PackedEntries {
  bytes: Uint8Array;
  /** End offset in `bytes` of each command's data. */
  ends: Uint32Array;
  /** index, term and client seq (NaN: no client) of each command. */
  numbers: Float64Array;
  /** Position in `clientIds` of each command's client id (-1: none). */
  clients: Int32Array;
  clientIds: string[];
  others: LogEntry[];
}

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

export function packEntries(entries: LogEntry[]): PackedEntries {
  let total = 0;
  let commands = 0;
  for (const entry of entries) {
    if (entry.kind !== 'command') continue;
    total += entry.data.byteLength;
    commands++;
  }
  const bytes = new Uint8Array(total);
  const ends = new Uint32Array(commands);
  const numbers = new Float64Array(commands * 3);
  const clients = new Int32Array(commands);
  const clientIds: string[] = [];
  const idOf = new Map<string, number>();
  const others: LogEntry[] = [];
  let offset = 0;
  let i = 0;
  for (const entry of entries) {
    if (entry.kind !== 'command') {
      others.push(entry);
      continue;
    }
    bytes.set(entry.data, offset);
    offset += entry.data.byteLength;
    ends[i] = offset;
    numbers[3 * i] = entry.index;
    numbers[3 * i + 1] = entry.term;
    numbers[3 * i + 2] = entry.client ? entry.client.seq : NaN;
    if (entry.client) {
      let id = idOf.get(entry.client.clientId);
      if (id === undefined) {
        id = clientIds.push(entry.client.clientId) - 1;
        idOf.set(entry.client.clientId, id);
      }
      clients[i] = id;
    } else clients[i] = -1;
    i++;
  }
  return { bytes, ends, numbers, clients, clientIds, others };
}

/** The entries again, in index order; command data are views into `packed.bytes`. */
export function unpackEntries(packed: PackedEntries): LogEntry[] {
  const out: LogEntry[] = [];
  const { bytes, ends, numbers, clients, clientIds, others } = packed;
  let other = 0;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const index = numbers[3 * i];
    while (other < others.length && others[other].index < index) out.push(others[other++]);
    const seq = numbers[3 * i + 2];
    const client = clients[i] >= 0 && !Number.isNaN(seq) ? { clientId: clientIds[clients[i]], seq } : undefined;
    const data = bytes.subarray(start, ends[i]);
    start = ends[i];
    out.push(client ? { kind: 'command', index, term: numbers[3 * i + 1], data, client } : { kind: 'command', index, term: numbers[3 * i + 1], data });
  }
  while (other < others.length) out.push(others[other++]);
  return out;
}

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

/** A message as it crosses the MessagePort, and the buffers to transfer with it. */
export function toWire(message: unknown): { wire: unknown; transfer: ArrayBuffer[] } {
  const m = message as HostToClient | ClientToHost;
  if (m.type === 'apply' && m.entries.length >= PACK_FROM) {
    const entries = packEntries(m.entries);
    return { wire: { type: 'apply-packed', snapshot: m.snapshot, entries } satisfies PackedApply, transfer: [entries.bytes.buffer as ArrayBuffer] };
  }
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
