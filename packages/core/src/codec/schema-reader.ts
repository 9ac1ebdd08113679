// Decoding driven by the schema: reads CBOR one head at a time and accepts only what the spec says
// comes next, so a map, a tag, a float or a nested array where the schema has none is refused at its
// first byte, before anything is built. Every allocation is charged to the frame's DecodeBudget
// before it happens, and the depth of what is built is the schema's depth, whatever the input.
import { CborReader, MAJOR, SIMPLE } from './cbor-reader';
import { ALLOCATION_COST as COST, type DecodeBudget } from './decode-budget';
import { checkUintBound, fieldNames, runCheck, type Fields, type Spec } from './schema';
import { decodeUtf8 } from './utf8';
import { ShapeError } from './wire-error';

const NULL_BYTE = 0xf6;

export class DecodeContext {
  // The last string decoded: a run of entries from one client shares one clientId string (strings
  // are immutable, so sharing is invisible) and costs one allocation instead of one per entry.
  private lastBytes: Uint8Array | null = null;
  private lastStart = 0;
  private lastLength = -1;
  private lastValue = '';

  constructor(readonly budget: DecodeBudget) {}

  text(bytes: Uint8Array, start: number, length: number): string {
    if (length === this.lastLength && bytes === this.lastBytes && sameBytes(bytes, this.lastStart, start, length)) {
      return this.lastValue;
    }
    this.budget.charge(COST.string + 2 * length);
    const value = decodeUtf8(bytes, start, length);
    this.lastBytes = bytes;
    this.lastStart = start;
    this.lastLength = length;
    this.lastValue = value;
    return value;
  }
}

function sameBytes(bytes: Uint8Array, a: number, b: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (bytes[a + i] !== bytes[b + i]) return false;
  return true;
}

function mismatch(r: CborReader, expected: string): ShapeError {
  return new ShapeError(`expected ${expected}, got ${r.describeHead()}`);
}

/** readSpec with `segment` put in front of the path of a ShapeError it throws (no closure per item). */
function readSpecAt(spec: Spec, r: CborReader, ctx: DecodeContext, segment: string | number): unknown {
  try {
    return readSpec(spec, r, ctx);
  } catch (error) {
    if (error instanceof ShapeError) error.path.unshift(String(segment));
    throw error;
  }
}

export function readUint(r: CborReader, max: number, ctx: DecodeContext): number {
  r.head();
  if (r.major !== MAJOR.uint) throw mismatch(r, 'an unsigned integer');
  checkUintBound(r.arg, max);
  ctx.budget.chargeNumber(r.arg);
  return r.arg;
}

