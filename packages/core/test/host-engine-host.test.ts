// EngineHost's Ready loop against a scripted engine and storage: strict order
// persist -> send -> post -> storageDone, empty batches skipped, start-up replay, ticks, failures.
import { describe, expect, it } from 'vitest';
import type { DeparturePlan, RaftEngine, RaftNodeOptions, Ready } from '../src/engine/api';
import { EngineHost } from '../src/host/engine-host';
import { IDLE_COMMIT_FLUSH_MS } from '../src/host/idle-commit-flush';
import { createInProcessPorts } from '../src/host/ports';
import type { HostToClient } from '../src/host/protocol';
import type { Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { PersistBatch, PersistedState, Storage } from '../src/storage';
import type { HardState, LogEntry, RaftStatus, Snapshot } from '../src/types';
import { ManualClock } from './support-cluster/manual-clock';
import { flushMicrotasks } from './support-cluster/wait';

const status: RaftStatus = {
  peerId: 'a', role: 'leader', term: 2, leader: 'a', committed: 3, applied: 3, lastIndex: 3,
  online: true, members: { voters: ['a', 'b'], learners: [] }, catchUp: null,
};

class ScriptedEngine implements RaftEngine {
  readonly id = 'a';
  readonly readies: Ready[] = [];
  readonly log: string[];
  ticks = 0;
  /** What takeHeldHardState hands out (once). */
  held: HardState | undefined;
  constructor(log: string[], readonly options: RaftNodeOptions) {
    this.log = log;
  }
  tick(): void {
    this.ticks++;
  }
  receive(from: string, message: Message): void {
    this.log.push(`receive ${from} ${message.type}`);
  }
  propose(requestId: number): void {
    this.log.push(`propose ${requestId}`);
  }
  readIndex(requestId: number): void {
    this.log.push(`read ${requestId}`);
  }
  transferLeadership(): null {
    return null;
  }
  peerUp(): void {}
  peerDown(): void {}
  peerGone(): void {}
  storageDone(token: number): void {
    this.log.push(`done ${token}`);
  }
  snapshotTaken(): void {}
  takeHeldHardState(): HardState | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }
  hasReady(): boolean {
    return this.readies.length > 0;
  }
  ready(): Ready {
    return this.readies.shift()!;
  }
  status(): RaftStatus {
    return status;
  }
}

class RecordingStorage implements Storage {
  release: Array<() => void> = [];
  readonly batches: PersistBatch[] = [];
  fail = false;
  constructor(private readonly log: string[], private readonly state: PersistedState) {}
  async load(): Promise<PersistedState> {
    return this.state;
  }
  persist(batch: PersistBatch): Promise<void> {
    this.log.push(`persist ${batch.entries.map((e) => e.index).join(',')}`);
    this.batches.push(batch);
    if (this.fail) return Promise.reject(new Error('disk full'));
    return new Promise((resolve) => this.release.push(resolve));
  }
  async termAt(): Promise<number | undefined> {
    return undefined;
  }
  async entries(): Promise<LogEntry[]> {
    return [];
  }
  async last() {
    return { index: 0, term: 0 };
  }
  async hardState() {
    return this.state.hardState;
  }
  async snapshot() {
    return null;
  }
  async close(): Promise<void> {
    this.log.push('storage closed');
  }
}

const entry = (index: number): LogEntry => ({ kind: 'noop', index, term: 1 });
const ready = (token: number, patch: Partial<Ready>): Ready => ({
  token, persist: { entries: [] }, messages: [], committed: [], snapshotToInstall: null, proposals: [], reads: [], status: null, ...patch,
});

async function rig(state: PersistedState = { hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] }) {
  const log: string[] = [];
  const clock = new ManualClock();
  const storage = new RecordingStorage(log, state);
  const ports = createInProcessPorts();
  const posted: HostToClient[] = [];
  ports.client.onMessage((m) => {
    posted.push(m);
    log.push(`post ${m.type}`);
  });
  let engine: ScriptedEngine | null = null;
  const host = new EngineHost({
    id: 'a', storage, port: ports.host, clock, random: seededRandom(1),
    config: { heartbeatMs: 40, electionTimeoutMs: 200 },
    transport: {
      send: (to, message) => log.push(`send ${to} ${message.type}`),
      departurePlan: (plan) => log.push(`plan term ${plan.notice.term}`),
    },
    createEngine: (options) => (engine = new ScriptedEngine(log, options)),
  });
  await host.start();
  await flushMicrotasks();
  return { log, clock, storage, ports, posted, host, engine: engine! };
}

