// A Worker the browser refuses to construct (the app's scripts on a CDN origin, as Vite's
// `base: 'https://cdn.example.com/app/'` or webpack's `publicPath` give, or a CSP without a
// worker-src for it) makes `new Worker(...)` throw at once. createGroup still returns a group:
// `started` rejects saying what to do, and operations reject with OfflineError, as for every
// start-up failure.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGroup } from 'meshraft';

class RefusedWorker {
  constructor(url: URL | string) {
    // What Chromium throws for a module Worker whose script is on another origin.
    throw new DOMException(`Failed to construct 'Worker': Script at '${String(url)}' cannot be accessed from origin 'http://127.0.0.1:8901'.`, 'SecurityError');
  }
}

describe('createGroup when the engine Worker cannot be constructed', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns a group whose start rejects naming the cause and the way out; operations reject with OfflineError', async () => {
    vi.stubGlobal('Worker', RefusedWorker);
    const group = createGroup<number, string, number, number>({
      key: 'worker-refused-key-0123456789ab',
      signaling: 'http://127.0.0.1:1',
      stateMachine: { apply: (command: number) => command, query: () => 0 },
    });
    await expect(group.started).rejects.toThrow(/engine Worker could not be created \(Failed to construct 'Worker'.*\); serve the app's scripts from the page's origin, or pass worker: false/);
    await expect(group.execute(1)).rejects.toMatchObject({ name: 'OfflineError' });
    await group.close();
  });
});
