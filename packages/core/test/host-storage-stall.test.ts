// EngineHost when its storage stops answering or fails: a write that never settles fails the host
// after the stall limit (measured on the injected clock, counting only time the process was awake),
// as a rejected write does; close() then finishes and closes the storage, exactly once, also after
// a failure or halt().
import { describe, expect, it } from 'vitest';
import { ClosedError, TimeoutError } from '../src/errors';
import { EngineHost } from '../src/host/engine-host';
import { GroupClient } from '../src/host/group-client';
import { PERSIST_STALL_FLOOR_MS, persistStallLimitMs, StorageStallError } from '../src/host/persist-watch';
import { createInProcessPorts } from '../src/host/ports';
import type { HostToClient } from '../src/host/protocol';
import { seededRandom } from '../src/rng';
import type { PersistBatch } from '../src/storage';
import { createMemoryStorage } from '../src/storage-memory/index';
import { Counter } from './support-cluster/counter';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks } from './support-cluster/wait';

const CONFIG = { heartbeatMs: 40, electionTimeoutMs: 300, electionJitterMs: 100 };
/** The stall limit for CONFIG (the floor: 20 election timeouts are only 6 s). */
const LIMIT = persistStallLimitMs(CONFIG.electionTimeoutMs);

/** A single-voter group (it leads at its first tick) on memory storage whose writes can be made to hang or fail. */
async function soloGroup() {
  const clock = new ManualClock();
  const storage = createMemoryStorage();
  const write = storage.persist.bind(storage);
  const close = storage.close.bind(storage);
  const io = { mode: 'ok' as 'ok' | 'hang' | 'reject', writes: 0, closes: 0 };
  storage.persist = (batch: PersistBatch) => {
    io.writes++;
    if (io.mode === 'hang') return new Promise<void>(() => {});
    if (io.mode === 'reject') return Promise.reject(new Error('The quota has been exceeded.'));
    return write(batch);
  };
  storage.close = async () => {
    io.closes++;
    await close();
  };
  const ports = createInProcessPorts();
  const posted: HostToClient[] = [];
  const errors: unknown[] = [];
  const group = new GroupClient<number, 'value', number, number>({
    peerId: 'a', port: ports.client, stateMachine: new Counter(), clock, random: seededRandom(5), config: CONFIG,
  });
  // Everything the host tells the client, besides the client itself.
  const post = ports.host.post.bind(ports.host);
  ports.host.post = (message: HostToClient) => {
    posted.push(message);
    post(message);
  };
  const host = new EngineHost({
    id: 'a', storage, port: ports.host, clock, random: seededRandom(1), config: CONFIG,
    bootstrap: { voters: ['a'], learners: [] },
    transport: { send: () => {} },
    onError: (error) => errors.push(error),
  });
  await host.start();
  /** Let `ms` of clock time pass in steps of `stepMs`, firing timers and letting promises run. */
  const pass = async (ms: number, stepMs = 50) => {
    for (let t = 0; t < ms; t += stepMs) {
      clock.advance(Math.min(stepMs, ms - t));
      clock.runDue();
      await flushMicrotasks();
    }
  };
  await pass(500);
  expect(group.status).toMatchObject({ role: 'leader', online: true });
  const first = group.execute(1);
  await pass(100);
  await expect(first).resolves.toMatchObject({ result: 1 });
  return { clock, storage, io, group, host, posted, errors, pass };
}

describe('EngineHost: a storage that stops answering', () => {
  it('a write that never settles fails the host after the stall limit of awake time: status closed, operations fail saying why', async () => {
    const { clock, io, group, host, posted, errors, pass } = await soloGroup();
    expect(LIMIT).toBe(PERSIST_STALL_FLOOR_MS);
    io.mode = 'hang';
    const stuck = group.execute(2, { timeoutMs: 24 * 60 * 60 * 1000 }).catch((error: unknown) => error);
    await pass(100);
    expect(io.writes).toBeGreaterThan(1);
    // A slow write is not a stalled one: short of the limit the host goes on.
    await pass(LIMIT - 5_000);
    expect(host.running).toBe(true);
    // The machine slept for an hour (one late timer): no storage could progress meanwhile, and it
    // counts as one check, not as an hour.
    clock.advance(60 * 60 * 1000);
    clock.runDue();
    await flushMicrotasks();
    expect(host.running).toBe(true);
    expect(group.status.closed).toBe(false);
    // Still nothing after the limit of awake time: the storage stopped answering.
    await pass(5_000);
    expect(host.running).toBe(false);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(StorageStallError);
    expect(posted.filter((m) => m.type === 'closed')).toEqual([{ type: 'closed', requestId: null, error: expect.stringMatching(/^storage failure: storage stopped answering/) }]);
    expect(group.status).toMatchObject({ closed: true, online: false });
    // The command in flight may or may not have been written: its outcome is unknown (TimeoutError),
    // and says why. A new one fails as closed.
    const error = await stuck;
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toMatch(/storage failure: storage stopped answering/);
    await expect(group.execute(3)).rejects.toThrow(ClosedError);
    await expect(group.execute(3)).rejects.toThrow(/storage failure/);
    // close() finishes, and lets the storage go once.
    let closed = false;
    void host.close().then(() => (closed = true));
    await pass(LIMIT);
    expect(closed).toBe(true);
    expect(io.closes).toBe(1);
  });

  it('close() while a write never settles finishes at the stall limit, and closes the storage once', async () => {
    const { io, group, host, errors, pass } = await soloGroup();
    io.mode = 'hang';
    void group.execute(2, { timeoutMs: 10 * LIMIT }).catch(() => {});
    await pass(100);
    let closed = false;
    void host.close().then(() => (closed = true));
    await pass(LIMIT - 5_000);
    expect(closed).toBe(false); // the write in flight may still land
    await pass(5_000 + 3_000);
    expect(closed).toBe(true);
    expect(io.closes).toBe(1);
    expect(errors[0]).toBeInstanceOf(StorageStallError);
    await host.close();
    await host.releaseStorage();
    expect(io.closes).toBe(1);
  });

  it('close() after a write failed closes the storage, once', async () => {
    const { io, group, host, pass } = await soloGroup();
    io.mode = 'reject';
    await expect(group.execute(2)).rejects.toThrow(/storage failure/);
    expect(host.running).toBe(false);
    expect(group.status.closed).toBe(true);
    await host.close();
    expect(io.closes).toBe(1);
    await host.close();
    await host.releaseStorage();
    await pass(LIMIT);
    expect(io.closes).toBe(1);
  });

  it('close() after halt() closes the storage once the write in flight landed', async () => {
    const { io, storage, group, host, pass } = await soloGroup();
    // A write that takes a while: halt() comes while it is in flight.
    let land: () => void = () => {};
    const write = storage.persist;
    storage.persist = (batch: PersistBatch) => new Promise<void>((resolve) => (land = () => void write(batch).then(resolve)));
    void group.execute(2).catch(() => {});
    await pass(100);
    host.halt();
    let closed = false;
    void host.close().then(() => (closed = true));
    await pass(100);
    expect(closed).toBe(false);
    expect(io.closes).toBe(0);
    land();
    await pass(100);
    expect(closed).toBe(true);
    expect(io.closes).toBe(1);
  });
});
