// GroupClient against a scripted host: exactly-once, retries, time slicing, typed errors, close().
import { describe, expect, it, vi } from 'vitest';
import { ClosedError, InvalidInputError, OfflineError, TimeoutError } from '../src/errors';
import { encodeGroupSnapshot } from '../src/host/group-snapshot';
import { clientRig, command, noop } from './support-cluster/fake-host';

describe('GroupClient exactly-once', () => {
  it('retries a timed-out proposal with the same tag and applies the command once', async () => {
    const { client, host, clock, counter, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    const result = client.execute(5);
    await settle();
    const [first] = host.of('propose');
    expect(first.commands).toHaveLength(1);

    // The forward's answer was lost: the engine reports a timeout; the client retries later.
    host.post({ type: 'proposal-result', requestId: first.requestId, ok: false, error: 'timeout' });
    await settle();
    expect(host.of('propose')).toHaveLength(1);
    clock.runNext();
    await settle();
    const [, second] = host.of('propose');
    expect(second.client).toEqual(first.client);
    expect(second.requestId).not.toBe(first.requestId);

    // The first attempt did commit (index 3); the retry was appended again (index 5).
    host.post({ type: 'proposal-result', requestId: second.requestId, ok: true, start: 5, end: 5 });
    host.post({
      type: 'apply',
      snapshot: null,
      entries: [noop(1), command(2, 100, { clientId: 'other', seq: 1 }), command(3, 5, first.client), command(4, 1, { clientId: 'other', seq: 2 }), command(5, 5, first.client)],
    });
    await settle();
    // The caller gets what the single apply at index 3 returned (the total then), not anything
    // from the skipped copy at index 5.
    await expect(result).resolves.toEqual({ index: 3, result: 105 });
    expect(counter.value).toBe(106);
    expect(counter.applied.filter((r) => r.client?.clientId === client.clientId)).toHaveLength(1);
    expect(client.stats.duplicatesSkipped).toBe(1);
    expect(client.status.applied).toBe(5);
  });

  it('never reports applied above committed, even when entries arrive before the status', async () => {
    const { client, host, settle } = clientRig();
    host.status({ leader: 'p0', online: true, committed: 1 });
    await settle();
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), command(2, 7, { clientId: 'other', seq: 1 }), noop(3)] });
    await settle();
    expect(client.status.applied).toBe(3);
    expect(client.status.committed).toBe(3);
  });

  it('re-proposes when another entry takes the index its attempt was given', async () => {
    const { client, host, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    const result = client.executeMany([1, 2]);
    await settle();
    const [first] = host.of('propose');
    host.post({ type: 'proposal-result', requestId: first.requestId, ok: true, start: 2, end: 3 });
    // A new leader overwrote index 2 with its no-op.
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), noop(2, 2)] });
    await settle();
    const proposes = host.of('propose');
    expect(proposes).toHaveLength(2);
    expect(proposes[1].client).toEqual(first.client);
    host.post({ type: 'apply', snapshot: null, entries: [command(3, 1, first.client, 2), command(4, 2, { ...first.client, seq: first.client.seq + 1 }, 2)] });
    await settle();
    await expect(result).resolves.toEqual({ start: 3, end: 4, results: [1, 3] });
  });

  it('two operations given the same index by two leaders: the one whose command lands there resolves, the other is proposed again', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    const a = client.execute(5);
    await settle();
    const [first] = host.of('propose');
    // Leader L1 gives A index 2, then is deposed before it commits.
    host.post({ type: 'proposal-result', requestId: first.requestId, ok: true, start: 2, end: 2 });
    const b = client.execute(7);
    await settle();
    const [, second] = host.of('propose');
    // Leader L2 gives B the same index.
    host.post({ type: 'proposal-result', requestId: second.requestId, ok: true, start: 2, end: 2 });
    host.post({ type: 'apply', snapshot: null, entries: [noop(1), command(2, 7, second.client, 2)] });
    await settle();
    await expect(b).resolves.toEqual({ index: 2, result: 7 });
    // A's index holds B's command: A goes out again at once, same tag.
    const third = host.of('propose')[2];
    expect(third?.client).toEqual(first.client);
    host.post({ type: 'proposal-result', requestId: third.requestId, ok: true, start: 3, end: 3 });
    host.post({ type: 'apply', snapshot: null, entries: [command(3, 5, first.client, 2)] });
    await settle();
    await expect(a).resolves.toEqual({ index: 3, result: 12 });
  });

  it('an operation whose given index a snapshot covers without it is proposed again (no entry there will be applied here)', async () => {
    const { client, host, counter, settle } = clientRig();
    counter.restore = (bytes) => {
      counter.value = bytes[0];
    };
    host.status({ leader: 'p0', online: true });
    const a = client.execute(5);
    await settle();
    const [first] = host.of('propose');
    host.post({ type: 'proposal-result', requestId: first.requestId, ok: true, start: 2, end: 2 });
    // This peer falls behind and installs a snapshot at 6: index 2 held another leader's entry.
    const snapshot = { meta: { index: 6, term: 3, membership: { voters: ['p0'], learners: [] } }, data: encodeGroupSnapshot({ app: new Uint8Array([9]), table: { clients: [] } }) };
    host.post({ type: 'apply', snapshot, entries: [] });
    await settle();
    const retry = host.of('propose')[1];
    expect(retry?.client).toEqual(first.client);
    host.post({ type: 'proposal-result', requestId: retry.requestId, ok: true, start: 7, end: 7 });
    host.post({ type: 'apply', snapshot: null, entries: [command(7, 5, first.client, 3)] });
    await expect(a).resolves.toEqual({ index: 7, result: 14 });
  });

  it('ignores replayed entries at or below the applied index', async () => {
    const { host, counter, settle } = clientRig();
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 2), command(2, 3)] });
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 2), command(2, 3), command(3, 4)] });
    await settle();
    expect(counter.value).toBe(9);
    expect(counter.applied.map((r) => r.index)).toEqual([1, 2, 3]);
  });
});

