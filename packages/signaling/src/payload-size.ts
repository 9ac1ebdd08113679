// Bounded size estimate of a decoded socket.io payload.
// socket.io has already parsed the packet (its maxHttpBufferSize caps the raw frame); this walk
// approximates the JSON/binary size and stops as soon as the limit is passed, so an oversized or
// deeply nested payload costs at most `limit` units of work.

const MAX_DEPTH = 32;

/** Returns true when `value` is estimated to take more than `limitBytes` on the wire. */
export function exceedsPayloadLimit(value: unknown, limitBytes: number): boolean {
  return measure(value, limitBytes, 0) > limitBytes;
}

function measure(value: unknown, budget: number, depth: number): number {
  if (depth > MAX_DEPTH) return Number.POSITIVE_INFINITY;
  if (value === null || value === undefined) return 4;
  switch (typeof value) {
    case 'string':
      return measureString(value, budget);
    case 'number':
    case 'bigint':
      return 24;
    case 'boolean':
      return 5;
    case 'function':
      return 0; // the ack callback socket.io appends; not part of the payload
    case 'object':
      return measureObject(value, budget, depth);
    default:
      return 8;
  }
}

function measureObject(value: object, budget: number, depth: number): number {
  if (ArrayBuffer.isView(value)) return value.byteLength;
  if (value instanceof ArrayBuffer) return value.byteLength;
  let total = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      total += measure(item, budget - total, depth + 1) + 1;
      if (total > budget) return total;
    }
    return total;
  }
  for (const [key, item] of Object.entries(value)) {
    total += measureString(key, budget - total) + 2 + measure(item, budget - total, depth + 1);
    if (total > budget) return total;
  }
  return total;
}

/**
 * A string's size as JSON: its UTF-8 bytes plus the quotes and the escapes JSON adds (a control
 * character or a lone surrogate takes up to 6 bytes, `"` and `\\` two). Counting only UTF-8 bytes
 * let a payload of control characters relay at six times its estimate.
 */
function measureString(value: string, budget: number): number {
  // Cheap lower bound first: a string longer than the budget cannot fit whatever its encoding.
  if (value.length > budget) return value.length;
  let escapes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    // \b \t \n \f \r take two bytes, other control characters six (\u00XX); one is counted already.
    if (code < 0x20) escapes += code >= 0x08 && code <= 0x0d && code !== 0x0b ? 1 : 5;
    else if (code === 0x22 || code === 0x5c) escapes += 1;
    else if (code >= 0xd800 && code <= 0xdfff) {
      const next = value.charCodeAt(i + 1);
      if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++; // a pair: 4 UTF-8 bytes, as counted
      else escapes += 3; // a lone surrogate: \udXXX, 6 bytes, where UTF-8 counts 3
    }
  }
  return Buffer.byteLength(value, 'utf8') + escapes + 2;
}
