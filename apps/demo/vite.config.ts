// Vite config of the demo (`npm start` runs `vite apps/demo`; the e2e starts its own instance).
// The app imports workspace packages by name; the root tsconfig.json's paths (read through
// scripts/workspace-sources.mjs) resolve them to their TypeScript sources, which live outside this
// root, hence fs.allow. The meshraft runtime starts its engine as a module Worker
// (new URL('./worker.ts', import.meta.url)), which Vite serves as is.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { vitePrebundle } from '../../scripts/vite-prebundle.mjs';
import { workspaceSources } from '../../scripts/workspace-sources.mjs';

const root = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root,
  // Own cache per use (DEMO_VITE_CACHE): `npm start` and the e2e server may run at the same time.
  cacheDir: path.resolve(repoRoot, process.env.DEMO_VITE_CACHE ?? 'node_modules/.vite-demo'),
  ...workspaceSources,
  plugins: [react()],
  server: {
    fs: { allow: [repoRoot] },
    // DEMO_HMR=false (the e2e sets it): an edit elsewhere in the repo must never reload open tabs
    // in the middle of a test; each reload would restart that tab's peer.
    hmr: process.env.DEMO_HMR !== 'false',
  },
  worker: { format: 'es' },
  // Pre-bundled up front (see scripts/vite-prebundle.mjs for why).
  optimizeDeps: { include: vitePrebundle },
  build: { target: 'es2022' },
});
