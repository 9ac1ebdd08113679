// Server-side rendering evaluates an app's modules in Node: a module-level createGroup() from the
// browser entry runs there with no document and no Worker. It must neither throw (the render would
// fail) nor reach the network; its start fails saying where the group belongs, and the group stays
// in its initial, offline status, which is what @meshraft/react's hooks render on the server.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createGroup } from 'meshraft';

let server: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = null;
});

describe('createGroup (browser entry) during server-side rendering in Node', () => {
  it('returns an offline group whose start rejects pointing to the browser and meshraft/node, without contacting the signaling server', async () => {
    expect(typeof document).toBe('undefined');
    expect(typeof Worker).toBe('undefined');
    let requests = 0;
    server = createServer((_req, res) => {
      requests++;
      res.end();
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const group = createGroup<number, string, number, number>({
      key: 'server-render-key-0123456789ab',
      signaling: `http://127.0.0.1:${port}`,
      stateMachine: { apply: (command: number) => command, query: () => 0 },
    });
    expect(group.status.online).toBe(false);
    await expect(group.started).rejects.toThrow(/runs in a browser page.*server-side rendering.*createGroup from 'meshraft\/node'/);
    await expect(group.execute(1)).rejects.toMatchObject({ name: 'OfflineError' });
    expect(group.status).toMatchObject({ online: false, leader: null, committed: 0 });
    expect(requests).toBe(0);
    await group.close();
  });
});
