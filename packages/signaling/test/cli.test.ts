import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_FLAGS, CLI_USAGE, parseCliArgs } from '../src/cli';
import { BIN, spawnCli } from './cli-process';

describe('parseCliArgs', () => {
  it('maps flags (separate or inline values) to options', () => {
    expect(
      parseCliArgs(
        ['--port', '9000', '--host=0.0.0.0', '--max-peers-per-room', '8', '--redis-url', 'redis://r:6379', '--quiet'],
        {},
      ),
    ).toEqual({ kind: 'run', quiet: true, options: { port: 9000, host: '0.0.0.0', maxPeersPerRoom: 8, redisUrl: 'redis://r:6379' } });
    expect(parseCliArgs([], { PORT: '7000' })).toEqual({ kind: 'run', quiet: false, options: { port: 7000 } });
    expect(parseCliArgs(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('maps the limit, liveness and presence flags', () => {
    const parsed = parseCliArgs(
      [
        '--max-connections=100',
        '--max-connections-per-ip', '4',
        '--max-outbound-buffer-bytes', '1048576',
        '--trust-proxy',
        '--burst-messages', '20',
        '--abuse-factor', '3',
        '--abuse-window-ms', '1000',
        '--ping-interval-ms', '2000',
        '--ping-timeout-ms', '1000',
        '--presence-timeout-ms', '750',
        '--presence-ttl-ms', '9000',
      ],
      {},
    );
    expect(parsed).toEqual({
      kind: 'run',
      quiet: false,
      options: {
        maxConnections: 100,
        maxConnectionsPerIp: 4,
        maxOutboundBufferBytes: 1048576,
        trustProxy: true,
        burstMessages: 20,
        abuseFactor: 3,
        abuseWindowMs: 1000,
        pingIntervalMs: 2000,
        pingTimeoutMs: 1000,
        presenceTimeoutMs: 750,
        presenceTtlMs: 9000,
      },
    });
  });

  it('documents every flag it accepts, with its default', () => {
    const lines = CLI_USAGE.split('\n');
    for (const flag of CLI_FLAGS) {
      const start = lines.findIndex((line) => new RegExp(`^  ${flag}(\\s|,|$)`).test(line));
      expect(start, flag).toBeGreaterThanOrEqual(0);
      if (flag === '--help') continue;
      // A flag's entry runs until the next flag or a blank line.
      const next = lines.findIndex((line, i) => i > start && (/^  --/.test(line) || line.trim() === ''));
      const entry = lines.slice(start, next < 0 ? undefined : next).join(' ');
      expect(entry, flag).toMatch(/\(default [^)]+\)/);
    }
    // Every parseable flag is listed, and nothing is listed that does not parse.
    const documented = [...CLI_USAGE.matchAll(/^  (--[a-z-]+)/gm)].map((match) => match[1]);
    expect([...documented].sort()).toEqual([...CLI_FLAGS].sort());
  });

  it('rejects unknown flags and missing or non-numeric values', () => {
    expect(parseCliArgs(['--bogus'], {}).kind).toBe('error');
    expect(parseCliArgs(['--port'], {}).kind).toBe('error');
    expect(parseCliArgs(['--port', 'abc'], {}).kind).toBe('error');
    expect(parseCliArgs(['--host='], {}).kind).toBe('error');
  });
});

describe('meshraft-signal bin', () => {
  it('starts a server, serves /healthz and exits 0 on SIGTERM', async () => {
    const { child, url: listening } = spawnCli(['--port', '0', '--quiet'], { ...process.env, REDIS_URL: '' });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = await listening;
    try {
      const response = await fetch(`${url}/healthz`);
      expect(await response.json()).toEqual({ ok: true, rooms: 0, peers: 0 });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('prints the usage on --help and exits 0', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(0);
    expect(stdout.trim()).toBe(CLI_USAGE);
  });

  it('exits 2 on a bad option', async () => {
    const child = spawn(process.execPath, [BIN, '--port', 'nope'], { stdio: 'ignore' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
  });
});
