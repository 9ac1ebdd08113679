// close() (and so the CLI's SIGTERM) is not held up by a client that never finishes its HTTP
// request: once closing, Node stops timing such requests out, so the server cuts them after its
// shutdown grace, as it cuts WebSockets that do not answer the close handshake.
import { connect as tcpConnect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { pause, startServer } from './helpers';

describe('close() with a half-sent HTTP request', () => {
  it('resolves although the request headers never end', async () => {
    const server = await startServer();
    const slow = tcpConnect(server.port, '127.0.0.1');
    await new Promise((resolve) => slow.once('connect', resolve));
    slow.on('error', () => {});
    slow.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // ... and never the blank line
    await pause(200);
    const closing = server.close();
    const outcome = await Promise.race([closing.then(() => 'closed'), pause(15_000).then(() => 'still closing after 15 s')]);
    slow.destroy();
    await closing;
    expect(outcome).toBe('closed');
  }, 60_000);
});
