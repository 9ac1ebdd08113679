// Servers for the browser benchmarks: the bench pages (bench/pages) built with Vite the way an app
// ships them (production build, not the dev server: page load and start-up are measured too; not
// minified, so Chrome traces keep function names), served by `vite preview`, plus the signaling
// server. Used by bench/browser.mjs and bench/trace.mjs; also runnable by hand:
//   node bench/servers.mjs   (env BENCH_PAGES_PORT, BENCH_SIGNALING_PORT)
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vitePrebundle } from '../scripts/vite-prebundle.mjs';
import { workspaceSources } from '../scripts/workspace-sources.mjs';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const host = '127.0.0.1';

/** Starts both servers; returns their URLs and a close() that stops them. */
export async function startBenchServers({ pagesPort, signalingPort, log = () => {} }) {
  const { build, preview } = await import('vite');
  const root = path.join(repoRoot, 'bench/pages');
  // Where the build goes (BENCH_PAGES_OUT_DIR): two checkouts sharing one node_modules must not share it.
  const outDir = process.env.BENCH_PAGES_OUT_DIR ? path.resolve(process.env.BENCH_PAGES_OUT_DIR) : path.join(repoRoot, 'node_modules/.bench-pages');
  const started = Date.now();
  await build({
    configFile: false,
    root,
    ...workspaceSources,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, target: 'es2022', rollupOptions: { input: { index: path.join(root, 'index.html'), baseline: path.join(root, 'baseline.html') } } },
    worker: { format: 'es' },
    optimizeDeps: { include: vitePrebundle },
  });
  log(`built the bench pages in ${Date.now() - started} ms`);
  const server = await preview({ configFile: false, root, logLevel: 'warn', build: { outDir }, preview: { host, port: pagesPort, strictPort: true } });

  const { tsImport } = await import('tsx/esm/api');
  const signaling = await tsImport(path.join(repoRoot, 'packages/signaling/src/index.ts'), import.meta.url);
  const signalingServer = await signaling.startSignalingServer({
    port: signalingPort,
    host,
    redisUrl: null,
    logger: { info() {}, warn: (message) => log(`signaling: ${message}`) },
  });
  return {
    /** Date.now() when the signaling server started: for its first 20 s new tabs wait (a young server). */
    signalingStartedAt: Date.now(),
    pages: `http://${host}:${pagesPort}`,
    signaling: `http://${host}:${signalingPort}`,
    async close() {
      await signalingServer.close();
      await new Promise((resolve) => server.httpServer.close(resolve));
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const servers = await startBenchServers({
    pagesPort: Number(process.env.BENCH_PAGES_PORT ?? 5189),
    signalingPort: Number(process.env.BENCH_SIGNALING_PORT ?? 8789),
    log: (...args) => console.log('[bench]', ...args),
  });
  console.log(`[bench] pages: ${servers.pages}/  signaling: ${servers.signaling}`);
  process.on('SIGINT', () => void servers.close().then(() => process.exit(0)));
  process.on('SIGTERM', () => void servers.close().then(() => process.exit(0)));
}
