// A configured but unreachable Redis fails the start loudly instead of running a lone process.
import { createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisConnectError, startSignalingServer } from '../src/index';

describe('redis unreachable', () => {
  const opened: Socket[] = [];
  const fakeRedis = createServer((socket) => {
    opened.push(socket);
    socket.destroy(); // accept and hang up: every connection attempt fails
  });
  afterEach(() => new Promise<void>((resolve) => fakeRedis.close(() => resolve())));

  it('rejects startSignalingServer after a few attempts, with the RedisConnectError the package exports', async () => {
    await new Promise<void>((resolve) => fakeRedis.listen(0, '127.0.0.1', resolve));
    const address = fakeRedis.address();
    if (typeof address !== 'object' || address === null) throw new Error('no address');
    await expect(
      startSignalingServer({ port: 0, redisUrl: `redis://127.0.0.1:${address.port}` }),
    ).rejects.toBeInstanceOf(RedisConnectError);
    expect(opened.length).toBeGreaterThanOrEqual(2); // the adapter's pub and sub clients both tried
  });
});
