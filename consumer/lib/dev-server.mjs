// The app's Vite dev server (`npx vite`), the way a user runs it while developing: modules served
// one by one from node_modules, meshraft's dependencies pre-bundled by Vite on the first page load.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { printedUrl, stopChild } from './child-process.mjs';
import { cleanEnv } from './install.mjs';

/** A loopback port nobody listens on now (Vite is then told to use exactly that one). */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts `vite` in `appDir`; resolves with its URL and a close() once it listens. */
export async function startViteDevServer(appDir) {
  const bin = path.join(appDir, 'node_modules/.bin/vite');
  const port = await freePort();
  const child = spawn(bin, ['--host', '127.0.0.1', '--port', String(port), '--strictPort', '--clearScreen', 'false'], {
    cwd: appDir,
    env: { ...cleanEnv(), NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await printedUrl(child, /Local:\s+(http:\/\/\S+?)\/?\s/, 'vite (dev server)');
  return { url, close: () => stopChild(child) };
}
