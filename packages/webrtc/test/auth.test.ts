import { describe, expect, it } from 'vitest';
import { computeProof, deriveRoomAndAuthKey, importAuthKey, randomNonce, verifyProof } from '../src/auth';
import { isValidRoomId } from '../src/signaling-client';

describe('deriveRoomAndAuthKey', () => {
  it('is deterministic, gives a valid room id and a separate auth key', async () => {
    const a = await deriveRoomAndAuthKey('correct horse battery staple');
    const b = await deriveRoomAndAuthKey(new TextEncoder().encode('correct horse battery staple'));
    expect(a.room).toBe(b.room);
    expect(a.authKey).toEqual(b.authKey);
    expect(isValidRoomId(a.room)).toBe(true);
    expect(a.authKey).toHaveLength(32);
    expect(a.room).not.toContain('correct');
    // The room id (public) and the auth key (secret) are independent outputs.
    const roomBytes = Buffer.from(a.room, 'base64url');
    expect(Buffer.from(a.authKey).equals(roomBytes)).toBe(false);
    const other = await deriveRoomAndAuthKey('correct horse battery stapler');
    expect(other.room).not.toBe(a.room);
  });

  it('rejects an empty key with a typed error', async () => {
    await expect(deriveRoomAndAuthKey('')).rejects.toBeInstanceOf(TypeError);
  });
});

describe('HMAC proof', () => {
  it('verifies for the right key and ids only', async () => {
    const { authKey } = await deriveRoomAndAuthKey('k1');
    const key = await importAuthKey(authKey);
    const wrong = await importAuthKey((await deriveRoomAndAuthKey('k2')).authKey);
    const nonce = randomNonce();
    const proof = await computeProof(key, nonce, 'bob', 'alice');
    expect(await verifyProof(key, nonce, 'bob', 'alice', proof)).toBe(true);
    expect(await verifyProof(wrong, nonce, 'bob', 'alice', proof)).toBe(false);
    expect(await verifyProof(key, nonce, 'alice', 'bob', proof)).toBe(false); // reflected
    expect(await verifyProof(key, randomNonce(), 'bob', 'alice', proof)).toBe(false); // replayed
    expect(await verifyProof(key, nonce, 'bo', 'balice', proof)).toBe(false); // id boundary
    expect(await verifyProof(key, nonce, 'bob', 'alice', new Uint8Array(3))).toBe(false);
  });

  it('refuses short auth keys', async () => {
    await expect(importAuthKey(new Uint8Array(4))).rejects.toBeInstanceOf(RangeError);
  });
});
