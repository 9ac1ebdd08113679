// Optional helpers for storage backends that keep bytes rather than structured clones: a log entry,
// a hard state, a snapshot or a whole PersistedState as a versioned, validated frame [CODEC_VERSION, body].
import { DecodeError, InvalidInputError } from '../errors';
import type { PersistedState } from '../storage';
import type { HardState, LogEntry, Snapshot } from '../types';
import { copyBytes, messageEncoder, plainView, sharedDecoder } from './cbor';
import { CODEC_VERSION, DEFAULT_MAX_MESSAGE_BYTES } from './message-codec';
import { hardStateSpec, logEntrySpec, snapshotSpec } from './message-schemas';
import { fromWire, list, nullable, record, ShapeError, toWire, type Spec } from './schema';

const persistedStateSpec = record({
  hardState: hardStateSpec,
  snapshot: nullable(snapshotSpec),
  // A stored log may be far longer than one message; the byte cap below still bounds it.
  entries: list(logEntrySpec, Number.MAX_SAFE_INTEGER),
});

function encodeWith(spec: Spec, what: string, value: unknown): Uint8Array {
  try {
    return copyBytes(messageEncoder.encode([CODEC_VERSION, toWire(spec, value)]));
  } catch (error) {
    if (error instanceof ShapeError) throw new InvalidInputError(`cannot encode ${what}: ${error.toString()}`);
    throw error;
  }
}

function decodeWith(spec: Spec, what: string, bytes: Uint8Array, maxBytes = Number.MAX_SAFE_INTEGER): unknown {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError(`cannot decode ${what}: not a Uint8Array`, 'bad-cbor');
  if (bytes.byteLength > maxBytes) throw new DecodeError(`${what} of ${bytes.byteLength} bytes exceeds ${maxBytes}`, 'too-large');
  let raw: unknown;
  try {
    raw = sharedDecoder.decode(plainView(bytes));
  } catch (error) {
    throw new DecodeError(`cannot decode ${what} (bad-cbor): ${error instanceof Error ? error.message.slice(0, 200) : ''}`, 'bad-cbor');
  }
  if (!Array.isArray(raw)) throw new DecodeError(`cannot decode ${what}: not a frame`, 'bad-shape');
  if (raw[0] !== CODEC_VERSION) throw new DecodeError(`cannot decode ${what}: unknown version`, 'bad-version');
  if (raw.length !== 2) throw new DecodeError(`cannot decode ${what}: expected [version, body]`, 'bad-shape');
  try {
    return fromWire(spec, raw[1]);
  } catch (error) {
    const detail = error instanceof ShapeError ? error.toString() : String(error);
    throw new DecodeError(`cannot decode ${what} (bad-shape): ${detail}`, 'bad-shape');
  }
}

export const encodeLogEntry = (entry: LogEntry): Uint8Array => encodeWith(logEntrySpec, 'log entry', entry);
export const decodeLogEntry = (bytes: Uint8Array): LogEntry =>
  decodeWith(logEntrySpec, 'log entry', bytes, DEFAULT_MAX_MESSAGE_BYTES) as LogEntry;

export const encodeHardState = (state: HardState): Uint8Array => encodeWith(hardStateSpec, 'hard state', state);
export const decodeHardState = (bytes: Uint8Array): HardState =>
  decodeWith(hardStateSpec, 'hard state', bytes, DEFAULT_MAX_MESSAGE_BYTES) as HardState;

export const encodeSnapshot = (snapshot: Snapshot): Uint8Array => encodeWith(snapshotSpec, 'snapshot', snapshot);
export const decodeSnapshot = (bytes: Uint8Array): Snapshot => decodeWith(snapshotSpec, 'snapshot', bytes) as Snapshot;

export const encodePersistedState = (state: PersistedState): Uint8Array =>
  encodeWith(persistedStateSpec, 'persisted state', state);
export const decodePersistedState = (bytes: Uint8Array): PersistedState =>
  decodeWith(persistedStateSpec, 'persisted state', bytes) as PersistedState;
