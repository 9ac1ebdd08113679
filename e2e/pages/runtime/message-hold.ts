// Test-only: wrap the `onmessage` handlers of one kind of channel as they are assigned (the runtime
// and the WebRTC library assign `onmessage`), e.g. to hold every message and deliver them later in
// arrival order. Must run before the channels are created.

export interface MessageHold {
  /** From now on, messages are kept instead of delivered. */
  hold(): void;
  /** Delivers every held message in arrival order and stops holding; returns how many were held. */
  release(): number;
}

type Handler = (this: EventTarget, event: MessageEvent) => unknown;

/**
 * Wraps every `onmessage` handler assigned on channels of this prototype from now on: `wrap` gets
 * the channel and a function that calls the original handler, and returns the handler installed.
 */
export function wrapOnMessage(
  prototype: RTCDataChannel | BroadcastChannel,
  label: string,
  wrap: (channel: EventTarget, deliver: (event: MessageEvent) => void) => (event: MessageEvent) => void,
): void {
  const original = Object.getOwnPropertyDescriptor(prototype, 'onmessage');
  if (!original?.set || !original.get) throw new Error(`${label}.prototype.onmessage is not an accessor`);
  const { get, set } = original;
  Object.defineProperty(prototype, 'onmessage', {
    configurable: true,
    enumerable: original.enumerable,
    get(this: EventTarget) {
      return get.call(this);
    },
    set(this: EventTarget, handler: Handler | null) {
      if (handler === null) return set.call(this, null);
      set.call(this, wrap(this, (event) => handler.call(this, event)));
    },
  });
}

export function holdOnMessage(prototype: RTCDataChannel | BroadcastChannel, label: string): MessageHold {
  let holding = false;
  const held: Array<() => void> = [];
  wrapOnMessage(prototype, label, (_channel, deliver) => (event) => {
    if (holding) held.push(() => deliver(event));
    else deliver(event);
  });
  return {
    hold: () => void (holding = true),
    release() {
      holding = false;
      const count = held.length;
      for (const deliver of held.splice(0)) deliver();
      return count;
    },
  };
}
