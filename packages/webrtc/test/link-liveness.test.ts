import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkLiveness } from '../src/link-liveness';

describe('LinkLiveness', () => {
  let now = 0;
  const clock = () => now;
  /** Advances the fake clock and timers together, one heartbeat at a time. */
  const advance = (ms: number, step = 100) => {
    for (let t = 0; t < ms; t += step) {
      now += step;
      vi.advanceTimersByTime(step);
    }
  };

  beforeEach(() => {
    now = 0;
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  const make = () => {
    const sent: boolean[] = [];
    let silent = 0;
    const liveness = new LinkLiveness(
      { heartbeatMs: 100, timeoutMs: 500, probeTimeoutMs: 200 },
      (reply) => sent.push(reply),
      () => (silent += 1),
      clock,
    );
    return { liveness, sent, silent: () => silent };
  };

  it('sends a heartbeat every interval and stays alive while frames arrive', () => {
    const { liveness, sent, silent } = make();
    liveness.start();
    for (let i = 0; i < 20; i++) {
      advance(100);
      liveness.heard();
    }
    expect(sent.filter((r) => !r)).toHaveLength(20);
    expect(silent()).toBe(0);
    liveness.stop();
  });

  it('declares a silent link dead once, then stops', () => {
    const { liveness, sent, silent } = make();
    liveness.start();
    advance(1_000);
    expect(silent()).toBe(1);
    const sentBefore = sent.length;
    advance(1_000);
    expect(silent()).toBe(1);
    expect(sent).toHaveLength(sentBefore);
  });

  it('a probe closes a link that does not answer, and keeps one that does', () => {
    const answered = make();
    answered.liveness.start();
    answered.liveness.probe();
    expect(answered.sent).toEqual([true]);
    advance(100);
    answered.liveness.heard();
    advance(200);
    expect(answered.silent()).toBe(0);
    answered.liveness.stop();

    const dead = make();
    dead.liveness.start();
    dead.liveness.heard();
    dead.liveness.probe();
    advance(300); // well before timeoutMs, but the probe got no answer
    expect(dead.silent()).toBe(1);
  });

  it('does not blame the link for a stall of our own event loop', () => {
    const { liveness, silent } = make();
    liveness.start();
    now += 5_000; // the process was frozen: no timer ran, no frame was handled
    vi.advanceTimersByTime(100);
    liveness.heard(); // the frames that waited during the stall
    advance(300);
    expect(silent()).toBe(0);
    liveness.stop();
  });
});
