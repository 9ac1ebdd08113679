// The core HostPort/ClientPort protocol carried over a DOM MessagePort (a MessageChannel between
// the main thread and the engine Worker). Structured clone copies payloads; what is transferred is
// only what the protocol makes the receiver's own (packed bytes built for the message, a snapshot's
// bytes): the host may keep references to entries it sends (its log cache).
//
// Messages posted in one go (the same task, before its microtasks ran out) cross as ONE
// postMessage: with many commands in flight a postMessage per proposal and per result cost more
// main-thread time than everything else a command needs. Order is kept, and nothing waits for a
// later task: the batch leaves at the first microtask checkpoint.
import type { Port } from '@meshraft/core';
import { fromWire, toWire } from './packed-entries';

/** What crosses the channel when more than one message was posted in one go. */
export interface PortBatch<T> {
  type: 'port-batch';
  messages: T[];
}

function isBatch<T>(data: unknown): data is PortBatch<T> {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'port-batch';
}

export function portOverMessagePort<Out, In>(port: MessagePort): Port<Out, In> {
  let outbox: unknown[] = [];
  let transfer: ArrayBuffer[] = [];
  let closed = false;
  const flush = () => {
    const messages = outbox;
    const buffers = transfer;
    outbox = [];
    transfer = [];
    if (closed || messages.length === 0) return;
    port.postMessage(messages.length === 1 ? messages[0] : ({ type: 'port-batch', messages } satisfies PortBatch<unknown>), buffers);
  };
  return {
    post: (message) => {
      if (closed) return;
      // Many commands in one message travel packed (packed-entries.ts), their bytes transferred.
      const { wire, transfer: buffers } = toWire(message);
      for (const buffer of buffers) transfer.push(buffer);
      if (outbox.push(wire) === 1) queueMicrotask(flush);
    },
    // Assigning onmessage starts the port; messages posted before that were queued by the browser.
    onMessage: (handler) => {
      port.onmessage = (event: MessageEvent<unknown>) => {
        const data = event.data;
        if (isBatch<unknown>(data)) for (const message of data.messages) handler(fromWire<In>(message));
        else handler(fromWire<In>(data));
      };
    },
    close: () => {
      flush();
      closed = true;
      port.close();
    },
  };
}
