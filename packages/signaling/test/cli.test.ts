import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli';
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

  it('exits 2 on a bad option', async () => {
    const child = spawn(process.execPath, [BIN, '--port', 'nope'], { stdio: 'ignore' });
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(2);
  });
});
