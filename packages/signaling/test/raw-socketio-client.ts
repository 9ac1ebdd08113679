// A socket.io client written on a bare TCP socket, for hostile-client tests: it can stop reading
// (socket.pause(): the kernel stops draining the server's output) while it keeps writing engine.io
// pongs and 'alive' events on a timer, which socket.io-client cannot be made to do. Speaks just
// enough of RFC 6455 (masked client frames, unfragmented server frames) and of the socket.io
// wire format (engine.io v4: '0' open, '2'/'3' ping/pong, '40' connect, '42' event, '43' ack).

import { randomBytes } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';

const OPCODE_TEXT = 0x1;
const OPCODE_CLOSE = 0x8;
const OPCODE_PING = 0x9;
const OPCODE_PONG = 0xa;
const TIMEOUT_MS = 15_000;

export interface RawClientOptions {
  /** Extra HTTP headers of the upgrade request (e.g. X-Forwarded-For). */
  headers?: Record<string, string>;
}

export class RawSocketIoClient {
  /** Bytes read from the server so far (stops growing once reading is paused). */
  bytesRead = 0;
  /** The server or the network closed the TCP connection. */
  closed = false;
  /** engine.io pings read from the server. */
  enginePings = 0;
  private pending: Buffer = Buffer.alloc(0);
  private nextAckId = 0;
  private readonly acks = new Map<number, (payload: unknown) => void>();
  private readonly messageWaiters: Array<{ accept: (text: string) => boolean; resolve: (text: string) => void }> = [];
  private blindTimer: ReturnType<typeof setInterval> | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
      this.stopBlindHeartbeat();
    });
    socket.on('error', () => {}); // the server may reset a connection it drops
  }

  /** Opens a WebSocket to the socket.io endpoint and connects to the main namespace. */
  static async connect(url: string, options: RawClientOptions = {}): Promise<RawSocketIoClient> {
    const client = await RawSocketIoClient.open(url, options);
    const answer = await client.connectNamespace();
    if (!answer.startsWith('40')) throw new Error(`namespace connect refused: ${answer}`);
    return client;
  }

  /** Opens the WebSocket and waits for engine.io's open packet, without joining the namespace. */
  static async open(url: string, options: RawClientOptions = {}): Promise<RawSocketIoClient> {
    const { hostname, port } = new URL(url);
    const socket = tcpConnect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const key = randomBytes(16).toString('base64');
    const headers = {
      Host: `${hostname}:${port}`,
      Upgrade: 'websocket',
      Connection: 'Upgrade',
      'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Version': '13',
      ...options.headers,
    };
    socket.write(
      `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n` +
        Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('') +
        '\r\n',
    );
    const rest = await readUpgradeResponse(socket);
    const client = new RawSocketIoClient(socket);
    const opened = client.nextMessage((text) => text.startsWith('0'));
    if (rest.length > 0) client.onData(rest);
    await opened;
    return client;
  }

  /** Sends the namespace CONNECT; resolves with the answer ('40...' accepted, '44...' refused). */
  connectNamespace(): Promise<string> {
    const answer = this.nextMessage((text) => text.startsWith('40') || text.startsWith('44'));
    this.sendText('40');
    return answer;
  }

  /** Resolves once the TCP connection is closed (by either side). */
  whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  /** Emits a socket.io event with an ack and resolves with the ack's first argument. */
  emitWithAck(event: string, payload: unknown): Promise<unknown> {
    const id = this.nextAckId++;
    const answered = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for ${event}`)), TIMEOUT_MS);
      this.acks.set(id, (value) => {
        clearTimeout(timer);
        resolve(value);
      });
    });
    this.sendText(`42${id}${JSON.stringify([event, payload])}`);
    return answered;
  }

  emit(event: string, payload?: unknown): void {
    this.sendText(`42${JSON.stringify(payload === undefined ? [event] : [event, payload])}`);
  }

  /** Stops reading from the TCP socket: the server's output piles up in its buffers. */
  stopReading(): void {
    this.socket.pause();
  }

  /**
   * While not reading, keeps up the appearance of liveness: an engine.io pong and an 'alive' event
   * every `everyMs`, without knowing what the server sent.
   */
  startBlindHeartbeat(everyMs: number): void {
    this.stopBlindHeartbeat();
    this.blindTimer = setInterval(() => {
      if (this.closed) return;
      this.sendText('3');
      this.emit('alive');
    }, everyMs);
  }

  close(): void {
    this.stopBlindHeartbeat();
    this.socket.destroy();
  }

  sendText(text: string): void {
    this.sendFrame(OPCODE_TEXT, Buffer.from(text, 'utf8'));
  }

  /** Writes one text frame per entry in a single TCP write (the server reads them in one chunk). */
  sendTextsAtOnce(texts: readonly string[]): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(Buffer.concat(texts.map((text) => maskedFrame(OPCODE_TEXT, Buffer.from(text, 'utf8')))));
  }

  private stopBlindHeartbeat(): void {
    if (this.blindTimer !== null) clearInterval(this.blindTimer);
    this.blindTimer = null;
  }

  private nextMessage(accept: (text: string) => boolean): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a server message')), TIMEOUT_MS);
      this.messageWaiters.push({
        accept,
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
      });
    });
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(maskedFrame(opcode, payload));
  }

  private onData(chunk: Buffer): void {
    this.bytesRead += chunk.length;
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    for (;;) {
      const frame = parseFrame(this.pending);
      if (frame === null) return;
      this.pending = this.pending.subarray(frame.size);
      if (frame.opcode === OPCODE_PING) this.sendFrame(OPCODE_PONG, frame.payload); // as browsers do
      else if (frame.opcode === OPCODE_TEXT) this.onText(frame.payload.toString('utf8'));
      else if (frame.opcode === OPCODE_CLOSE) this.socket.end();
    }
  }

  private onText(text: string): void {
    if (text === '2') {
      this.enginePings += 1;
      this.sendText('3'); // engine.io pong
    }
    const ack = /^43(\d+)(\[.*)$/s.exec(text);
    if (ack) {
      const resolve = this.acks.get(Number(ack[1]));
      this.acks.delete(Number(ack[1]));
      resolve?.((JSON.parse(ack[2]) as unknown[])[0]);
    }
    const index = this.messageWaiters.findIndex((waiter) => waiter.accept(text));
    if (index >= 0) this.messageWaiters.splice(index, 1)[0].resolve(text);
  }
}

function readUpgradeResponse(socket: Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => reject(new Error('no upgrade response')), TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      clearTimeout(timer);
      socket.off('data', onData);
      const head = received.subarray(0, end).toString('latin1');
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`upgrade refused: ${head.split('\r\n')[0]}`));
      resolve(received.subarray(end + 4));
    };
    socket.on('data', onData);
  });
}

function parseFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buffer.length < 2) return null;
  const opcode = buffer[0] & 0x0f;
  let length = buffer[1] & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return null;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return null;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return null;
  return { opcode, payload: buffer.subarray(offset, offset + length), size: offset + length };
}

/** A client frame (RFC 6455: clients mask every frame), unfragmented. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const mask = randomBytes(4);
  const length = payload.length;
  const header =
    length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | length])
      : length < 65536
        ? Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff])
        : (() => {
            const h = Buffer.alloc(10);
            h[0] = 0x80 | opcode;
            h[1] = 0x80 | 127;
            h.writeBigUInt64BE(BigInt(length), 2);
            return h;
          })();
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = payload[i] ^ mask[i % 4];
  return Buffer.concat([header, mask, masked]);
}
