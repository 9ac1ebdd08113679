// A connected pair of in-process ports. Delivery is asynchronous (a microtask) and FIFO, like
// postMessage between a page and its Worker, so code tested in-process behaves the same in a Worker.
import type { ClientPort, ClientToHost, HostPort, HostToClient, Port } from './protocol';

class Mailbox<T> {
  private handler: ((message: T) => void) | null = null;
  private buffered: T[] = [];
  closed = false;

  deliver(message: T): void {
    if (this.closed) return;
    queueMicrotask(() => {
      if (this.closed) return;
      if (this.handler) this.handler(message);
      else this.buffered.push(message);
    });
  }

  setHandler(handler: (message: T) => void): void {
    this.handler = handler;
    const pending = this.buffered;
    this.buffered = [];
    for (const message of pending) queueMicrotask(() => !this.closed && handler(message));
  }
}

function end<Out, In>(inbox: Mailbox<In>, outbox: Mailbox<Out>): Port<Out, In> {
  return {
    post: (message) => outbox.deliver(message),
    onMessage: (handler) => inbox.setHandler(handler),
    close: () => {
      inbox.closed = true;
      outbox.closed = true;
    },
  };
}

export function createInProcessPorts(): { host: HostPort; client: ClientPort } {
  const toHost = new Mailbox<ClientToHost>();
  const toClient = new Mailbox<HostToClient>();
  return { host: end<HostToClient, ClientToHost>(toHost, toClient), client: end<ClientToHost, HostToClient>(toClient, toHost) };
}
