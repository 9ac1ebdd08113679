// Moving frames between threads as transferable ArrayBuffers. A transfer detaches the entire
// underlying buffer, so a view is only transferred in place when the caller owns that buffer
// exclusively; otherwise (e.g. an encoder's reusable scratch buffer) the bytes are copied once.

/** An ArrayBuffer holding exactly `bytes`, safe to list in postMessage's transfer list. */
export function transferableBuffer(bytes: Uint8Array, owned = false): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (owned && buffer instanceof ArrayBuffer && byteOffset === 0 && byteLength === buffer.byteLength) return buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
