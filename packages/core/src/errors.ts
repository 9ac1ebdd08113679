// Typed errors of the public API. Each carries what was not executed so the caller can retry.

/** Base class of every meshraft error. */
export class MeshraftError extends Error {
  override name = 'MeshraftError';
}

/** What an operation was asked to do, returned with its error for retry. */
export type Unexecuted<Cmd, Q> =
  | { kind: 'commands'; commands: Cmd[] }
  | { kind: 'query'; query: Q }
  | { kind: 'none' };

/** The group has no reachable leader / quorum; nothing was committed. */
export class OfflineError<Cmd = unknown, Q = unknown> extends MeshraftError {
  override name = 'OfflineError';
  constructor(message: string, readonly unexecuted: Unexecuted<Cmd, Q>) {
    super(message);
  }
}

/**
 * The operation did not finish in time. For commands the outcome is unknown: they may still
 * commit. Re-sends inside one call keep its (clientId, seq) tags and apply at most once; a retry
 * is a new call with new tags, so a command that did commit is applied again.
 */
export class TimeoutError<Cmd = unknown, Q = unknown> extends MeshraftError {
  override name = 'TimeoutError';
  constructor(message: string, readonly unexecuted: Unexecuted<Cmd, Q>) {
    super(message);
  }
}

/**
 * The group was closed before (or while) the operation ran. Its `unexecuted` commands were not
 * executed: a command with an attempt that may be in a log when the group closes (sent to the
 * engine, or given log positions) fails with TimeoutError instead, as it may still commit.
 */
export class ClosedError<Cmd = unknown, Q = unknown> extends MeshraftError {
  override name = 'ClosedError';
  constructor(message: string, readonly unexecuted: Unexecuted<Cmd, Q> = { kind: 'none' }) {
    super(message);
  }
}

/** The input was rejected before anything was sent (bad command, too large, wrong type). */
export class InvalidInputError extends MeshraftError {
  override name = 'InvalidInputError';
}

/** Raised by the codec for malformed or hostile frames; counted and dropped by transports. */
export class DecodeError extends MeshraftError {
  override name = 'DecodeError';
  constructor(message: string, readonly reason: DecodeErrorReason) {
    super(message);
  }
}

/**
 * Why a frame was refused: 'too-large' (the frame, or the memory decoding it would take, is over its
 * limit), 'bad-cbor' (not well-formed CBOR, or CBOR the wire format never uses), 'bad-version',
 * 'bad-shape' (a field of the wrong type or a broken cross-field rule), 'unknown-type', and
 * 'out-of-range' (a number above its limit in the codec's CODEC_LIMITS, alone or summed with another).
 */
export type DecodeErrorReason = 'too-large' | 'bad-cbor' | 'bad-version' | 'bad-shape' | 'unknown-type' | 'out-of-range';
