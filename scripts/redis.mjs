// Finds a redis-server binary for the signaling scale-out tests, installing Debian's package when
// missing and allowed (mirrors chromium.mjs). The tests read REDIS_SERVER_BIN and fail without it.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { execSync } from 'node:child_process';

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

function findRedisServer() {
  const explicit = process.env.REDIS_SERVER_BIN;
  if (explicit && existsSync(explicit)) return explicit;
  return findOnPath('redis-server') ?? (existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : null);
}

/** Returns a path to redis-server, running apt-get when none is found and we are root. */
export function ensureRedisServer() {
  const found = findRedisServer();
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('redis-server not found. Install Debian\'s redis-server package or set REDIS_SERVER_BIN.');
  }
  console.log('[meshraft] installing Debian redis-server (apt-get)...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server', { stdio: 'inherit' });
  const installed = findRedisServer();
  if (!installed) throw new Error('apt-get installed redis-server, but the binary is still not found.');
  return installed;
}
