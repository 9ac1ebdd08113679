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
      // Cheap lower bound first: a string longer than the budget cannot fit whatever its encoding.
      return value.length > budget ? value.length : Buffer.byteLength(value, 'utf8') + 2;
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
    total += key.length + 4 + measure(item, budget - total, depth + 1);
    if (total > budget) return total;
  }
  return total;
}
