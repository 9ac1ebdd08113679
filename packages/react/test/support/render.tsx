// Rendering helpers: probes that record every value they render, and a group wrapper that
// counts live subscriptions (a spy around the real group, not a mock: every call goes through).
import { StrictMode, type ReactNode } from 'react';
import { render, type RenderResult } from '@testing-library/react';
import type { Group } from '@meshraft/core';
import { GroupProvider } from '../../src/index';

/** Values a probe rendered, in order (one per render call, StrictMode double calls included). */
export class RenderLog<T> {
  readonly values: T[] = [];
  record(value: T): T {
    this.values.push(value);
    return value;
  }
  get count(): number {
    return this.values.length;
  }
  get last(): T | undefined {
    return this.values[this.values.length - 1];
  }
  /** Renders that showed the same value as the render before them (wasted renders). */
  repeats(): number {
    let repeats = 0;
    for (let i = 1; i < this.values.length; i++) if (sameValue(this.values[i], this.values[i - 1])) repeats++;
    return repeats;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || JSON.stringify(a) === JSON.stringify(b);
}

export function renderWithGroup<Cmd, Q, QR>(group: Group<Cmd, Q, QR>, ui: ReactNode, strict = false): RenderResult {
  const tree = <GroupProvider group={group}>{ui}</GroupProvider>;
  return render(strict ? <StrictMode>{tree}</StrictMode> : tree);
}

export interface CountedGroup<Cmd, Q, QR> {
  group: Group<Cmd, Q, QR>;
  /** Subscriptions currently registered through this wrapper. */
  active(): number;
}

/** The same group, with subscribe() counted. Everything else is forwarded to the real object. */
export function countSubscriptions<Cmd, Q, QR>(real: Group<Cmd, Q, QR>): CountedGroup<Cmd, Q, QR> {
  let active = 0;
  const subscribe = (listener: () => void) => {
    active++;
    const unsubscribe = real.subscribe(listener);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      active--;
      unsubscribe();
    };
  };
  const group = new Proxy(real, {
    get(target, prop) {
      if (prop === 'subscribe') return subscribe;
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { group, active: () => active };
}
