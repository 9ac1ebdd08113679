// A tiny declarative schema language for the wire protocol, and its encoder.
//
// Each message type is described once (message-schemas.ts) as a tree of Specs; the same tree drives
// both directions:
//   toWire   : typed value -> compact CBOR-ready form (validates, so host bugs surface at the sender)
//   readSpec : CBOR bytes  -> typed value (schema-reader.ts; validates every field of hostile input
//              while reading it, and builds nothing the schema does not describe)
// Wire forms are positional, which keeps frames small and means no key ever comes from the wire:
//   record   -> [field1, field2, ...]          (an absent optional field is null)
//   union    -> [variantIndex, field1, ...]    (the tag value is implied by the variant)
//   enum     -> index into its value list
//   sequence -> a byte string holding a CBOR sequence (RFC 8742) of items: bulk data travels as one
//               flat byte string, never as a deep tree, and is decoded item by item
// Integers are unsigned with a per-field maximum (CODEC_LIMITS); anything else on the wire (maps,
// tags, floats or -0 where an integer belongs, undefined, ...) is refused.
import { messageEncoder, copyBytes } from './cbor';
import { utf8Length } from './utf8';
import { describe, outOfRange, ShapeError } from './wire-error';

export type Spec =
  | { readonly kind: 'uint'; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly maxBytes: number }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Spec; readonly max: number }
  | { readonly kind: 'sequence'; readonly of: Spec; readonly max: number }
  | { readonly kind: 'nullable'; readonly of: Spec }
  | { readonly kind: 'optional'; readonly of: Spec }
  | { readonly kind: 'record'; readonly fields: Fields; readonly check?: Check }
  | { readonly kind: 'union'; readonly tag: string; readonly variants: readonly Variant[]; readonly check?: Check };

/** Field name -> spec, in wire order (object literal order is insertion order for non-numeric keys). */
export type Fields = Readonly<Record<string, Spec>>;

/**
 * A cross-field rule over well-typed fields: null when the value is fine, else a description of the
 * violation ('bad-shape'), or a ShapeError carrying its own reason (e.g. outOfRange for overflow).
 */
export type Check = (value: Record<string, unknown>) => string | ShapeError | null;

export interface Variant {
  readonly tag: string | boolean;
  readonly fields: Fields;
}

// ---------- builders (used by the schema table) ----------

export const uint = (max: number): Spec => ({ kind: 'uint', max });
export const bool: Spec = { kind: 'bool' };
export const bytes: Spec = { kind: 'bytes' };
export const string = (maxBytes: number): Spec => ({ kind: 'string', maxBytes });
export const oneOf = (values: readonly string[]): Spec => ({ kind: 'enum', values });
export const list = (of: Spec, max: number): Spec => ({ kind: 'array', of, max });
export const sequence = (of: Spec, max: number): Spec => ({ kind: 'sequence', of, max });
export const nullable = (of: Spec): Spec => ({ kind: 'nullable', of });
/** Only meaningful as a record field: the key may be absent (or undefined) in the typed value. */
export const optional = (of: Spec): Spec => ({ kind: 'optional', of });
export const record = (fields: Fields, check?: Check): Spec => ({ kind: 'record', fields, check });
export const union = (tag: string, variants: readonly Variant[], check?: Check): Spec => ({
  kind: 'union',
  tag,
  variants,
  check,
});

// ---------- shared checks ----------

export function runCheck(check: Check | undefined, value: Record<string, unknown>): void {
  if (!check) return;
  const problem = check(value);
  if (problem === null) return;
  throw problem instanceof ShapeError ? problem : new ShapeError(problem);
}

/** The bound of a uint field, as a ShapeError when `value` exceeds it. */
export function checkUintBound(value: number, max: number): void {
  if (value > max) throw outOfRange(`integer ${value} is above the limit ${max}`);
}

// ---------- encoder ----------

