#!/usr/bin/env node
// Servers the Playwright e2e specs run against (started by playwright.config.ts `webServer`):
//   node scripts/e2e-servers.mjs vite       Vite dev server, root e2e/pages, http://127.0.0.1:5188/
//   node scripts/e2e-servers.mjs signaling  @meshraft/signaling, http://127.0.0.1:8788 (/healthz)
//   node scripts/e2e-servers.mjs            both (handy when running specs by hand)
// Ports: E2E_PAGES_PORT, E2E_SIGNALING_PORT. Pages import workspace packages by name; tsconfig.json's
// paths (scripts/workspace-sources.mjs) resolve them to their TypeScript sources, which Vite
// transpiles on the fly (no build step).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import path from 'node:path';
import { vitePrebundle } from './vite-prebundle.mjs';
import { workspaceSources } from './workspace-sources.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const host = '127.0.0.1';
const pagesPort = Number(process.env.E2E_PAGES_PORT ?? 5188);
const signalingPort = Number(process.env.E2E_SIGNALING_PORT ?? 8788);
const signalingEntry = path.join(repoRoot, 'packages/signaling/src/index.ts');

const prebundle = vitePrebundle;

const closers = [];

/** Answers /favicon.ico with 204, so no page logs a 404 that specs would count as a console error. */
function noFavicon() {
  return {
    name: 'meshraft-e2e-no-favicon',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url !== '/favicon.ico') return next();
        res.statusCode = 204;
        res.end();
      });
    },
  };
}

async function startVite() {
  const { createServer } = await import('vite');
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const include = prebundle.filter((id) => {
    try {
      require.resolve(id);
      return true;
    } catch {
      return false;
    }
  });
  const server = await createServer({
    configFile: false,
    root: path.join(repoRoot, 'e2e/pages'),
    cacheDir: path.join(repoRoot, 'node_modules/.vite-e2e'),
    appType: 'mpa',
    ...workspaceSources,
    logLevel: 'warn',
    clearScreen: false,
    server: {
      host,
      port: pagesPort,
      strictPort: true,
      // Pages import packages/* sources and node_modules from outside the Vite root.
      fs: { allow: [repoRoot] },
      // No hot reload: an edit elsewhere in the repo must never reload a tab in the middle of a test.
      hmr: false,
    },
    // `include` replaces the import scan of every page: a half-written page of another spec must
    // not break pre-bundling for all of them.
    optimizeDeps: { include, entries: [] },
    worker: { format: 'es' },
    plugins: [noFavicon()],
  });
  await server.listen();
  closers.push(() => server.close());
  console.log(`[e2e] pages: http://${host}:${pagesPort}/`);
}

async function startSignaling() {
  if (!existsSync(signalingEntry)) {
    throw new Error(`signaling server source not found at ${signalingEntry}`);
  }
  // tsx imports the TypeScript sources directly (no build step in this repo).
  const { tsImport } = await import('tsx/esm/api');
  const signaling = await tsImport(signalingEntry, import.meta.url);
  if (typeof signaling.startSignalingServer !== 'function') {
    throw new Error('@meshraft/signaling does not export startSignalingServer yet');
  }
  const server = await signaling.startSignalingServer({
    port: signalingPort,
    host,
    // Specs get a single in-process server unless they ask for Redis explicitly.
    redisUrl: process.env.E2E_REDIS_URL ?? null,
    logger: { info() {}, warn: (message, details) => console.warn(`[e2e] signaling: ${message}`, details ?? '') },
  });
  closers.push(() => server.close());
  console.log(`[e2e] signaling: ${server.url ?? `http://${host}:${signalingPort}`}`);
}

async function shutdown(code) {
  for (const close of closers.splice(0).reverse()) {
    try {
      await close();
    } catch (error) {
      console.error('[e2e] error while closing a server:', error);
    }
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const mode = process.argv[2] ?? 'all';
try {
  if (mode === 'vite' || mode === 'all') await startVite();
  if (mode === 'signaling' || mode === 'all') await startSignaling();
  if (!['vite', 'signaling', 'all'].includes(mode)) throw new Error(`unknown mode "${mode}" (vite | signaling | all)`);
} catch (error) {
  console.error('[e2e] failed to start:', error);
  await shutdown(1);
}
