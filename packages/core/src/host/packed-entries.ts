// Log entries as columns: every command's bytes in one buffer, indices/terms/client tags in typed
// arrays, other entries (no-ops, configurations) as they are. Structured clone copies a Uint8Array per
// command otherwise, which made moving a batch of 2,000 entries between threads, or into IndexedDB,
// cost more than everything else done with it. Unpacking makes views into the one buffer.
// Used by the Worker channel (meshraft) and the IndexedDB log records (@meshraft/idb).
import type { LogEntry } from '../types';

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

/** Index of the first and of the last entry held (packed entries are never empty when stored). */
export function packedBounds(packed: PackedEntries): { first: number; last: number } {
  const commands = packed.ends.length;
  const firstCommand = commands > 0 ? packed.numbers[0] : Infinity;
  const lastCommand = commands > 0 ? packed.numbers[3 * (commands - 1)] : -Infinity;
  const firstOther = packed.others.length > 0 ? packed.others[0].index : Infinity;
  const lastOther = packed.others.length > 0 ? packed.others[packed.others.length - 1].index : -Infinity;
  return { first: Math.min(firstCommand, firstOther), last: Math.max(lastCommand, lastOther) };
}
