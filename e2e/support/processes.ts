// Servers a spec starts, stops and restarts itself (the shared e2e servers of playwright.config.ts
// must stay up for other specs): the real `meshraft-signal` CLI and a throwaway redis-server, each
// on a fixed port so a restart comes back at the same address.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

const SIGNAL_BIN = fileURLToPath(new URL('../../packages/signaling/bin/meshraft-signal.mjs', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  readonly url: string;
  /** Ends the process with `signal` and waits until it exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Spawns `command` and resolves once its output matches `ready` (the process is then serving). */
function spawnUntil(command: string, args: string[], ready: RegExp, url: string, env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} ${why}; output:\n${output.slice(-2000)}`));
    };
    const timer = setTimeout(() => fail('did not become ready'), START_TIMEOUT_MS);
    const onExit = (code: number | null) => fail(`exited early (code ${code})`);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      resolve({ url, stop: (signal) => stopChild(child, signal) });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => fail(`failed to spawn: ${error.message}`));
  });
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill(signal);
  });
}

/** `meshraft-signal` on 127.0.0.1:`port`, sharing rooms through Redis when `redisUrl` is given. */
export function startSignalingProcess(port: number, redisUrl?: string): Promise<ServerProcess> {
  const args = [SIGNAL_BIN, '--port', String(port), '--host', '127.0.0.1', '--quiet', ...(redisUrl ? ['--redis-url', redisUrl] : [])];
  const env = { ...process.env, REDIS_URL: '' };
  return spawnUntil(process.execPath, args, /listening on http:\/\//, `http://127.0.0.1:${port}`, env);
}

/** redis-server on 127.0.0.1:`port`, no persistence (REDIS_SERVER_BIN, else /usr/bin/redis-server). */
export function startRedisProcess(port: number): Promise<ServerProcess> {
  const binary = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';
  if (!existsSync(binary)) throw new Error(`redis-server not found at ${binary} (set REDIS_SERVER_BIN)`);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', tmpdir()];
  return spawnUntil(binary, args, /Ready to accept connections/, `redis://127.0.0.1:${port}`);
}
