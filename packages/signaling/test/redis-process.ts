// A throwaway real redis-server for scale-out tests: loopback only, no persistence, killed on stop().
// The binary comes from REDIS_SERVER_BIN (set by scripts/test.mjs), else PATH, else
// /usr/bin/redis-server. A missing binary throws: these tests must fail, never skip.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startSignalingServer, type SignalingOptions, type SignalingServer } from '../src/index';

export interface RedisProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;

/**
 * beforeAll(setup), except that a failed setup (no redis-server, say) fails every test of the
 * suite. A throwing beforeAll would only mark them skipped, which reads like a pass in summaries.
 */
export function beforeAllOrFailEach(setup: () => Promise<void>, timeoutMs: number): void {
  let setupError: unknown = null;
  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      setupError = error;
    }
  }, timeoutMs);
  beforeEach(() => {
    if (setupError !== null) throw setupError;
  });
}

/** Two signaling processes sharing one Redis. A test that restarts Redis puts the new one in `redis`. */
export interface ServersOverRedis {
  redis: RedisProcess;
  a: SignalingServer;
  b: SignalingServer;
}

/**
 * Starts a throwaway Redis and two signaling servers on it (ephemeral ports, `options` besides)
 * before the suite, and stops them after it: the servers first (they quit their Redis clients),
 * then whichever Redis `redis` holds by then. Read the fields inside the tests.
 */
export function serversOverRedis(options: Omit<SignalingOptions, 'port' | 'redisUrl'> = {}): ServersOverRedis {
  const servers = {} as ServersOverRedis;
  beforeAllOrFailEach(async () => {
    servers.redis = await startRedis();
    const started = { ...options, port: 0, redisUrl: servers.redis.url };
    servers.a = await startSignalingServer(started);
    servers.b = await startSignalingServer(started);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([servers.a?.close(), servers.b?.close()]);
    await servers.redis?.stop();
  }, 60_000);
  return servers;
}

export function findRedisServerBinary(): string {
  const explicit = process.env.REDIS_SERVER_BIN;
  if (explicit) {
    if (existsSync(explicit)) return explicit;
    throw new Error(`REDIS_SERVER_BIN=${explicit} does not exist`);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  throw new Error(
    'redis-server not found (set REDIS_SERVER_BIN, or `apt-get install redis-server`; scripts/test.mjs does this)',
  );
}

/** Asks the OS for a free loopback port; the tiny reuse race is retried by startRedis. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/** Starts redis-server on `port` (a restart on a known port), or on a free port when omitted. */
export async function startRedis(port?: number): Promise<RedisProcess> {
  const binary = findRedisServerBinary();
  if (port !== undefined) return spawnRedis(binary, port);
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const port = await freePort();
    try {
      return await spawnRedis(binary, port);
    } catch (error) {
      lastError = error; // most likely the port was taken between probe and bind
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

function spawnRedis(binary: string, port: number): Promise<RedisProcess> {
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', tmpdir(),
    '--loglevel', 'notice',
  ];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise<RedisProcess>((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server on port ${port} ${why}; output:\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('did not become ready'), START_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve({ url: `redis://127.0.0.1:${port}`, port, stop: () => stopChild(child) });
      }
    };
    const onExit = (code: number | null): void => fail(`exited early (code ${code})`);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`failed to spawn: ${error.message}`));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
