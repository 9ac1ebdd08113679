// Playwright runs e2e tests in Debian's Chromium (Playwright cannot download browsers here).
import { existsSync } from 'node:fs';
import { defineConfig } from '@playwright/test';
import { chromiumPath } from './scripts/chromium.mjs';

// The servers every spec uses (scripts/e2e-servers.mjs; see e2e/README.md). Reused when already
// running locally, always fresh on CI.
const pagesPort = Number(process.env.E2E_PAGES_PORT ?? 5188);
const signalingPort = Number(process.env.E2E_SIGNALING_PORT ?? 8788);
const serverDefaults = { reuseExistingServer: !process.env.CI, timeout: 120_000, stdout: 'pipe', stderr: 'pipe' } as const;
const webServer = [
  { ...serverDefaults, command: 'node scripts/e2e-servers.mjs vite', url: `http://127.0.0.1:${pagesPort}/` },
  // Only once packages/signaling exists (the IndexedDB specs do not need it).
  ...(existsSync(new URL('./packages/signaling/src/index.ts', import.meta.url))
    ? [{ ...serverDefaults, command: 'node scripts/e2e-servers.mjs signaling', url: `http://127.0.0.1:${signalingPort}/healthz` }]
    : []),
  // The demo app (e2e/demo.spec.ts): its own Vite server, pointed at the e2e signaling server, no HMR.
  {
    ...serverDefaults,
    command: `node node_modules/vite/bin/vite.js apps/demo --host 127.0.0.1 --strictPort --port ${Number(process.env.E2E_DEMO_PORT ?? 5189)}`,
    url: `http://127.0.0.1:${Number(process.env.E2E_DEMO_PORT ?? 5189)}/`,
    env: { VITE_SIGNALING_URL: `http://127.0.0.1:${signalingPort}`, DEMO_HMR: 'false', DEMO_VITE_CACHE: 'node_modules/.vite-demo-e2e' },
  },
];

export default defineConfig({
  testDir: './e2e',
  timeout: 180_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  outputDir: 'test-results/e2e-artifacts',
  webServer,
  use: {
    browserName: 'chromium',
    baseURL: `http://127.0.0.1:${pagesPort}`,
    launchOptions: {
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-features=WebRtcHideLocalIpsWithMdns',
        '--disable-background-timer-throttling',
        '--disable-renderer-backgrounding',
        '--disable-backgrounding-occluded-windows',
      ],
    },
  },
});
