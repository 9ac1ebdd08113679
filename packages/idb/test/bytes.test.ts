import { describe, expect, it } from 'vitest';
import { joinChunks, ownedBytes, splitIntoChunks } from '../src/bytes';

describe('ownedBytes', () => {
  it('returns a full-buffer array unchanged', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(ownedBytes(bytes)).toBe(bytes);
  });

  it('copies a view so only its own bytes would be cloned', () => {
    const frame = new Uint8Array(1000).map((_, i) => i % 256);
    const view = frame.subarray(10, 20);
    const owned = ownedBytes(view);
    expect(owned.buffer.byteLength).toBe(10);
    expect(Array.from(owned)).toEqual(Array.from(view));
  });
});

describe('splitIntoChunks / joinChunks', () => {
  const data = new Uint8Array(10_001).map((_, i) => (i * 7) % 256);

  it('round-trips data across chunk sizes, each chunk owning its bytes', () => {
    for (const size of [1, 3, 1000, 10_000, 10_001, 1 << 20]) {
      const chunks = splitIntoChunks(data, size);
      expect(chunks.length).toBe(Math.ceil(data.byteLength / size));
      for (const chunk of chunks) {
        expect(chunk.byteLength).toBeLessThanOrEqual(size);
        expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
      }
      expect(joinChunks(chunks, data.byteLength)).toEqual(data);
    }
  });

  it('stores empty data as one empty chunk', () => {
    const chunks = splitIntoChunks(new Uint8Array(0), 16);
    expect(chunks).toHaveLength(1);
    expect(joinChunks(chunks, 0).byteLength).toBe(0);
  });

  it('rejects a non-positive chunk size', () => {
    expect(() => splitIntoChunks(data, 0)).toThrow(RangeError);
    expect(() => splitIntoChunks(data, 1.5)).toThrow(RangeError);
  });

  it('detects chunks that do not add up to the recorded size', () => {
    const chunks = splitIntoChunks(data, 1000);
    expect(() => joinChunks(chunks.slice(1), data.byteLength)).toThrow(/expected 10001/);
  });
});
