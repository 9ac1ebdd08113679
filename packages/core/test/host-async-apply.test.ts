// apply() is synchronous: a promise it returns (an `async apply`) is not awaited. Its rejection must
// not be left unhandled on the peers where nobody awaits it (in Node an unhandled rejection ends
// the process); it is counted in stats.applyErrors like a throw.
import { describe, expect, it } from 'vitest';
import { GroupClient } from '../src/host/group-client';
import { createInProcessPorts } from '../src/host/ports';
import { seededRandom } from '../src/rng';
import type { ApplyContext } from '../src/types';
import { command, FakeHost } from './support-cluster/fake-host';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks } from './support-cluster/wait';

/** Watch for unhandled rejections while `body` runs (Vitest's own listener would fail the run). */
async function watchingUnhandled(body: (unhandled: unknown[]) => Promise<void>): Promise<void> {
  const unhandled: unknown[] = [];
  const listeners = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    await body(unhandled);
  } finally {
    process.off('unhandledRejection', onUnhandled);
    for (const listener of listeners) process.on('unhandledRejection', listener);
  }
}

function asyncRig() {
  const ports = createInProcessPorts();
  const host = new FakeHost(ports.host);
  const applied: number[] = [];
  const stateMachine = {
    async apply(cmd: number, ctx: ApplyContext): Promise<number> {
      applied.push(ctx.index);
      if (cmd < 0) throw new Error('refused');
      return cmd;
    },
    query: () => 0,
  };
  const client = new GroupClient<number, 'value', number, Promise<number>>({
    peerId: 'p1', port: ports.client, stateMachine, clock: new ManualClock(), random: seededRandom(3),
    config: { heartbeatMs: 30, electionTimeoutMs: 150, forwardTimeoutMs: 1000 },
  });
  host.status({ leader: 'p0', online: true });
  return { client, host, applied };
}

describe('an async apply', () => {
  it('that rejects on a peer that did not propose the command is counted in applyErrors, not left an unhandled rejection', async () => {
    await watchingUnhandled(async (unhandled) => {
      const { client, host, applied } = asyncRig();
      // Another peer's commands: nothing on this peer awaits what apply returned.
      host.post({ type: 'apply', snapshot: null, entries: [command(1, -1, { clientId: 'p0/x', seq: 1 }), command(2, 4, { clientId: 'p0/x', seq: 2 })] });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(applied).toEqual([1, 2]);
      expect(client.status.applied).toBe(2);
      expect(client.stats.applyErrors).toBe(1);
    });
  });

  it('is not awaited: the proposer gets its promise as the result, and the rejection reaches the caller who awaits it', async () => {
    await watchingUnhandled(async (unhandled) => {
      const { client, host } = asyncRig();
      const pending = client.execute(-1);
      await flushMicrotasks();
      const [propose] = host.of('propose');
      host.post({ type: 'proposal-result', requestId: propose.requestId, ok: true, start: 1, end: 1 });
      host.post({ type: 'apply', snapshot: null, entries: [command(1, -1, propose.client)] });
      const { index, result } = await pending;
      expect(index).toBe(1);
      await expect(result).rejects.toThrow('refused');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      expect(client.stats.applyErrors).toBe(1);
    });
  });
});
