import { createHash, hkdfSync, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lengthPrefixed } from '../src/bytes';
import {
  deriveLocalChannelName,
  deriveRoomAndAuthKey,
  derivationShareName,
  GROUP_KEY_KDF_ITERATIONS,
  GROUP_KEY_MIN_BYTES,
  GROUP_KEY_MIN_CHARS,
  importAuthKey,
  WeakGroupKeyError,
} from '../src/group-key';
import { isValidRoomId } from '../src/signaling-client';

const KEY = 'correct horse battery staple';

describe('deriveRoomAndAuthKey', () => {
  it('is deterministic, gives a valid room id and a separate auth key', async () => {
    const a = await deriveRoomAndAuthKey(KEY);
    const b = await deriveRoomAndAuthKey(new TextEncoder().encode(KEY));
    expect(a.room).toBe(b.room);
    expect(a.authKey).toEqual(b.authKey);
    expect(isValidRoomId(a.room)).toBe(true);
    expect(a.authKey).toHaveLength(32);
    expect(a.room).not.toContain('correct');
    expect(Buffer.from(a.authKey).equals(Buffer.from(a.room, 'base64url'))).toBe(false);
    const other = await deriveRoomAndAuthKey(`${KEY}r`);
    expect(other.room).not.toBe(a.room);
  });

  it('is PBKDF2-SHA-256 with the documented iteration count and an app-specific salt, split by HKDF', async () => {
    // An independent computation with node:crypto: if the iteration count or the salt changed,
    // every deployed group would land in another room, so the construction is pinned here.
    const expected = (appId: string) => {
      const encode = (s: string) => new TextEncoder().encode(s);
      const salt = lengthPrefixed([encode('meshraft group key v2'), encode(appId)]);
      const stretched = pbkdf2Sync(KEY, salt, GROUP_KEY_KDF_ITERATIONS, 32, 'sha256');
      const expand = (info: string) => Buffer.from(hkdfSync('sha256', stretched, Buffer.alloc(0), info, 32));
      return { room: expand('meshraft room id').toString('base64url'), authKey: new Uint8Array(expand('meshraft peer auth key')) };
    };
    expect(GROUP_KEY_KDF_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    expect(await deriveRoomAndAuthKey(KEY)).toEqual(expected('meshraft'));
    const mine = await deriveRoomAndAuthKey(KEY, { appId: 'my-app' });
    expect(mine).toEqual(expected('my-app'));
    expect(mine.room).not.toBe(expected('meshraft').room);
  });

  it('rejects keys below the minimum strength with WeakGroupKeyError', async () => {
    const short = 'x'.repeat(GROUP_KEY_MIN_CHARS - 1);
    await expect(deriveRoomAndAuthKey(short)).rejects.toBeInstanceOf(WeakGroupKeyError);
    await expect(deriveRoomAndAuthKey('')).rejects.toBeInstanceOf(WeakGroupKeyError);
    await expect(deriveRoomAndAuthKey(new Uint8Array(GROUP_KEY_MIN_BYTES - 1))).rejects.toBeInstanceOf(WeakGroupKeyError);
    // Characters are code points: 15 emoji are 30 UTF-16 units but still too short.
    await expect(deriveRoomAndAuthKey('🔑'.repeat(GROUP_KEY_MIN_CHARS - 1))).rejects.toBeInstanceOf(WeakGroupKeyError);
    const error = await deriveRoomAndAuthKey('short').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).name).toBe('WeakGroupKeyError');
    expect((error as Error).message).toMatch(/at least 16/);
    // At the minimum: accepted.
    expect(isValidRoomId((await deriveRoomAndAuthKey('x'.repeat(GROUP_KEY_MIN_CHARS))).room)).toBe(true);
    expect(isValidRoomId((await deriveRoomAndAuthKey(new Uint8Array(GROUP_KEY_MIN_BYTES).fill(7))).room)).toBe(true);
  });

  it('rejects a bad key type or appId with TypeError', async () => {
    await expect(deriveRoomAndAuthKey(42 as unknown as string)).rejects.toBeInstanceOf(TypeError);
    await expect(deriveRoomAndAuthKey(KEY, { appId: '' })).rejects.toBeInstanceOf(TypeError);
    await expect(deriveRoomAndAuthKey(KEY, { appId: 'a'.repeat(129) })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('importAuthKey', () => {
  it('refuses short auth keys', async () => {
    await expect(importAuthKey(new Uint8Array(4))).rejects.toBeInstanceOf(RangeError);
  });
});

describe('derivationShareName', () => {
  it('is SHA-256 of its label, the appId and the key: pinned, as tabs of different versions must agree or never meet', async () => {
    const encode = (s: string) => new TextEncoder().encode(s);
    const expected = (appId: string) => createHash('sha256').update(lengthPrefixed([encode('meshraft derivation share v2'), encode(appId), encode(KEY)])).digest('base64url');
    expect(await derivationShareName(KEY)).toBe(expected('meshraft'));
    expect(await derivationShareName(new TextEncoder().encode(KEY), { appId: 'board' })).toBe(expected('board'));
  });

  it('differs by key and appId, is neither the room id nor the auth key, and checks the key like the derivation', async () => {
    const name = await derivationShareName(KEY);
    const { room, authKey } = await deriveRoomAndAuthKey(KEY);
    expect(name).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([room, Buffer.from(authKey).toString('base64url')]).not.toContain(name);
    expect(await derivationShareName(`${KEY}x`)).not.toBe(name);
    expect(await derivationShareName(KEY, { appId: 'other' })).not.toBe(name);
    await expect(derivationShareName('short')).rejects.toThrow(WeakGroupKeyError);
    await expect(derivationShareName(KEY, { appId: '' })).rejects.toThrow(TypeError);
  });
});

describe('deriveLocalChannelName', () => {
  const authKey = new Uint8Array(32).fill(7);

  it('is HKDF-SHA-256 of the auth key under its own label, bound to the room', async () => {
    // Pinned with node:crypto: tabs running different versions of the runtime must meet on one name.
    const encode = (s: string) => new TextEncoder().encode(s);
    const info = lengthPrefixed([encode('meshraft local channel v1'), encode('room-one-xxxxxxxxx')]);
    const expected = Buffer.from(hkdfSync('sha256', authKey, Buffer.alloc(0), info, 32)).toString('base64url');
    expect(await deriveLocalChannelName(authKey, 'room-one-xxxxxxxxx')).toBe(expected);
  });

  it('differs by room and by key, and is neither the room id nor the auth key', async () => {
    const { room, authKey: realKey } = await deriveRoomAndAuthKey(KEY);
    const name = await deriveLocalChannelName(realKey, room);
    expect(name).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(name).not.toBe(room);
    expect(name).not.toBe(Buffer.from(realKey).toString('base64url'));
    expect(await deriveLocalChannelName(realKey, `${room}x`)).not.toBe(name);
    expect(await deriveLocalChannelName(authKey, room)).not.toBe(name);
  });

  it('refuses a short auth key or an empty room', async () => {
    await expect(deriveLocalChannelName(new Uint8Array(8), 'room')).rejects.toThrow(RangeError);
    await expect(deriveLocalChannelName(authKey, '')).rejects.toThrow(TypeError);
  });
});
