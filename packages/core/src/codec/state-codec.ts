// Optional helpers for storage backends that keep bytes rather than structured clones: a log entry,
// a hard state, a snapshot or a whole PersistedState as a versioned, validated frame
// [STATE_CODEC_VERSION, body], decoded by the same schema reader as messages.
import { DecodeError, InvalidInputError } from '../errors';
import type { PersistedState } from '../storage';
import type { HardState, LogEntry, Snapshot } from '../types';
import { copyBytes, messageEncoder, plainView } from './cbor';
import { CborReader, MAJOR } from './cbor-reader';
import { DecodeBudget } from './decode-budget';
import { DEFAULT_MAX_MESSAGE_BYTES } from './message-codec';
import { hardStateSpec, logEntrySpec, snapshotSpec } from './message-schemas';
import { list, nullable, record, toWire, type Spec } from './schema';
import { DecodeContext, readSpec, trailing } from './schema-reader';
import { ShapeError } from './wire-error';

/**
 * Version of the stored-state layout, apart from the wire's CODEC_VERSION (a message that changes
 * shape must not make bytes already stored unreadable). 2: the layout of wire version 2's entries,
 * hard state and snapshot, which it still is.
 */
export const STATE_CODEC_VERSION = 2;

const persistedStateSpec = record({
  hardState: hardStateSpec,
  snapshot: nullable(snapshotSpec),
  // A stored log may be far longer than one message.
  entries: list(logEntrySpec, Number.MAX_SAFE_INTEGER),
});

function encodeWith(spec: Spec, what: string, value: unknown): Uint8Array {
  try {
    return copyBytes(messageEncoder.encode([STATE_CODEC_VERSION, toWire(spec, value)]));
  } catch (error) {
    if (error instanceof ShapeError) throw new InvalidInputError(`cannot encode ${what} (${error.reason}): ${error.toString()}`);
    throw error;
  }
}

function decodeWith(spec: Spec, what: string, input: Uint8Array, maxBytes = Number.MAX_SAFE_INTEGER): unknown {
  if (!(input instanceof Uint8Array)) throw new DecodeError(`cannot decode ${what}: not a Uint8Array`, 'bad-cbor');
  if (input.byteLength > maxBytes) throw new DecodeError(`${what} of ${input.byteLength} bytes exceeds ${maxBytes}`, 'too-large');
  try {
    const r = new CborReader(plainView(input));
    r.head();
    if (r.major !== MAJOR.array || r.arg === 0) throw new DecodeError(`cannot decode ${what}: not a frame`, 'bad-shape');
    const length = r.arg;
    if (r.head() !== MAJOR.uint || r.arg !== STATE_CODEC_VERSION) throw new DecodeError(`cannot decode ${what}: unknown version`, 'bad-version');
    if (length !== 2) throw new DecodeError(`cannot decode ${what}: expected [version, body]`, 'bad-shape');
    // This peer's own storage, not a peer's frame: a log of many tiny entries must load whatever it
    // costs, so only the schema bounds apply, not the message decode budget.
    const value = readSpec(spec, r, new DecodeContext(new DecodeBudget(Number.POSITIVE_INFINITY)));
    if (!r.atEnd()) throw trailing(r);
    return value;
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new DecodeError(`cannot decode ${what} (${error.reason}): ${error.toString()}`, error.reason);
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
