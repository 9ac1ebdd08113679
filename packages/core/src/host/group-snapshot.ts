// The bytes of a Group-level snapshot: the user's state machine image next to the exactly-once
// table (the dedup table is part of the snapshot, so a restored peer still drops retries).
import { decodeValueSharingBytes, encodeValue } from '../codec/index';
import { DecodeError } from '../errors';
import type { ExactlyOnceData } from './exactly-once';

export interface GroupSnapshotData {
  /** The user's StateMachine.snapshot() bytes, or null if it has none. */
  app: Uint8Array | null;
  table: ExactlyOnceData;
}

const VERSION = 1;

export function encodeGroupSnapshot(data: GroupSnapshotData): Uint8Array {
  return encodeValue({ v: VERSION, app: data.app, table: data.table });
}

function isTable(value: unknown): value is ExactlyOnceData {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as ExactlyOnceData).clients)) return false;
  const numbers = (list: unknown): boolean => Array.isArray(list) && list.every((s) => typeof s === 'number');
  return (value as ExactlyOnceData).clients.every(
    (c) => typeof c?.clientId === 'string' && typeof c.floor === 'number' && numbers(c.seqs) && (c.runs === undefined || (numbers(c.runs) && c.runs.length % 2 === 0)),
  );
}

/**
 * The parts of a group snapshot. `app` is a view into `bytes` (a state machine image may be 10 MB:
 * copying it on the UI thread cost a long task), so `bytes` must not change while `app` is in use;
 * a snapshot's bytes never do.
 */
export function decodeGroupSnapshot(bytes: Uint8Array): GroupSnapshotData {
  const value = decodeValueSharingBytes(bytes) as { v?: unknown; app?: unknown; table?: unknown } | null;
  if (typeof value !== 'object' || value === null) throw new DecodeError('group snapshot is not a map', 'bad-shape');
  if (value.v !== VERSION) throw new DecodeError(`group snapshot version ${String(value.v)}`, 'bad-version');
  if (!(value.app === null || value.app instanceof Uint8Array)) throw new DecodeError('group snapshot app bytes', 'bad-shape');
  if (!isTable(value.table)) throw new DecodeError('group snapshot table', 'bad-shape');
  return { app: value.app, table: value.table };
}
