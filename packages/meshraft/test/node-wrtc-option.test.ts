// meshraft/node with @roamhq/wrtc missing (an optional dependency: no prebuilt binary for the
// platform, or `npm install --omit=optional`): a group given its own `wrtc` starts without it, and
// one given none fails to start with an error that says what to install or pass.
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  const createRequire = (from: string | URL) => {
    const real = actual.createRequire(from);
    return Object.assign((id: string) => {
      if (id === '@roamhq/wrtc') throw Object.assign(new Error("Cannot find module '@roamhq/wrtc'"), { code: 'MODULE_NOT_FOUND' });
      return real(id);
    }, real);
  };
  return { ...actual, default: { ...actual, createRequire }, createRequire };
});

const { createGroup } = await import('meshraft/node');

const stateMachine = { apply: (command: number) => command, query: () => 0 };
/** Stands in for another WebRTC implementation (a polyfill, a locally built wrtc). */
const otherWrtc = { RTCPeerConnection: class {}, RTCSessionDescription: class {}, RTCIceCandidate: class {} } as never;

/** How `started` settles within `ms` (the signaling URL is unreachable, so a working start keeps trying). */
function outcomeWithin<T>(started: Promise<T>, ms: number): Promise<string> {
  return Promise.race([
    started.then(() => 'started', (error: Error) => `rejected: ${error.message}`),
    new Promise<string>((resolve) => setTimeout(() => resolve('still starting'), ms)),
  ]);
}

describe('meshraft/node without @roamhq/wrtc installed', () => {
  const given = createGroup<number, string, number, number>({ key: 'node-wrtc-option-key-0123456789', signaling: 'http://127.0.0.1:1', stateMachine, wrtc: otherWrtc });
  const none = createGroup<number, string, number, number>({ key: 'node-wrtc-option-key-0123456789', signaling: 'http://127.0.0.1:1', stateMachine });
  afterAll(() => Promise.all([given.close(), none.close()]));

  it('starts with the wrtc option: it never loads @roamhq/wrtc', async () => {
    expect(await outcomeWithin(given.started, 2000)).toBe('still starting');
  });

  it('without the option, `started` rejects saying to install @roamhq/wrtc or pass wrtc', async () => {
    expect(await outcomeWithin(none.started, 10_000)).toMatch(/rejected: .*install @roamhq\/wrtc next to the app, or pass the wrtc option/);
  });
});
