// The one error type of the codec's internals. The public entry points turn it into DecodeError
// (decoding) or InvalidInputError (encoding), keeping its reason.
import type { DecodeErrorReason } from '../errors';

/** A value does not match the wire format. `path` locates it, e.g. ['entries', '3', 'term']. */
export class ShapeError extends Error {
  override name = 'ShapeError';
  readonly path: string[] = [];
  constructor(
    readonly problem: string,
    readonly reason: DecodeErrorReason = 'bad-shape',
  ) {
    super(problem);
  }
  get where(): string {
    return this.path.length === 0 ? '(root)' : this.path.join('.');
  }
  override toString(): string {
    return `${this.where}: ${this.problem}`;
  }
}

/** Not well-formed CBOR, or CBOR the wire format never uses (indefinite lengths, reserved values). */
export const malformed = (problem: string): ShapeError => new ShapeError(problem, 'bad-cbor');

/** A number above its CODEC_LIMITS bound. */
export const outOfRange = (problem: string): ShapeError => new ShapeError(problem, 'out-of-range');

/** Decoding would allocate more than the frame's budget. */
export const overBudget = (problem: string): ShapeError => new ShapeError(problem, 'too-large');

/** Runs `fn`, prefixing any ShapeError's path with `segment` (costs nothing on the happy path). */
export function at<T>(segment: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ShapeError) error.path.unshift(segment);
    throw error;
  }
}

/** A short, bounded description of a value for error messages (never echoes hostile payloads). */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v instanceof Uint8Array) return `bytes(${v.length})`;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer ${v}` : `number ${v}`;
  if (typeof v === 'object') return Object.prototype.toString.call(v).slice(8, -1);
  return typeof v;
}
