// A signaling server under the test's control: it speaks the join/peer-joined/signal protocol of
// @meshraft/signaling, but every signal goes to a hook that decides what (if anything) to deliver,
// to whom, and as whom. Used to play a malicious server against real meshes.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server, type Socket } from 'socket.io';

export interface HostileSignaling {
  url: string;
  /** Peer ids that have joined. */
  readonly joined: ReadonlySet<string>;
  /** Delivers a `signal` event to `to`, claiming it comes from `from`. */
  deliver(to: string, from: string, data: unknown): void;
  /** Sends `peer-joined` to `to`. */
  announce(to: string, peerId: string): void;
  close(): Promise<void>;
}

export interface HostileHooks {
  /** The `peers` answered to a joiner; default: everyone already joined. */
  peersFor?(joiner: string, present: string[]): string[];
  onJoin?(peerId: string, server: HostileSignaling): void;
  onSignal(from: string, to: string, data: unknown, server: HostileSignaling): void;
}

export async function startHostileSignaling(hooks: HostileHooks): Promise<HostileSignaling> {
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'] });
  const sockets = new Map<string, Socket>();
  const server: HostileSignaling = {
    url: '',
    joined: new Set<string>(),
    deliver: (to, from, data) => sockets.get(to)?.emit('signal', { from, data }),
    announce: (to, peerId) => sockets.get(to)?.emit('peer-joined', { peerId }),
    close: async () => {
      await io.close();
    },
  };
  const joined = server.joined as Set<string>;
  io.on('connection', (socket) => {
    let me: string | null = null;
    socket.on('join', (request: { peerId: string }, ack: (answer: unknown) => void) => {
      me = request.peerId;
      const present = [...joined];
      sockets.set(me, socket);
      joined.add(me);
      ack({ ok: true, peers: hooks.peersFor?.(me, present) ?? present, uptimeMs: 0 });
      for (const other of present) server.announce(other, me);
      hooks.onJoin?.(me, server);
    });
    socket.on('signal', (request: { to: string; data: unknown }) => {
      if (me !== null) hooks.onSignal(me, request.to, request.data, server);
    });
    socket.on('disconnect', () => {
      if (me !== null && sockets.get(me) === socket) {
        sockets.delete(me);
        joined.delete(me);
      }
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return server;
}
