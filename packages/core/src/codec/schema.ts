// A tiny declarative schema language for the wire protocol, and its interpreter.
//
// Each message type is described once (message-schemas.ts) as a tree of Specs; the same tree drives
// both directions:
//   toWire   : typed value  -> compact CBOR-ready form (validates, so host bugs surface at the sender)
//   fromWire : decoded CBOR -> typed value (validates every field of hostile input)
// Wire forms are positional, which keeps frames small and means no key ever comes from the wire:
//   record  -> [field1, field2, ...]          (an absent optional field is null)
//   union   -> [variantIndex, field1, ...]    (the tag value is implied by the variant)
//   enum    -> index into its value list
// Anything else on the wire (maps, Dates, BigInts, tags, floats where an integer belongs, ...) is a
// ShapeError, which the codec reports as DecodeError 'bad-shape'.

export type Spec =
  | { readonly kind: 'uint' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly max: number }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'array'; readonly of: Spec; readonly max: number }
  | { readonly kind: 'nullable'; readonly of: Spec }
  | { readonly kind: 'optional'; readonly of: Spec }
  | { readonly kind: 'record'; readonly fields: Fields; readonly check?: Check }
  | { readonly kind: 'union'; readonly tag: string; readonly variants: readonly Variant[]; readonly check?: Check };

/** Field name -> spec, in wire order (object literal order is insertion order for non-numeric keys). */
export type Fields = Readonly<Record<string, Spec>>;

/** A cross-field rule; returns a description of the violation, or null when the value is fine. */
export type Check = (value: Record<string, unknown>) => string | null;

export interface Variant {
  readonly tag: string | boolean;
  readonly fields: Fields;
}

/** A value does not match its spec. `path` locates it, e.g. ['entries', '3', 'term']. */
export class ShapeError extends Error {
  override name = 'ShapeError';
  readonly path: string[] = [];
  constructor(readonly problem: string) {
    super(problem);
  }
  get where(): string {
    return this.path.length === 0 ? '(root)' : this.path.join('.');
  }
  override toString(): string {
    return `${this.where}: ${this.problem}`;
  }
}

// ---------- builders (used by the schema table) ----------

export const uint: Spec = { kind: 'uint' };
export const bool: Spec = { kind: 'bool' };
export const bytes: Spec = { kind: 'bytes' };
export const string = (max: number): Spec => ({ kind: 'string', max });
export const oneOf = (values: readonly string[]): Spec => ({ kind: 'enum', values });
export const list = (of: Spec, max: number): Spec => ({ kind: 'array', of, max });
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

// ---------- interpreter ----------

function isSafeUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Runs `fn`, prefixing any ShapeError's path with `segment` (costs nothing on the happy path). */
function at<T>(segment: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof ShapeError) error.path.unshift(segment);
    throw error;
  }
}

function runCheck(check: Check | undefined, value: Record<string, unknown>): void {
  if (!check) return;
  const problem = check(value);
  if (problem !== null) throw new ShapeError(problem);
}

/** Validates a decoded CBOR value against `spec` and builds the typed value. */
export function fromWire(spec: Spec, w: unknown): unknown {
  switch (spec.kind) {
    case 'uint':
      if (!isSafeUint(w)) throw new ShapeError(`expected a non-negative safe integer, got ${describe(w)}`);
      return w;
    case 'bool':
      if (typeof w !== 'boolean') throw new ShapeError(`expected a boolean, got ${describe(w)}`);
      return w;
    case 'string':
      if (typeof w !== 'string') throw new ShapeError(`expected a string, got ${describe(w)}`);
      if (w.length > spec.max) throw new ShapeError(`string longer than ${spec.max}`);
      return w;
    case 'bytes':
      // The decoder copies byte strings into plain Uint8Arrays (see cbor.ts), so no copy is needed here.
      if (!(w instanceof Uint8Array)) throw new ShapeError(`expected bytes, got ${describe(w)}`);
      return w;
    case 'enum':
      if (!isSafeUint(w) || w >= spec.values.length) throw new ShapeError(`expected one of ${spec.values.join('|')}`);
      return spec.values[w];
    case 'array': {
      if (!Array.isArray(w)) throw new ShapeError(`expected an array, got ${describe(w)}`);
      if (w.length > spec.max) throw new ShapeError(`array longer than ${spec.max}`);
      const out = new Array<unknown>(w.length);
      for (let i = 0; i < w.length; i++) out[i] = at(String(i), () => fromWire(spec.of, w[i]));
      return out;
    }
    case 'nullable':
      return w === null ? null : fromWire(spec.of, w);
    case 'optional':
      throw new ShapeError('optional() is only allowed as a record field');
    case 'record': {
      const out = fieldsFromWire(spec.fields, w, 0, {});
      runCheck(spec.check, out);
      return out;
    }
    case 'union': {
      if (!Array.isArray(w) || w.length === 0) throw new ShapeError(`expected a tagged array, got ${describe(w)}`);
      const variant = isSafeUint(w[0]) ? spec.variants[w[0]] : undefined;
      if (!variant) throw new ShapeError(`unknown ${spec.tag} variant ${describe(w[0])}`);
      const out = fieldsFromWire(variant.fields, w, 1, { [spec.tag]: variant.tag });
      runCheck(spec.check, out);
      return out;
    }
  }
}

function fieldsFromWire(fields: Fields, w: unknown, offset: number, out: Record<string, unknown>): Record<string, unknown> {
  const names = Object.keys(fields);
  if (!Array.isArray(w)) throw new ShapeError(`expected a record array, got ${describe(w)}`);
  if (w.length !== offset + names.length) {
    throw new ShapeError(`expected ${offset + names.length} elements, got ${w.length}`);
  }
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    const spec = fields[name];
    const item: unknown = w[offset + i];
    if (spec.kind === 'optional') {
      if (item !== null && item !== undefined) out[name] = at(name, () => fromWire(spec.of, item));
    } else {
      out[name] = at(name, () => fromWire(spec, item));
    }
  }
  return out;
}

/** Validates a typed value against `spec` and builds its wire form (throws ShapeError on a mismatch). */
export function toWire(spec: Spec, v: unknown): unknown {
  switch (spec.kind) {
    case 'uint':
    case 'bool':
    case 'string':
    case 'bytes':
      return fromWire(spec, v);
    case 'enum': {
      const index = typeof v === 'string' ? spec.values.indexOf(v) : -1;
      if (index < 0) throw new ShapeError(`expected one of ${spec.values.join('|')}, got ${describe(v)}`);
      return index;
    }
    case 'array': {
      if (!Array.isArray(v)) throw new ShapeError(`expected an array, got ${describe(v)}`);
      if (v.length > spec.max) throw new ShapeError(`array longer than ${spec.max}`);
      const out = new Array<unknown>(v.length);
      for (let i = 0; i < v.length; i++) out[i] = at(String(i), () => toWire(spec.of, v[i]));
      return out;
    }
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

function fieldsToWire(fields: Fields, obj: Record<string, unknown>, out: unknown[]): unknown[] {
  for (const name of Object.keys(fields)) {
    const spec = fields[name];
    const value = obj[name];
    if (spec.kind === 'optional') {
      out.push(value === undefined ? null : at(name, () => toWire(spec.of, value)));
    } else {
      if (value === undefined) throw new ShapeError(`missing field ${name}`);
      out.push(at(name, () => toWire(spec, value)));
    }
  }
  return out;
}

function asObject(v: unknown): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ShapeError(`expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
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