describe('GroupClient time slicing', () => {
  it('applies a big batch in several slices of bounded length, yielding in between', async () => {
    // Every apply takes 1 ms of (fake) time, so an 8 ms slice holds at most 8 entries, and the first
    // slice (in the task that received the entries, which also decoded them) at most 3.
    const { client, host, clock, counter, settle } = clientRig({ onApply: (c) => c.advance(1) });
    const perNotification: number[] = [];
    let last = 0;
    client.subscribe(() => {
      perNotification.push(client.status.applied - last);
      last = client.status.applied;
    });
    const entries = Array.from({ length: 100 }, (_, i) => command(i + 1, 1));
    host.post({ type: 'apply', snapshot: null, entries });
    await settle();
    // Only the first slice ran; the rest waits for the next task.
    expect(counter.value).toBe(3);
    expect(clock.pending).toBe(1);
    while (clock.pending > 0) clock.runDue();
    expect(counter.value).toBe(100);
    expect(client.stats.slices).toBeGreaterThan(1);
    // 3, then 97 in slices of 8.
    expect(client.stats.slices).toBe(14);
    expect(Math.max(...perNotification)).toBeLessThanOrEqual(8);
    await expect(client.when.committed(100)).resolves.toBeUndefined();
  });
});

describe('GroupClient time slicing, entries of changing cost', () => {
  it('reads the clock less often while entries are cheap, yet ends a slice soon after they turn slow', async () => {
    // 200 cheap entries (no time), then 100 that take 1 ms each: a slice may overrun its 8 ms by the
    // stride it had reached on cheap entries (at most 16 entries), never more.
    const { client, host, clock, counter, settle } = clientRig({ onApply: (c, ctx) => (ctx.index > 200 ? c.advance(1) : undefined) });
    const perNotification: number[] = [];
    let last = 0;
    client.subscribe(() => {
      perNotification.push(client.status.applied - last);
      last = client.status.applied;
    });
    const clockReads = vi.spyOn(clock, 'now');
    host.post({ type: 'apply', snapshot: null, entries: Array.from({ length: 300 }, (_, i) => command(i + 1, 1)) });
    await settle();
    while (clock.pending > 0) clock.runDue();
    expect(counter.value).toBe(300);
    // One read per entry before; the stride saves most of them.
    expect(clockReads.mock.calls.length).toBeLessThan(150);
    // The first slice takes every cheap entry and at most 8 + 16 slow ones; later slices at most 8 + 16.
    expect(perNotification[0]).toBeGreaterThanOrEqual(200);
    expect(perNotification[0]).toBeLessThanOrEqual(200 + 24);
    expect(Math.max(...perNotification.slice(1))).toBeLessThanOrEqual(24);
    expect(client.stats.slices).toBeGreaterThan(4);
  });
});

