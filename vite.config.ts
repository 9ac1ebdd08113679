// Root Vite config: used by Vitest for every package's unit tests.
// (The demo app has its own config in apps/demo/vite.config.ts.)
import { defineConfig } from 'vitest/config';
import { workspaceSources } from './scripts/workspace-sources.mjs';

export default defineConfig({
  // Workspace packages resolve to their src/*.ts (tsconfig paths; see scripts/workspace-sources.mjs).
  ...workspaceSources,
  test: {
    include: ['packages/*/test/**/*.test.{ts,tsx}', 'apps/*/test/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // 2 cores on this machine: keep parallelism modest so timing-free tests stay stable.
    maxWorkers: 2,
  },
});