function isSafeUint(v: unknown): v is number {
  // -0 passes: cbor-x writes it as 0, so the receiver sees a plain 0.
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** CBOR needs the 64-bit integer form above 2^32 (cbor-x would write a float for a number there). */
const UINT32_MAX = 0xffff_ffff;

/** Validates a typed value against `spec` and builds its wire form (throws ShapeError on a mismatch). */
export function toWire(spec: Spec, v: unknown): unknown {
  switch (spec.kind) {
    case 'uint':
      if (!isSafeUint(v)) throw new ShapeError(`expected a non-negative safe integer, got ${describe(v)}`);
      checkUintBound(v, spec.max);
      return v > UINT32_MAX ? BigInt(v) : v;
    case 'bool':
      if (typeof v !== 'boolean') throw new ShapeError(`expected a boolean, got ${describe(v)}`);
      return v;
    case 'string': {
      if (typeof v !== 'string') throw new ShapeError(`expected a string, got ${describe(v)}`);
      const length = utf8Length(v);
      if (length < 0) throw new ShapeError('a string with a lone surrogate cannot be encoded');
      if (length > spec.maxBytes) throw new ShapeError(`string longer than ${spec.maxBytes} UTF-8 bytes`);
      return v;
    }
    case 'bytes':
      if (!(v instanceof Uint8Array)) throw new ShapeError(`expected bytes, got ${describe(v)}`);
      return v;
    case 'enum': {
      const index = typeof v === 'string' ? spec.values.indexOf(v) : -1;
      if (index < 0) throw new ShapeError(`expected one of ${spec.values.join('|')}, got ${describe(v)}`);
      return index;
    }
    case 'array':
      return arrayToWire(spec.of, spec.max, v);
    case 'sequence':
      return sequenceBytes(arrayToWire(spec.of, spec.max, v));
    case 'nullable':
      return v === null ? null : toWire(spec.of, v);
    case 'optional':
      throw new ShapeError('optional() is only allowed as a record field');
    case 'record': {
      const obj = asObject(v);
      const out = fieldsToWire(spec.fields, obj, []);
      runCheck(spec.check, obj); // after the fields, so a check only ever sees well-typed fields
      return out;
    }
    case 'union': {
      const obj = asObject(v);
      const index = spec.variants.findIndex((variant) => variant.tag === obj[spec.tag]);
      if (index < 0) throw new ShapeError(`unknown ${spec.tag} ${describe(obj[spec.tag])}`);
      const out = fieldsToWire(spec.variants[index].fields, obj, [index]);
      runCheck(spec.check, obj);
      return out;
    }
  }
}

function arrayToWire(of: Spec, max: number, v: unknown): unknown[] {
  if (!Array.isArray(v)) throw new ShapeError(`expected an array, got ${describe(v)}`);
  if (v.length > max) throw new ShapeError(`array longer than ${max}`);
  const out = new Array<unknown>(v.length);
  for (let i = 0; i < v.length; i++) out[i] = toWireAt(of, v[i], i);
  return out;
}

/**
 * The items as a CBOR sequence: a definite-length array's encoding is its head followed by the
 * items, so the sequence is that encoding minus the head (1, 2, 3, 5 or 9 bytes).
 */
function sequenceBytes(items: unknown[]): Uint8Array {
  const encoded = messageEncoder.encode(items);
  const info = encoded[0] & 0x1f;
  const headLength = info < 24 ? 1 : 1 + (1 << (info - 24));
  // A copy: cbor-x reuses its output buffer for the enclosing frame's encode.
  return copyBytes(encoded.subarray(headLength));
}

/**
 * toWire with `segment` put in front of the path of a ShapeError it throws. A function rather than a
 * closure per item, and the segment made a string only on error: a frame of 2,000 entries encodes
 * about 10,000 fields.
 */
function toWireAt(spec: Spec, value: unknown, segment: string | number): unknown {
  try {
    return toWire(spec, value);
  } catch (error) {
    if (error instanceof ShapeError) error.path.unshift(String(segment));
    throw error;
  }
}

function fieldsToWire(fields: Fields, obj: Record<string, unknown>, out: unknown[]): unknown[] {
  for (const name of fieldNames(fields)) {
    const spec = fields[name];
    const value = obj[name];
    if (spec.kind === 'optional') {
      out.push(value === undefined ? null : toWireAt(spec.of, value, name));
    } else {
      if (value === undefined) throw new ShapeError(`missing field ${name}`);
      out.push(toWireAt(spec, value, name));
    }
  }
  return out;
}

const namesOfFields = new WeakMap<Fields, readonly string[]>();

/** The field names of a record or variant, in wire order (computed once per schema object). */
export function fieldNames(fields: Fields): readonly string[] {
  let names = namesOfFields.get(fields);
  if (!names) {
    names = Object.keys(fields);
    namesOfFields.set(fields, names);
  }
  return names;
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}
