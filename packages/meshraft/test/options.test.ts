import { describe, expect, it } from 'vitest';
import { InvalidInputError, defaultRaftConfig } from '@meshraft/core';
import { validateOptions, type CreateGroupOptions } from '../src/options';
import { WeakGroupKeyError } from '@meshraft/webrtc';

const counter = { apply: () => 0, query: () => 0 };
const base: CreateGroupOptions = { key: 'options-test-secret-key', signaling: 'http://localhost:8787', stateMachine: counter };

function rejects(patch: Record<string, unknown>, env: 'browser' | 'node' = 'browser'): string {
  try {
    validateOptions({ ...base, ...patch } as CreateGroupOptions, env);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(Object.keys(patch))} to be rejected`);
}

describe('validateOptions', () => {
  it('fills in defaults per environment', () => {
    const browser = validateOptions(base, 'browser');
    expect(browser.storage).toBe('indexeddb');
    expect(browser.worker).toBe(true);
    expect(browser.localChannel).toBe(true);
    expect(browser.preference).toBe('normal');
    expect(browser.config).toEqual(defaultRaftConfig);
    expect(new TextDecoder().decode(browser.keyBytes)).toBe('options-test-secret-key');
    const node = validateOptions(base, 'node');
    expect(node.storage).toBe('memory');
    expect(node.worker).toBe(false);
    expect(node.localChannel).toBe(false);
    expect(validateOptions({ ...base, localChannel: false }, 'browser').localChannel).toBe(false);
    expect(browser.durability).toBe('relaxed');
    expect(validateOptions({ ...base, durability: 'strict' }, 'browser').durability).toBe('strict');
  });

  it('accepts every documented form', () => {
    const resolved = validateOptions(
      {
        ...base,
        key: new Uint8Array(16).fill(3),
        storage: 'memory',
        preference: { reluctant: 3 },
        config: { electionTimeoutMs: 800, heartbeatMs: 50 },
        iceServers: [{ urls: 'stun:example.org' }],
        peerId: 'tab_1-a',
        bootstrap: { voters: ['a', 'b'], learners: [] },
        worker: false,
      },
      'browser',
    );
    expect(resolved.preference).toEqual({ reluctant: 3 });
    expect(resolved.config.electionTimeoutMs).toBe(800);
    expect(resolved.configOverrides).toEqual({ electionTimeoutMs: 800, heartbeatMs: 50 });
    expect(resolved.bootstrap).toEqual({ voters: ['a', 'b'], learners: [] });
    expect(resolved.worker).toBe(false);
  });

  it('refuses a key below the minimum strength with WeakGroupKeyError, naming the option', () => {
    for (const key of ['', 'too short', new Uint8Array(8)]) {
      expect(() => validateOptions({ ...base, key } as CreateGroupOptions, 'browser')).toThrow(WeakGroupKeyError);
      expect(() => validateOptions({ ...base, key } as CreateGroupOptions, 'browser')).toThrow(/createGroup: `key` is too weak: .*at least 16 are required/);
    }
  });

  it('rejects bad options with a message naming the option', () => {
    expect(rejects({ appId: '' })).toMatch(/appId/);
    expect(rejects({ key: 42 })).toMatch(/key.*number/);
    expect(rejects({ signaling: 'not a url' })).toMatch(/signaling/);
    expect(rejects({ signaling: 'ftp://x' })).toMatch(/signaling/);
    expect(rejects({ stateMachine: { apply: () => 0 } })).toMatch(/stateMachine.query/);
    expect(rejects({ stateMachine: { ...counter, snapshot: () => new Uint8Array() } })).toMatch(/restore/);
    expect(rejects({ storage: 'localStorage' })).toMatch(/storage/);
    expect(rejects({ storage: { load() {} } })).toMatch(/persist/);
    expect(rejects({ storage: 'indexeddb' }, 'node')).toMatch(/only available in browsers/);
    expect(rejects({ preference: { reluctant: 0.5 } })).toMatch(/reluctant/);
    expect(rejects({ preference: 'leader' })).toMatch(/preference/);
    expect(rejects({ config: { heartbeatMs: 2000 } })).toMatch(/config.*heartbeatMs/);
    expect(rejects({ config: { maxVoters: Number.NaN } })).toMatch(/maxVoters/);
    expect(rejects({ peerId: 'has space' })).toMatch(/peerId/);
    expect(rejects({ peerId: '__proto__' })).toMatch(/peerId.*Object\.prototype/);
    expect(rejects({ peerId: 'constructor' })).toMatch(/peerId/);
    expect(rejects({ bootstrap: { voters: [] } })).toMatch(/at least one voter/);
    expect(rejects({ bootstrap: 'yes' })).toMatch(/bootstrap/);
    expect(rejects({ iceServers: [{}] })).toMatch(/urls/);
    expect(rejects({ worker: 'yes' })).toMatch(/worker/);
    expect(rejects({ localChannel: 1 })).toMatch(/localChannel/);
    expect(rejects({ testing: { room: 'short' } })).toMatch(/testing.room/);
    expect(rejects({ durability: 'fsync' })).toMatch(/durability.*'relaxed' or 'strict'.*fsync/);
    // Only IndexedDB takes the hint: memory has no disk, and Node has no IndexedDB.
    expect(rejects({ storage: 'memory', durability: 'strict' })).toMatch(/durability.*'indexeddb' storage only.*'memory'/);
    expect(rejects({ durability: 'relaxed' }, 'node')).toMatch(/durability.*'indexeddb' storage only/);
  });

  it('copies the key so later mutation by the caller has no effect', () => {
    const key = new Uint8Array(16).fill(9);
    const resolved = validateOptions({ ...base, key }, 'node');
    key[0] = 0;
    expect(resolved.keyBytes[0]).toBe(9);
  });
});

describe('validateOptions: custom storage and workers', () => {
  const custom = Object.fromEntries(
    ['load', 'persist', 'termAt', 'entries', 'last', 'hardState', 'snapshot', 'close'].map((m) => [m, async () => undefined]),
  );
  it('runs a custom storage on the calling thread by default', () => {
    expect(validateOptions({ ...base, storage: custom as never }, 'browser').worker).toBe(false);
  });
  it('refuses a custom storage with an explicit worker', () => {
    expect(() => validateOptions({ ...base, storage: custom as never, worker: true }, 'browser')).toThrow(/cannot run in a Worker/);
  });
  it('refuses a durability hint for a custom storage (it keeps its own rules)', () => {
    expect(() => validateOptions({ ...base, storage: custom as never, durability: 'strict' }, 'browser')).toThrow(/durability.*custom Storage/);
  });
});
