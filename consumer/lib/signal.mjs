// The packed `meshraft-signal` as a user runs it: the bin npm linked into the app's
// node_modules/.bin, started with plain node (no loader, no NODE_OPTIONS).
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { printedUrl, stopChild } from './child-process.mjs';
import { cleanEnv, run } from './install.mjs';

/** `npx meshraft-signal --help` in the app (npx finds the local bin; --no-install: never the registry). */
export function signalHelp(appDir) {
  return run('npx', ['--no-install', 'meshraft-signal', '--help'], appDir);
}

/** The `--flags` named in the first column of the packed README's flag table. */
export function readmeFlags(readmePath) {
  const rows = readFileSync(readmePath, 'utf8').split('\n').filter((line) => /^\|\s*`--/.test(line));
  return new Set(rows.map((row) => row.match(/`(--[a-z][a-z-]*)/)[1]));
}

/**
 * Starts the packed bin with plain node on a loopback port (ephemeral unless `port` is given);
 * resolves once it listens. `restart(downMs)` stops it (SIGTERM), waits `downMs` and starts it
 * again on the same port, as an operator restarting the server would.
 */
export async function startPackedSignal(appDir, port = 0) {
  const bin = realpathSync(path.join(appDir, 'node_modules/.bin/meshraft-signal'));
  let child;
  const start = (onPort) => {
    child = spawn(process.execPath, [bin, '--port', String(onPort), '--host', '127.0.0.1', '--quiet'], {
      cwd: appDir,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return printedUrl(child, /meshraft-signal listening on (\S+)/, 'meshraft-signal');
  };
  const stop = () => stopChild(child);
  const url = await start(port);
  const boundPort = Number(new URL(url).port);
  return {
    url,
    bin,
    close: stop,
    /** Restarts completed (a check can tell its schedule's restarts really happened). */
    restarts: 0,
    async restart(downMs) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start(boundPort);
      this.restarts++;
    },
  };
}
