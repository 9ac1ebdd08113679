// The peer and room ids a mesh accepts from the signaling server and from its caller.
import { describe, expect, it } from 'vitest';
import { isValidPeerId, isValidRoomId } from '../src/signaling-client';

describe('isValidPeerId', () => {
  it('takes 1-64 of letters, digits, _ and -', () => {
    for (const id of ['a', 'p-0123abcd', 'tab_1-A', 'x'.repeat(64)]) expect(isValidPeerId(id), id).toBe(true);
    for (const id of ['', 'x'.repeat(65), 'has space', 'a/b', 7, null, undefined, { toString: () => 'a' }]) expect(isValidPeerId(id), String(id)).toBe(false);
  });

  it("refuses the names Object.prototype holds (records keyed by peer id would read the prototype's)", () => {
    for (const id of ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty']) expect(isValidPeerId(id), id).toBe(false);
  });
});

describe('isValidRoomId', () => {
  it('takes 16-128 of letters, digits, _ and -', () => {
    expect(isValidRoomId('r'.repeat(16))).toBe(true);
    expect(isValidRoomId('r'.repeat(15))).toBe(false);
    expect(isValidRoomId('r'.repeat(129))).toBe(false);
  });
});
