import { describe, expect, it } from 'vitest';
import { deriveRoomAndAuthKey, WeakGroupKeyError } from '../src/group-key';
import { formatInviteLink, mintGroupKey, parseInviteLink } from '../src/invite-link';

describe('mintGroupKey', () => {
  it('makes 32 random bytes as base64url, accepted as a group key', async () => {
    const keys = new Set(Array.from({ length: 50 }, () => mintGroupKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) {
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    }
    const [first] = keys;
    await expect(deriveRoomAndAuthKey(first)).resolves.toMatchObject({ room: expect.any(String) });
  });
});

describe('invite links', () => {
  it('put the key in the fragment only, keeping path and query, and parse it back', () => {
    const key = mintGroupKey();
    const link = formatInviteLink('https://app.example/board/?theme=dark#old', key);
    const url = new URL(link);
    expect(url.origin + url.pathname + url.search).toBe('https://app.example/board/?theme=dark');
    expect(url.hash).toBe(`#k=${key}`);
    expect(link.split('#')[0]).not.toContain(key); // never in what a browser sends to a server
    expect(parseInviteLink(link)).toBe(key);
    expect(parseInviteLink(url)).toBe(key);
    expect(parseInviteLink(url.hash)).toBe(key);
  });

  it('round-trips string keys with characters that need encoding', () => {
    const key = 'a key with spaces & = + # and ünïcode';
    expect(parseInviteLink(formatInviteLink('http://localhost:5173/', key))).toBe(key);
  });

  it('refuses to format a weak key or a bad URL, and parses links without a key as null', () => {
    expect(() => formatInviteLink('https://app.example/', 'short')).toThrow(WeakGroupKeyError);
    expect(() => formatInviteLink('not a url', mintGroupKey())).toThrow(TypeError);
    expect(parseInviteLink('https://app.example/#other=1')).toBeNull();
    expect(parseInviteLink('https://app.example/?k=in-the-query-is-not-a-fragment')).toBeNull();
    expect(parseInviteLink('#k=')).toBeNull();
    expect(parseInviteLink('not a url')).toBeNull();
  });
});
