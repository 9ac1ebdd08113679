// The core HostPort/ClientPort protocol carried over a DOM MessagePort (a MessageChannel between
// the main thread and the engine Worker). Structured clone copies payloads; nothing is transferred
// because the host may keep references to entries it sends (its log cache).
import type { Port } from '@meshraft/core';

export function portOverMessagePort<Out, In>(port: MessagePort): Port<Out, In> {
  return {
    post: (message) => port.postMessage(message),
    // Assigning onmessage starts the port; messages posted before that were queued by the browser.
    onMessage: (handler) => {
      port.onmessage = (event: MessageEvent<In>) => handler(event.data);
    },
    close: () => port.close(),
  };
}
