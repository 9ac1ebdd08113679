// Test-only: hold every message that the `onmessage` handlers of one kind of channel receive, then
// deliver them in arrival order. Works by wrapping each handler as it is assigned (the runtime and
// the WebRTC library assign `onmessage`), so it must run before the channels are created.

export interface MessageHold {
  /** From now on, messages are kept instead of delivered. */
  hold(): void;
  /** Delivers every held message in arrival order and stops holding; returns how many were held. */
  release(): number;
}

export function holdOnMessage(prototype: RTCDataChannel | BroadcastChannel, label: string): MessageHold {
  let holding = false;
  const held: Array<() => void> = [];
  const original = Object.getOwnPropertyDescriptor(prototype, 'onmessage');
  if (!original?.set || !original.get) throw new Error(`${label}.prototype.onmessage is not an accessor`);
  const { get, set } = original;
  Object.defineProperty(prototype, 'onmessage', {
    configurable: true,
    enumerable: original.enumerable,
    get(this: EventTarget) {
      return get.call(this);
    },
    set(this: EventTarget, handler: ((this: EventTarget, event: MessageEvent) => unknown) | null) {
      if (handler === null) return set.call(this, null);
      const channel = this;
      set.call(this, (event: MessageEvent) => {
        if (holding) held.push(() => handler.call(channel, event));
        else handler.call(channel, event);
      });
    },
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
