// Moving frames between threads as transferable ArrayBuffers. A transfer detaches the entire
// underlying buffer, so a view is only transferred in place when the caller owns that buffer
// exclusively; otherwise (e.g. an encoder's reusable scratch buffer) the bytes are copied once.

/** Whether `bytes` fills its whole ArrayBuffer (a view into a larger one shares that buffer). */
export function fillsOwnBuffer(bytes: Uint8Array): bytes is Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
}

/** An ArrayBuffer holding exactly `bytes`, safe to list in postMessage's transfer list. */
export function transferableBuffer(bytes: Uint8Array, owned = false): ArrayBuffer {
  if (owned && fillsOwnBuffer(bytes)) return bytes.buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
