// A structural pre-scan of a user value's CBOR, run before cbor-x decodes it: one pass over the item
// heads with a stack of item counts (no recursion, nothing allocated per item), refusing what
// encodeValue never writes and estimating what decoding would allocate. cbor-x only ever sees
// input whose nesting, tags and allocation fit the limits.
import { CborReader, MAJOR, SIMPLE } from './cbor-reader';
import { ALLOCATION_COST as COST, type DecodeBudget } from './decode-budget';
import { malformed, ShapeError } from './wire-error';

/** The tags encodeValue writes: a Uint8Array (its bytes follow) and a Map (a CBOR map follows). */
const TAG_UINT8ARRAY = 64;
const TAG_MAP = 259;

/** A Map object and its hash table (its entries are charged as the map's pairs). */
const MAP_COST = 160;
/** Per key/value pair of a map: a property (or Map entry) slot pair. */
const PROPERTY_COST = 24;

/**
 * Checks that `bytes` is exactly one well-formed item of definite lengths, nested at most `maxDepth`
 * containers deep, using only tags 64 and 259 and the simple values false/true/null/undefined, and
 * that decoding it fits `budget`. Throws ShapeError ('bad-cbor', 'bad-shape' or 'too-large').
 */
export function scanValue(bytes: Uint8Array, maxDepth: number, budget: DecodeBudget): void {
  const r = new CborReader(bytes);
  const open: number[] = []; // items still expected in each enclosing container
  let pending = 1; // items still expected at the current level (one top-level item)
  let requiredMajor = -1; // after a tag: the major type its content must have
  for (;;) {
    while (pending === 0 && open.length > 0) pending = open.pop()!;
    if (pending === 0) break;
    pending--;
    r.head();
    if (requiredMajor >= 0 && r.major !== requiredMajor) throw new ShapeError(`a tag's content is ${r.describeHead()}`);
    requiredMajor = -1;
    budget.charge(COST.slot);
    switch (r.major) {
      case MAJOR.uint:
      case MAJOR.negint:
        budget.chargeNumber(r.arg);
        break;
      case MAJOR.bytes:
        budget.charge(COST.bytes + r.arg);
        r.payload();
        break;
      case MAJOR.text:
        budget.charge(COST.string + 2 * r.arg);
        r.payload();
        break;
      case MAJOR.array:
      case MAJOR.map: {
        const items = r.major === MAJOR.array ? r.arg : 2 * r.arg;
        budget.charge(r.major === MAJOR.array ? COST.array : COST.object + PROPERTY_COST * r.arg);
        if (items === 0) break;
        if (open.length >= maxDepth) throw new ShapeError(`nesting deeper than ${maxDepth}`);
        open.push(pending);
        pending = items;
        break;
      }
      case MAJOR.tag:
        if (r.arg === TAG_UINT8ARRAY) requiredMajor = MAJOR.bytes;
        else if (r.arg === TAG_MAP) {
          requiredMajor = MAJOR.map;
          budget.charge(MAP_COST);
        } else throw new ShapeError(`unsupported CBOR tag ${r.arg}`);
        pending++; // the tagged content is still this item
        break;
      default:
        if (r.info >= 25 && r.info <= 27) budget.charge(COST.boxedNumber);
        else if (r.info < SIMPLE.false || r.info > SIMPLE.undefined) throw new ShapeError(`unsupported ${r.describeHead()}`);
    }
  }
  if (!r.atEnd()) throw malformed(`${r.end - r.pos} bytes after the end of the value`);
}
