// Shared test plumbing: a real server on 127.0.0.1:0 and socket.io-client connections to it.
// Waits are event-driven with generous timeouts (2-core shared box). An absence check first waits
// for a later event that would have come after the absent one.

import { io, type Socket } from 'socket.io-client';
import { afterEach, expect } from 'vitest';
import {
  startSignalingServer,
  type ClientToServerEvents,
  type JoinAck,
  type ServerToClientEvents,
  type SignalAck,
  type SignalDelivery,
  type SignalingOptions,
  type SignalingServer,
} from '../src/index';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export const EVENT_TIMEOUT_MS = 15_000;

const servers: SignalingServer[] = [];
const clients: Client[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Room ids must be 16-128 url-safe chars; suffix keeps tests' rooms apart. */
export function roomId(name: string): string {
  return `room-${name}`.padEnd(24, '0');
}

export async function startServer(options: SignalingOptions = {}): Promise<SignalingServer> {
  const server = await startSignalingServer({ port: 0, redisUrl: null, ...options });
  servers.push(server);
  return server;
}

export interface ConnectOptions {
  /** Extra headers of the WebSocket handshake (Node client only), e.g. X-Forwarded-For. */
  headers?: Record<string, string>;
}

function openClient(server: Pick<SignalingServer, 'url'>, options: ConnectOptions): Client {
  const client: Client = io(server.url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...(options.headers ? { extraHeaders: options.headers } : {}),
  });
  clients.push(client);
  return client;
}

export async function connect(server: Pick<SignalingServer, 'url'>, options: ConnectOptions = {}): Promise<Client> {
  const client = openClient(server, options);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('connect timeout')), EVENT_TIMEOUT_MS);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    client.once('connect_error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return client;
}

/** Connects expecting a refusal; resolves with the connect_error (message and data). */
export async function connectRefused(
  server: Pick<SignalingServer, 'url'>,
  options: ConnectOptions = {},
): Promise<{ message: string; data: unknown }> {
  const client = openClient(server, options);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connected nor refused')), EVENT_TIMEOUT_MS);
    client.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connected, but a refusal was expected'));
    });
    client.once('connect_error', (error: Error & { data?: unknown }) => {
      clearTimeout(timer);
      resolve({ message: error.message, data: error.data });
    });
  });
}

export function join(client: Client, room: string, peerId: string): Promise<JoinAck> {
  return client.timeout(EVENT_TIMEOUT_MS).emitWithAck('join', { room, peerId });
}

/** Matcher for a successful JoinAck listing exactly `peers` (in any order when given unsorted). */
export function joined(peers: unknown): { ok: true; peers: unknown; uptimeMs: unknown } {
  return { ok: true, peers, uptimeMs: expect.any(Number) };
}

export async function connectAndJoin(server: SignalingServer, room: string, peerId: string): Promise<Client> {
  const client = await connect(server);
  const ack = await join(client, room, peerId);
  if (!ack.ok) throw new Error(`join ${peerId} failed: ${ack.error}`);
  return client;
}

export function signal(client: Client, to: string, data: unknown): Promise<SignalAck> {
  return client.timeout(EVENT_TIMEOUT_MS).emitWithAck('signal', { to, data });
}

/** Emits with arbitrary (malformed) arguments, bypassing the typed event map. */
export function rawEmitWithAck(client: Client, event: string, ...args: unknown[]): Promise<unknown> {
  const untyped = client as unknown as Socket;
  return untyped.timeout(EVENT_TIMEOUT_MS).emitWithAck(event, ...args);
}

export function rawEmit(client: Client, event: string, ...args: unknown[]): void {
  (client as unknown as Socket).emit(event, ...args);
}

/** Resolves with the first event payload matching `accept`. */
export function nextEvent<E extends 'peer-joined' | 'peer-left' | 'signal'>(
  client: Client,
  event: E,
  accept: (payload: Parameters<ServerToClientEvents[E]>[0]) => boolean = () => true,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const untyped = client as unknown as Socket;
    const name: string = event;
    const timer = setTimeout(() => {
      untyped.off(name, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, EVENT_TIMEOUT_MS);
    const listener = (raw: unknown) => {
      const payload = raw as Parameters<ServerToClientEvents[E]>[0];
      if (!accept(payload)) return;
      clearTimeout(timer);
      untyped.off(name, listener);
      resolve(payload);
    };
    untyped.on(name, listener);
  });
}

/**
 * Signals `from` -> `to` every 500 ms until one arrives or `deadlineMs` passes (after a Redis
 * restart; commands sent while Redis was down may also arrive later).
 */
export async function signalUntilDelivered(from: Client, to: Client, toId: string, deadlineMs: number): Promise<void> {
  let delivered = false;
  const onSignal = () => void (delivered = true);
  to.on('signal', onSignal);
  try {
    const deadline = Date.now() + deadlineMs;
    for (let probe = 0; !delivered; probe += 1) {
      if (Date.now() > deadline) throw new Error(`no signal reached ${toId} after the Redis restart`);
      const ack = await signal(from, toId, { probe });
      if (!ack.ok) throw new Error(`signal to ${toId} refused: ${ack.error}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  } finally {
    to.off('signal', onSignal);
  }
}

/** Records every 'signal' delivered to `client`. */
export function recordSignals(client: Client): SignalDelivery[] {
  const received: SignalDelivery[] = [];
  client.on('signal', (delivery) => received.push(delivery));
  return received;
}

export function waitForDisconnect(client: Client): Promise<Socket.DisconnectReason> {
  return new Promise((resolve, reject) => {
    if (!client.connected) return resolve('io client disconnect');
    const timer = setTimeout(() => reject(new Error('timed out waiting for disconnect')), EVENT_TIMEOUT_MS);
    client.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** Polls `predicate` until true (for server-side counters updated asynchronously). */
export async function eventually(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + EVENT_TIMEOUT_MS;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
