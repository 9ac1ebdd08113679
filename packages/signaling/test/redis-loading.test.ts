// The Redis adapter module is imported only when a Redis URL is configured. The module is mocked
// (there is no Redis server here): the factory below runs only if server.ts actually imports it.
// Tests in this file run in order; the first ones must see the module never loaded.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RoomRegistry } from '../src/room-registry';
import { connect, join, joined, roomId, startServer } from './helpers';

const loads = vi.hoisted(() => ({ modules: 0, urls: [] as string[], closes: 0, directories: 0 }));

vi.mock('../src/redis-adapter', async () => {
  loads.modules += 1;
  const { LocalPresenceDirectory } = await import('../src/presence-directory');
  return {
    // No adapter class: socket.io falls back to its in-memory adapter, while the server still
    // runs its multi-process code paths (channel relay). The directory stands in for the Redis one.
    createRedisAdapter: async (url: string) => {
      loads.urls.push(url);
      return {
        adapter: undefined,
        createPresence: (deps: { registry: RoomRegistry; maxPeersPerRoom: number }) => {
          loads.directories += 1;
          return Object.assign(new LocalPresenceDirectory(deps.registry, deps.maxPeersPerRoom), { start: async () => {} });
        },
        close: async () => void (loads.closes += 1),
      };
    },
  };
});

describe('redis adapter loading', () => {
  let savedEnv: string | undefined;
  beforeEach(() => {
    savedEnv = process.env.REDIS_URL;
  });
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedEnv;
  });

  it('is not loaded without REDIS_URL', async () => {
    delete process.env.REDIS_URL;
    const server = await startServer({ redisUrl: undefined });
    expect(server.adapter).toBe('memory');
    const client = await connect(server);
    expect(await join(client, roomId('no-redis'), 'alice')).toEqual(joined([]));
    process.env.REDIS_URL = '';
    expect((await startServer({ redisUrl: undefined })).adapter).toBe('memory');
    process.env.REDIS_URL = 'redis://ignored.invalid:6379';
    expect((await startServer({ redisUrl: null })).adapter).toBe('memory');
    expect(loads.modules).toBe(0);
  });

  it('is loaded from REDIS_URL and supplies the presence directory for joins', async () => {
    process.env.REDIS_URL = 'redis://redis.invalid:6379';
    const server = await startServer({ redisUrl: undefined });
    expect(server.adapter).toBe('redis');
    expect(loads).toMatchObject({ modules: 1, urls: ['redis://redis.invalid:6379'], directories: 1 });

    const room = roomId('redis-mode');
    const a = await connect(server);
    expect(await join(a, room, 'alice')).toEqual(joined([]));
    const b = await connect(server);
    expect(await join(b, room, 'bob')).toEqual(joined(['alice']));
    const twin = await connect(server);
    expect(await join(twin, room, 'alice')).toEqual({ ok: false, error: 'duplicate-peer' });

    await server.close();
    expect(loads.closes).toBe(1);
  });
});
