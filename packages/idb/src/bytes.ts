// Byte helpers for what goes into IndexedDB. Pure functions (no IndexedDB), unit-tested in Node.

/** Default snapshot chunk size: big enough to keep chunk counts small, small enough to clone cheaply. */
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1 << 20;

/**
 * A Uint8Array that owns exactly its bytes. Structured clone copies a view's WHOLE underlying
 * ArrayBuffer, so storing `frame.subarray(10, 20)` as-is would write the entire frame to disk.
 */
export function ownedBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength) return bytes;
  return bytes.slice();
}

/** Splits snapshot data into owned chunks of at most `chunkBytes` (one empty chunk for empty data). */
export function splitIntoChunks(data: Uint8Array, chunkBytes: number): Uint8Array[] {
  if (!Number.isInteger(chunkBytes) || chunkBytes <= 0) {
    throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
  }
  if (data.byteLength <= chunkBytes) return [ownedBytes(data)];
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < data.byteLength; offset += chunkBytes) {
    // slice (not subarray): each chunk must own its bytes, see ownedBytes.
    chunks.push(data.slice(offset, offset + chunkBytes));
  }
  return chunks;
}

/** Reassembles chunks read back in key order; checks the total against the recorded size. */
export function joinChunks(chunks: Uint8Array[], expectedSize: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.byteLength === expectedSize) return chunks[0]!;
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  if (total !== expectedSize) {
    throw new Error(`snapshot chunks hold ${total} bytes, expected ${expectedSize}`);
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