describe('GroupClient queries', () => {
  it('answers a strong query only once the read index is applied, at that position', async () => {
    const { client, host, settle } = clientRig();
    host.post({ type: 'apply', snapshot: null, entries: [command(1, 1), command(2, 2), command(3, 3)] });
    await settle();
    let answered = false;
    const q = client.query('value', 'strong').then((r) => ((answered = true), r));
    await settle();
    const [read] = host.of('read');
    host.post({ type: 'read-result', requestId: read.requestId, ok: true, index: 5 });
    await settle();
    expect(answered).toBe(false);
    host.post({ type: 'apply', snapshot: null, entries: [command(4, 4), command(5, 5)] });
    await expect(q).resolves.toEqual({ result: 15, position: 5 });
    await expect(client.query('value', 'weak')).resolves.toEqual({ result: 15, position: 5 });
  });
});

describe('GroupClient errors', () => {
  it('rejects misuse with InvalidInputError', async () => {
    const { client } = clientRig();
    await expect(client.executeMany([])).rejects.toBeInstanceOf(InvalidInputError);
    await expect(client.execute((() => 1) as unknown as number)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(client.query('value', 'eventual' as 'weak')).rejects.toBeInstanceOf(InvalidInputError);
    const tooMany = clientRig({ config: { maxProposalCommands: 2 } }).client;
    await expect(tooMany.executeMany([1, 2, 3])).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('fails with OfflineError when no leader was known during the attempt', async () => {
    const { client, host, clock, settle } = clientRig();
    const result = client.executeMany([1, 2], { timeoutMs: 500 });
    result.catch(() => undefined);
    for (let i = 0; i < 100 && clock.pending > 0; i++) {
      await settle();
      for (const p of host.of('propose').slice(-1)) host.post({ type: 'proposal-result', requestId: p.requestId, ok: false, error: 'no-leader' });
      await settle();
      clock.runNext();
    }
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OfflineError);
    expect((error as OfflineError).unexecuted).toEqual({ kind: 'commands', commands: [1, 2] });
    expect(host.of('propose').length).toBeGreaterThan(1);
  });

  it('an attempt that may have committed (its forward timed out) never ends in OfflineError: removal after it, or expiry without a leader, is a TimeoutError', async () => {
    for (const ending of ['removed', 'expiry'] as const) {
      const { client, host, clock, settle } = clientRig();
      const result = client.execute(1, { timeoutMs: 500 });
      result.catch(() => undefined);
      await settle();
      // No leader was ever named; the forward went to a candidate and its answer never came.
      const [first] = host.of('propose');
      host.post({ type: 'proposal-result', requestId: first.requestId, ok: false, error: 'timeout' });
      await settle();
      if (ending === 'removed') {
        clock.runNext();
        await settle();
        const [, retry] = host.of('propose');
        host.post({ type: 'proposal-result', requestId: retry.requestId, ok: false, error: 'removed' });
      } else {
        for (let i = 0; i < 100 && clock.pending > 0; i++) {
          await settle();
          const last = host.of('propose').at(-1)!;
          if (last !== first) host.post({ type: 'proposal-result', requestId: last.requestId, ok: false, error: 'no-leader' });
          await settle();
          clock.runNext();
        }
      }
      const error = await result.catch((e: unknown) => e);
      expect(error, ending).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).unexecuted).toEqual({ kind: 'commands', commands: [1] });
    }
  });

  it('fails with TimeoutError when a leader was known but nothing committed', async () => {
    const { client, host, clock, settle } = clientRig();
    host.status({ leader: 'p0', online: true });
    await settle();
    const result = client.execute(7, { timeoutMs: 300 });
    const strong = client.query('value', 'strong', { timeoutMs: 300 });
    await settle();
    clock.runNext();
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).unexecuted).toEqual({ kind: 'commands', commands: [7] });
    const queryError = await strong.catch((e: unknown) => e);
    expect(queryError).toBeInstanceOf(TimeoutError);
    expect((queryError as TimeoutError).unexecuted).toEqual({ kind: 'query', query: 'value' });
  });

  /** A pending operation whose attempt the host refused ('no-leader'): it waits to be sent again, in no log. */
  async function refusedOnce(rig: ReturnType<typeof clientRig>, pending: Promise<unknown>): Promise<void> {
    pending.catch(() => undefined);
    await rig.settle();
    const [attempt] = rig.host.of('propose');
    rig.host.post({ type: 'proposal-result', requestId: attempt.requestId, ok: false, error: 'no-leader' });
    await rig.settle();
  }

  it('close() rejects pending operations with their commands, and every later call', async () => {
    const rig = clientRig();
    const { client, host, settle } = rig;
    host.status({ leader: 'p0', online: true });
    const pending = client.executeMany([3, 4]);
    const waiter = client.when.committed(10);
    await refusedOnce(rig, pending);
    const closing = client.close();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).unexecuted).toEqual({ kind: 'commands', commands: [3, 4] });
    await expect(waiter).rejects.toBeInstanceOf(ClosedError);
    expect(client.status.closed).toBe(true);
    expect(Object.isFrozen(client.status)).toBe(true);
    await expect(client.execute(1)).rejects.toBeInstanceOf(ClosedError);
    await expect(client.query('value', 'weak')).rejects.toBeInstanceOf(ClosedError);
    await expect(client.when.online()).rejects.toBeInstanceOf(ClosedError);
    await settle();
    const [close] = host.of('close');
    host.post({ type: 'closed', requestId: close.requestId });
    await expect(closing).resolves.toBeUndefined();
    expect(client.close()).toBe(closing);
  });

  it('a close while a command attempt may be in a log (sent to the host, or given positions) ends it in TimeoutError, never in "not executed"', async () => {
    for (const attempt of ['in flight', 'given positions'] as const) {
      const { client, host, settle } = clientRig();
      host.status({ leader: 'p0', online: true });
      const pending = client.executeMany([5, 6]).catch((e: unknown) => e);
      await settle();
      if (attempt === 'given positions') {
        const [first] = host.of('propose');
        host.post({ type: 'proposal-result', requestId: first.requestId, ok: true, start: 2, end: 3 });
        await settle();
      }
      void client.close();
      const error = await pending;
      // The host may have proposed it before it closed, and it may still commit: a retry of a
      // ClosedError's commands would apply it twice.
      expect(error, attempt).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).message, attempt).toMatch(/may have committed/);
      expect((error as TimeoutError).unexecuted, attempt).toEqual({ kind: 'commands', commands: [5, 6] });
    }
  });

  it('a host that stopped on its own (storage failed) closes the group with its reason in every ClosedError', async () => {
    const rig = clientRig();
    const { client, host, settle } = rig;
    host.status({ leader: 'p0', online: true });
    const pending = client.execute(3);
    const waiter = client.when.committed(10);
    await refusedOnce(rig, pending);
    host.post({ type: 'closed', requestId: null, error: 'storage failure: QuotaExceededError: the disk is full' });
    await settle();
    const reason = 'group closed: storage failure: QuotaExceededError: the disk is full';
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClosedError);
    expect((error as ClosedError).message).toBe(reason);
    expect((error as ClosedError).unexecuted).toEqual({ kind: 'commands', commands: [3] });
    await expect(waiter).rejects.toThrow(reason);
    expect(client.status.closed).toBe(true);
    await expect(client.execute(1)).rejects.toThrow(reason);
    await expect(client.query('value', 'weak')).rejects.toThrow(reason);
  });
});

describe('GroupClient status', () => {
  it('keeps the same object until something changes, and wakes waiters', async () => {
    const { client, host, settle } = clientRig();
    const online = client.when.online();
    const leader = client.when.leaderChanged();
    host.status({ leader: 'p0', online: true, committed: 0 });
    await settle();
    const first = client.status;
    await expect(online).resolves.toBeUndefined();
    await expect(leader).resolves.toBe('p0');
    host.status({ leader: 'p0', online: true, committed: 0 });
    await settle();
    expect(client.status).toBe(first);
    host.status({ leader: 'p0', online: true, committed: 1 });
    await settle();
    expect(client.status).not.toBe(first);
    expect(client.status.committed).toBe(1);
    expect(Object.isFrozen(client.status)).toBe(true);
  });
});