describe('EngineHost', () => {
  it('after depart, lets its storage go once the batch in flight landed, and never starts another (releaseStorage)', async () => {
    const { log, storage, engine, host } = await rig();
    await host.releaseStorage(); // a running host keeps its storage
    expect(log).not.toContain('storage closed');
    log.length = 0;
    engine.readies.push(ready(1, { persist: { entries: [entry(1)], hardState: { term: 1, vote: null, commit: 0 } } }));
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(log).toEqual(['receive b TimeoutNow', 'persist 1']);
    host.depart();
    engine.readies.push(ready(2, { persist: { entries: [entry(2)], hardState: { term: 1, vote: null, commit: 0 } } }));
    const released = host.releaseStorage();
    await flushMicrotasks();
    expect(log).not.toContain('storage closed'); // the batch in flight has not landed yet
    storage.release.shift()!();
    await released;
    // Closed after the last batch, and the Ready queued after the departure was never written.
    expect(log).toEqual(['receive b TimeoutNow', 'persist 1', 'storage closed']);
    await host.releaseStorage();
    await host.close();
    expect(log.filter((line) => line === 'storage closed')).toHaveLength(1);
  });

  it('holds messages of a batch that changes the vote until it is durable; committed entries and results go at once', async () => {
    const { log, storage, engine, host, posted } = await rig();
    log.length = 0;
    engine.readies.push(
      ready(1, {
        persist: { entries: [entry(1)], hardState: { term: 1, vote: 'a', commit: 0 } },
        messages: [{ to: 'b', message: { type: 'Heartbeat', term: 1, commit: 0, round: 1 } }],
        committed: [entry(1)],
        proposals: [{ requestId: 9, ok: true, start: 1, end: 1 }],
        status,
      }),
      ready(2, { messages: [{ to: 'b', message: { type: 'TimeoutNow', term: 1 } }] }),
    );
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    // The batch is not durable yet: no message has left (the vote changed), nor the status; the
    // committed entry (stored by a quorum) and the proposal's log position did, before the storage
    // call even started.
    expect(log).toEqual(['receive b TimeoutNow', 'post apply', 'post proposal-result', 'persist 1']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log).toEqual([
      'receive b TimeoutNow', 'post apply', 'post proposal-result', 'persist 1', 'send b Heartbeat', 'done 1',
      // The second Ready has an empty batch: no storage call at all.
      'send b TimeoutNow', 'done 2',
      'post status',
    ]);
    expect(posted.find((m) => m.type === 'proposal-result')).toEqual({ type: 'proposal-result', requestId: 9, ok: true, start: 1, end: 1 });
    expect(host.stats.messagesSentEarly).toBe(0);
  });

  it("posts a leader's departure plan before its append is durable even with no early message; a follower's waits for the write", async () => {
    const notice = (led: boolean): DeparturePlan['notice'] => ({ type: 'Departure', term: 1, lastIndex: 1, lastTerm: 1, knew: [], ...(led ? { led } : {}) });
    for (const led of [true, false]) {
      const { log, storage, engine, host } = await rig();
      log.length = 0;
      // Entry 1 is committed and applied by the page at once; entry 2 is being written, and no
      // follower gets an append in this Ready. The leader's plan claims 1, which a quorum stored.
      engine.readies.push(ready(1, { persist: { entries: [entry(2)] }, committed: [entry(1)], departure: { appends: [], notice: notice(led), handoffTo: null } }));
      host.receive('b', { type: 'TimeoutNow', term: 1 });
      await flushMicrotasks();
      expect(log).toEqual(['receive b TimeoutNow', ...(led ? ['plan term 1'] : []), 'post apply', 'persist 2']);
      storage.release.shift()!();
      await flushMicrotasks();
      expect(log.filter((line) => line === 'plan term 1')).toHaveLength(1);
      expect(log.indexOf('plan term 1') > log.indexOf('persist 2')).toBe(!led);
    }
  });

  it("posts a leader's plan before a batch that stores its own compaction snapshot; not before one installing a fetched snapshot", async () => {
    const notice: DeparturePlan['notice'] = { type: 'Departure', term: 1, lastIndex: 2, lastTerm: 1, knew: [], led: true };
    const snapshot: Snapshot = { meta: { index: 1, term: 1, membership: { voters: ['a'], learners: [] } }, data: new Uint8Array([1]) };
    for (const fetched of [false, true]) {
      const { log, storage, engine, host } = await rig();
      log.length = 0;
      // A lone voter's own write made entry 2 committed; its page asked for a snapshot at 1 before.
      // The page applies 2 before the write, so a closing page must already hold the plan naming 2.
      engine.readies.push(ready(1, { persist: { entries: [], snapshot }, committed: [entry(2)], snapshotToInstall: fetched ? snapshot : null, departure: { appends: [], notice, handoffTo: null } }));
      host.receive('b', { type: 'TimeoutNow', term: 1 });
      await flushMicrotasks();
      const persisted = log.findIndex((line) => line.startsWith('persist'));
      expect(persisted).toBeGreaterThan(0);
      expect(log.indexOf('plan term 1')).toBe(fetched ? -1 : 1);
      storage.release.shift()!();
      await flushMicrotasks();
      expect(log.filter((line) => line === 'plan term 1')).toHaveLength(1);
      expect(log.indexOf('plan term 1') > persisted).toBe(fetched);
    }
  });

  it("sends a leader's appends before its own append is durable, and responses only after (thesis §10.2.1)", async () => {
    const { log, storage, engine, host } = await rig();
    log.length = 0;
    const append = { type: 'AppendEntries', term: 1, prevIndex: 0, prevTerm: 0, entries: [entry(1)], commit: 0 } as unknown as Message;
    engine.readies.push(
      ready(1, {
        // Same term and vote as loaded (term 1, no vote): only entries and the commit index change.
        persist: { entries: [entry(1)], hardState: { term: 1, vote: null, commit: 1 } },
        messages: [
          { to: 'b', message: append },
          { to: 'c', message: { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 1 } as unknown as Message },
          { to: 'c', message: { type: 'Heartbeat', term: 1, commit: 0, round: 1 } },
        ],
      }),
    );
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(log).toEqual(['receive b TimeoutNow', 'send b AppendEntries', 'send c Heartbeat', 'persist 1']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.slice(4)).toEqual(['send c AppendEntriesResponse', 'done 1']);
    expect(host.stats.messagesSentEarly).toBe(2);
  });

  it("sends a candidate's RequestVote before its new term and own vote are durable; its plan and other messages wait", async () => {
    const { log, storage, engine, host } = await rig();
    log.length = 0;
    const plan = { appends: [], notice: { type: 'Departure' as const, term: 2, lastIndex: 1, lastTerm: 1 }, handoffTo: null };
    engine.readies.push(
      ready(1, {
        // Loaded: term 1, no vote. This batch starts a candidacy (term 2, a's vote for itself), and
        // carries a response left over from before it.
        persist: { entries: [entry(1)], hardState: { term: 2, vote: 'a', commit: 0 } },
        messages: [
          { to: 'c', message: { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 1 } as unknown as Message },
          { to: 'b', message: { type: 'RequestVote', term: 2, lastLogIndex: 1, lastLogTerm: 1 } },
          { to: 'c', message: { type: 'RequestVote', term: 2, lastLogIndex: 1, lastLogTerm: 1 } },
        ],
        departure: plan,
      }),
    );
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    // The vote requests acknowledge nothing: out before the write, without the new plan.
    expect(log).toEqual(['receive b TimeoutNow', 'send b RequestVote', 'send c RequestVote', 'persist 1']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.slice(4)).toEqual(['plan term 2', 'send c AppendEntriesResponse', 'done 1']);
    expect(host.stats.messagesSentEarly).toBe(2);
  });

  it('a real engine that won while its candidacy was still being written sends nothing as leader until that write lands', async () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const storage = new RecordingStorage(log, { hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] });
    const host = new EngineHost({
      id: 'a', storage, port: createInProcessPorts().host, clock, random: seededRandom(1),
      config: { heartbeatMs: 40, electionTimeoutMs: 200, electionJitterMs: 10, bootstrapDelayMs: 0, preVote: false },
      bootstrap: { voters: ['a', 'b', 'c'], learners: [] },
      transport: { send: (to, message) => log.push(`send ${to} ${message.type} t${'term' in message ? message.term : '-'}`) },
    });
    await host.start();
    for (let i = 0; i < 20 && !log.includes('send b RequestVote t2'); i++) {
      clock.advance(20);
      clock.runDue();
      await flushMicrotasks();
    }
    // The vote requests left, and the write of term 2 and a's own vote is still in flight.
    expect(log).toEqual(['send b RequestVote t2', 'send c RequestVote t2', 'persist ']);
    host.receive('b', { type: 'RequestVoteResponse', term: 2, vote: 'granted' });
    clock.advance(20);
    clock.runDue();
    await flushMicrotasks();
    // a has a majority (b's grant and its own vote), but no append or heartbeat of its leadership
    // leaves while its vote may still be lost.
    expect(log).toEqual(['send b RequestVote t2', 'send c RequestVote t2', 'persist ']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.slice(3).filter((line) => line.startsWith('send'))).toEqual(['send b AppendEntries t2', 'send c AppendEntries t2']);
    expect(log.slice(3)).toContain('persist 1,2');
  });

  it("keeps a batch's vote requests until durable when the batch records a vote for another peer", async () => {
    const { log, storage, engine, host } = await rig();
    log.length = 0;
    engine.readies.push(
      ready(1, {
        // Granting b in term 2: this batch is no candidacy of a's, whatever vote request it carries.
        persist: { entries: [], hardState: { term: 2, vote: 'b', commit: 0 } },
        messages: [
          { to: 'b', message: { type: 'RequestVoteResponse', term: 2, vote: 'granted' } as unknown as Message },
          { to: 'c', message: { type: 'RequestVote', term: 2, lastLogIndex: 0, lastLogTerm: 0 } },
        ],
      }),
    );
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(log).toEqual(['receive b TimeoutNow', 'persist ']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.slice(2)).toEqual(['send b RequestVoteResponse', 'send c RequestVote', 'done 1']);
    expect(host.stats.messagesSentEarly).toBe(0);
  });

  it('keeps every message until durable when the batch truncates or installs a snapshot', async () => {
    const { log, storage, engine, host } = await rig();
    log.length = 0;
    engine.readies.push(ready(1, { persist: { entries: [entry(2)], truncateFrom: 2 }, messages: [{ to: 'b', message: { type: 'Heartbeat', term: 1, commit: 0, round: 1 } }] }));
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(log).toEqual(['receive b TimeoutNow', 'persist 2']);
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.slice(2)).toEqual(['send b Heartbeat', 'done 1']);
  });

  it('writes a batch that only moves the commit index in the background and goes on; its failure still stops the host', async () => {
    const { log, storage, engine, host, posted } = await rig();
    log.length = 0;
    engine.readies.push(
      ready(1, {
        persist: { entries: [], hardState: { term: 1, vote: null, commit: 4 } },
        messages: [{ to: 'b', message: { type: 'AppendEntriesResponse', term: 1, success: true, matchIndex: 4 } as unknown as Message }],
        committed: [entry(4)],
      }),
      ready(2, { persist: { entries: [entry(5)] }, messages: [{ to: 'b', message: { type: 'Heartbeat', term: 1, commit: 4, round: 2 } }] }),
    );
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    // Ready 1's write has not finished, yet its message left, it was acknowledged, and Ready 2 runs.
    expect(log).toEqual(['receive b TimeoutNow', 'send b AppendEntriesResponse', 'post apply', 'persist ', 'done 1', 'send b Heartbeat', 'persist 5']);
    expect(host.stats.backgroundPersists).toBe(1);
    storage.fail = true;
    storage.release.shift()!();
    storage.release.shift()!();
    await flushMicrotasks();
    expect(log.at(-1)).toBe('done 2');
    engine.readies.push(ready(3, { persist: { entries: [], hardState: { term: 1, vote: null, commit: 5 } } }));
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(posted.at(-1)).toMatchObject({ type: 'closed', error: 'storage failure: disk full' });
    expect(host.running).toBe(false);
  });

  it('calls onReady with each Ready before any of its messages is sent', async () => {
    const log: string[] = [];
    const clock = new ManualClock();
    const storage = new RecordingStorage(log, { hardState: { term: 1, vote: null, commit: 0 }, snapshot: null, entries: [] });
    const ports = createInProcessPorts();
    let engine: ScriptedEngine | null = null;
    const host = new EngineHost({
      id: 'a', storage, port: ports.host, clock, random: seededRandom(1),
      transport: { send: (to, message) => log.push(`send ${to} ${message.type}`) },
      createEngine: (options) => (engine = new ScriptedEngine(log, options)),
      onReady: (r) => log.push(`ready ${r.token}`),
      afterSend: () => log.push('flush'),
    });
    await host.start();
    await flushMicrotasks();
    log.length = 0;
    engine!.readies.push(ready(7, { persist: { entries: [entry(1)] }, messages: [{ to: 'b', message: { type: 'Heartbeat', term: 1, commit: 0, round: 1 } }] }));
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    expect(log).toEqual(['receive b TimeoutNow', 'ready 7', 'send b Heartbeat', 'flush', 'persist 1']);
  });

  it('replays the committed prefix to the client at start and does not post it twice', async () => {
    const state: PersistedState = { hardState: { term: 1, vote: 'a', commit: 2 }, snapshot: null, entries: [entry(1), entry(2), entry(3)] };
    const { posted, engine, host } = await rig(state);
    expect(engine.options.state).toBe(state);
    expect(posted[0]).toEqual({ type: 'apply', entries: [entry(1), entry(2)], snapshot: null });
    engine.readies.push(ready(1, { committed: [entry(1), entry(2), entry(3)] }));
    host.peerUp('b');
    await flushMicrotasks();
    const applies = posted.filter((m) => m.type === 'apply');
    expect(applies).toHaveLength(2);
    expect(applies[1]).toEqual({ type: 'apply', entries: [entry(3)], snapshot: null });
  });

  it('ticks on the injected clock at heartbeat/2 and forwards client requests', async () => {
    const { clock, engine, ports, log } = await rig();
    clock.advance(20);
    clock.runDue();
    clock.advance(20);
    clock.runDue();
    expect(engine.ticks).toBe(2);
    ports.client.post({ type: 'propose', requestId: 4, commands: [new Uint8Array([1])], client: { clientId: 'c', seq: 1 } });
    ports.client.post({ type: 'read', requestId: 5 });
    await flushMicrotasks();
    expect(log).toContain('propose 4');
    expect(log).toContain('read 5');
  });

  it('stops and tells the client when storage fails', async () => {
    const { storage, engine, host, posted, log } = await rig();
    storage.fail = true;
    engine.readies.push(ready(1, { persist: { entries: [entry(1)] }, messages: [{ to: 'b', message: { type: 'TimeoutNow', term: 1 } }] }));
    host.peerDown('b');
    await flushMicrotasks();
    expect(log.some((l) => l.startsWith('send'))).toBe(false);
    expect(host.running).toBe(false);
    expect(posted.at(-1)).toMatchObject({ type: 'closed', requestId: null });
  });

  it('closes gracefully on a close request: storage closed, then closed posted', async () => {
    const { ports, posted, log, host } = await rig();
    ports.client.post({ type: 'close', requestId: 77 });
    await flushMicrotasks();
    expect(log.at(-2)).toBe('storage closed');
    expect(posted.at(-1)).toEqual({ type: 'closed', requestId: 77 });
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    expect(host.stats.messagesDropped).toBe(1);
  });

  it('a graceful close stores the commit index the engine held back, last; failing to store it does not stop the close', async () => {
    const stored = await rig();
    stored.engine.held = { term: 1, vote: null, commit: 9 };
    stored.ports.client.post({ type: 'close', requestId: 5 });
    await flushMicrotasks();
    expect(stored.log.at(-1)).toBe('persist ');
    expect(stored.storage.batches.at(-1)).toEqual({ entries: [], hardState: { term: 1, vote: null, commit: 9 } });
    stored.storage.release.shift()!();
    await flushMicrotasks();
    expect(stored.log.slice(-3)).toEqual(['persist ', 'storage closed', 'post closed']);
    expect(stored.posted.at(-1)).toEqual({ type: 'closed', requestId: 5 });

    const failing = await rig();
    failing.engine.held = { term: 1, vote: null, commit: 9 };
    failing.storage.fail = true;
    failing.ports.client.post({ type: 'close', requestId: 6 });
    await flushMicrotasks();
    expect(failing.posted.filter((m) => m.type === 'closed')).toEqual([{ type: 'closed', requestId: 6 }]);
    expect(failing.log.slice(-2)).toEqual(['storage closed', 'post closed']);
  });

  it('stores the commit index the engine held back once its Ready loop has been idle a while, not while inputs keep coming', async () => {
    const { clock, storage, engine, host } = await rig();
    engine.held = { term: 1, vote: null, commit: 3 };
    for (let i = 0; i < 3; i++) {
      // An input just before the flush is due: the loop is busy again, and the wait starts over.
      clock.advance(IDLE_COMMIT_FLUSH_MS - 1);
      clock.runDue();
      host.receive('b', { type: 'TimeoutNow', term: 1 });
      await flushMicrotasks();
    }
    expect(storage.batches).toEqual([]);
    clock.advance(IDLE_COMMIT_FLUSH_MS);
    clock.runDue();
    expect(storage.batches).toEqual([{ entries: [], hardState: { term: 1, vote: null, commit: 3 } }]);
    expect(host.stats.backgroundPersists).toBe(1);
    // Nothing more is held: idle again, nothing more is written.
    host.receive('b', { type: 'TimeoutNow', term: 1 });
    await flushMicrotasks();
    clock.advance(IDLE_COMMIT_FLUSH_MS);
    clock.runDue();
    expect(storage.batches).toHaveLength(1);
  });
});