/** Reads one value of `spec` from `r`; throws ShapeError (with its reason) on anything else. */
export function readSpec(spec: Spec, r: CborReader, ctx: DecodeContext): unknown {
  switch (spec.kind) {
    case 'uint':
      return readUint(r, spec.max, ctx);
    case 'bool':
      r.head();
      if (r.major === MAJOR.simple && (r.info === SIMPLE.true || r.info === SIMPLE.false)) return r.info === SIMPLE.true;
      throw mismatch(r, 'a boolean');
    case 'string': {
      r.head();
      if (r.major !== MAJOR.text) throw mismatch(r, 'a text string');
      const length = r.arg;
      if (length > spec.maxBytes) throw new ShapeError(`string longer than ${spec.maxBytes} UTF-8 bytes`);
      return ctx.text(r.bytes, r.payload(), length);
    }
    case 'bytes': {
      r.head();
      if (r.major !== MAJOR.bytes) throw mismatch(r, 'bytes');
      const length = r.arg;
      if (r.ownsBytes) {
        // A view into the decoder's own copy of a sequence (below): pins only that copy.
        ctx.budget.charge(COST.view);
        const start = r.payload();
        return r.bytes.subarray(start, start + length);
      }
      ctx.budget.charge(COST.bytes + length);
      const start = r.payload();
      // A fresh Uint8Array with its own ArrayBuffer: never pins the frame, never a Buffer.
      return r.bytes.slice(start, start + length);
    }
    case 'enum':
      r.head();
      if (r.major !== MAJOR.uint || r.arg >= spec.values.length) throw mismatch(r, `one of ${spec.values.join('|')}`);
      return spec.values[r.arg];
    case 'array': {
      r.head();
      if (r.major !== MAJOR.array) throw mismatch(r, 'an array');
      const length = r.arg;
      if (length > spec.max) throw new ShapeError(`array longer than ${spec.max}`);
      ctx.budget.charge(COST.array + COST.slot * length);
      const out = new Array<unknown>(length);
      for (let i = 0; i < length; i++) out[i] = readSpecAt(spec.of, r, ctx, i);
      return out;
    }
    case 'sequence': {
      r.head();
      if (r.major !== MAJOR.bytes) throw mismatch(r, 'bytes holding a CBOR sequence');
      const length = r.arg;
      // One copy of the whole sequence, and byte strings inside it become views into that copy: a
      // copy per item cost an ArrayBuffer each (about 40 % of decoding a chunk of 2,000 entries).
      // The views pin only this copy, which holds nothing but these items (a sequence's items are
      // kept together: the entries of one append or one catch-up chunk).
      ctx.budget.charge(COST.bytes + length + COST.array);
      const start = r.payload();
      const items = new CborReader(r.bytes.slice(start, start + length), 0, length, true);
      const out: unknown[] = [];
      while (!items.atEnd()) {
        if (out.length >= spec.max) throw new ShapeError(`more than ${spec.max} items`);
        ctx.budget.charge(2 * COST.slot); // the array grows by doubling: up to two slots per item
        out.push(readSpecAt(spec.of, items, ctx, out.length));
      }
      return out;
    }
    case 'nullable':
      if (r.peek() === NULL_BYTE) {
        r.pos++;
        return null;
      }
      return readSpec(spec.of, r, ctx);
    case 'optional':
      throw new ShapeError('optional() is only allowed as a record field');
    case 'record': {
      r.head();
      const names = fieldNames(spec.fields);
      if (r.major !== MAJOR.array) throw mismatch(r, `a record array of ${names.length}`);
      if (r.arg !== names.length) throw new ShapeError(`expected ${names.length} elements, got ${r.arg}`);
      ctx.budget.charge(COST.object + COST.field * names.length);
      const out = readFields(spec.fields, names, r, ctx, {});
      runCheck(spec.check, out);
      return out;
    }
    case 'union': {
      r.head();
      if (r.major !== MAJOR.array || r.arg === 0) throw mismatch(r, 'a tagged array');
      const length = r.arg;
      const variant = r.head() === MAJOR.uint && r.arg < spec.variants.length ? spec.variants[r.arg] : undefined;
      if (!variant) throw new ShapeError(`unknown ${spec.tag} variant: ${r.describeHead()}`);
      const names = fieldNames(variant.fields);
      if (length !== names.length + 1) throw new ShapeError(`expected ${names.length + 1} elements, got ${length}`);
      ctx.budget.charge(COST.object + COST.field * (names.length + 1));
      const out = readFields(variant.fields, names, r, ctx, { [spec.tag]: variant.tag });
      runCheck(spec.check, out);
      return out;
    }
  }
}

function readFields(fields: Fields, names: readonly string[], r: CborReader, ctx: DecodeContext, out: Record<string, unknown>): Record<string, unknown> {
  for (const name of names) {
    const spec = fields[name];
    try {
      if (spec.kind !== 'optional') out[name] = readSpec(spec, r, ctx);
      else if (r.peek() === NULL_BYTE) r.pos++; // absent: the key stays absent
      else out[name] = readSpec(spec.of, r, ctx);
    } catch (error) {
      if (error instanceof ShapeError) error.path.unshift(name);
      throw error;
    }
  }
  return out;
}

/** Reads one `spec` value filling exactly bytes[start, end), or throws ShapeError. */
export function readWhole(spec: Spec, bytes: Uint8Array, budget: DecodeBudget, start = 0): unknown {
  const r = new CborReader(bytes, start);
  const value = readSpec(spec, r, new DecodeContext(budget));
  if (!r.atEnd()) throw trailing(r);
  return value;
}

export function trailing(r: CborReader): ShapeError {
  return new ShapeError(`${r.end - r.pos} bytes after the end of the frame`, 'bad-cbor');
}
