// Client requests: forwarding with exactly-once ranges, queueing without a leader, timeouts,
// size limits, ReadIndex on leader and follower, and leadership transfer.
import { describe, expect, it } from 'vitest';
import { elected as electedWith, EngineHarness, encode, testTimings } from './support/engine-harness';

const base = { ...testTimings, forwardTimeoutMs: 2000 };
const elected = (ids: string[], config = {}, seed = 1): EngineHarness => electedWith(ids, { config: { ...base, ...config }, seed, settleMs: 200 });

describe('engine: forwarding', () => {
  it('a follower forwards a proposal and reports the range the leader assigned', () => {
    const h = elected(['a', 'b', 'c']);
    const follower = h.followers()[0];
    h.propose(follower, 1, ['f1', 'f2']);
    expect(h.network.map((m) => m.message.type)).toEqual(['ForwardCommands']);
    h.deliverAll();
    expect(h.proposals.get(follower)).toEqual([{ requestId: 1, ok: true, start: 3, end: 4 }]);
    h.advance(300);
    for (const id of ['a', 'b', 'c']) expect(h.appliedCommands(id)).toEqual(['f1', 'f2']);
  });

  it('the leader answers a repeated ForwardCommands with the existing range and appends once', () => {
    const h = elected(['a', 'b', 'c']);
    const leader = h.leader();
    const follower = h.followers()[0];
    const forward = { type: 'ForwardCommands' as const, requestId: 77, client: { clientId: 'tab-1', seq: 10 }, commands: [encode('once'), encode('twice')] };
    h.node(leader).receive(follower, forward, h.now);
    h.drain(leader);
    h.advance(300); // even after it committed
    h.node(leader).receive(follower, { ...forward, requestId: 78 }, h.now);
    h.drain(leader);
    const answers = h.sentOf('ForwardCommandsResponse').map((m) => m.message);
    expect(answers).toEqual([
      { type: 'ForwardCommandsResponse', requestId: 77, ok: true, start: 3, end: 4 },
      { type: 'ForwardCommandsResponse', requestId: 78, ok: true, start: 3, end: 4 },
    ]);
    h.advance(300);
    expect(h.appliedCommands(leader)).toEqual(['once', 'twice']);
    // A local propose with the same tags gets the same range too.
    h.node(leader).propose(5, [encode('once'), encode('twice')], { clientId: 'tab-1', seq: 10 }, h.now);
    h.drain(leader);
    expect(h.proposals.get(leader)!.at(-1)).toEqual({ requestId: 5, ok: true, start: 3, end: 4 });
  });

  it('a new leader rebuilds the tag index from its log, so a retry after failover is not appended again', () => {
    const h = elected(['a', 'b', 'c'], {}, 3);
    const old = h.leader();
    const follower = h.followers()[0];
    h.propose(follower, 1, ['retry-me']);
    h.advance(300);
    const first = h.proposals.get(follower)![0];
    expect(first).toMatchObject({ ok: true });
    h.isolate(old);
    h.runUntil(() => h.leaders().some((id) => id !== old), 10_000);
    const fresh = h.leaders().find((id) => id !== old)!;
    // The host retries the same (clientId, seq) after a timeout.
    h.node(fresh).propose(2, [encode('retry-me')], { clientId: `client-${follower}`, seq: 1000 }, h.now);
    h.drain(fresh);
    expect(h.proposals.get(fresh)!.at(-1)).toMatchObject({ requestId: 2, ok: true, start: (first as { start: number }).start });
    h.advance(300);
    expect(h.appliedCommands(fresh).filter((c) => c === 'retry-me')).toHaveLength(1);
  });

  it('queues proposals while no leader is known and sends them once one is', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed: 4 });
    h.propose('b', 1, ['early']);
    expect(h.network).toEqual([]);
    h.runUntil(() => h.proposals.get('b')!.length > 0, 10_000);
    expect(h.proposals.get('b')![0]).toMatchObject({ requestId: 1, ok: true });
    h.advance(300);
    expect(h.appliedCommands('a')).toEqual(['early']);
  });

  it('fails with no-leader when none appears in time, and with timeout when the leader never answers', () => {
    const lonely = new EngineHarness({ ids: ['a', 'b', 'c'], config: base });
    lonely.isolate('a');
    lonely.propose('a', 1, ['x']);
    lonely.advance(2100);
    expect(lonely.proposals.get('a')).toEqual([{ requestId: 1, ok: false, error: 'no-leader' }]);

    const h = elected(['a', 'b', 'c'], {}, 2);
    const follower = h.followers()[0];
    h.propose(follower, 2, ['y']);
    h.dropWhere((m) => m.message.type === 'ForwardCommands');
    h.advance(2100);
    expect(h.proposals.get(follower)).toEqual([{ requestId: 2, ok: false, error: 'timeout' }]);
  });

  it('refuses proposals above maxProposalCommands or maxProposalBytes with too-large', () => {
    const h = elected(['a', 'b'], { maxProposalCommands: 2, maxProposalBytes: 8 });
    const leader = h.leader();
    const follower = h.followers()[0];
    h.propose(leader, 1, ['1', '2', '3']);
    h.propose(follower, 2, ['123456789']);
    expect(h.proposals.get(leader)).toEqual([{ requestId: 1, ok: false, error: 'too-large' }]);
    expect(h.proposals.get(follower)).toEqual([{ requestId: 2, ok: false, error: 'too-large' }]);
    expect(h.network).toEqual([]);
  });
});

describe('engine: ReadIndex', () => {
  it('a single voter answers a read at once with its commit index', () => {
    const h = new EngineHarness({ ids: ['a'], config: base });
    h.runUntil(() => h.leaders().length === 1);
    h.advance(20);
    h.read('a', 1);
    expect(h.reads.get('a')).toEqual([{ requestId: 1, ok: true, index: h.node('a').status().committed }]);
  });

  it('the leader answers only after a majority echoed a heartbeat round started after the read', () => {
    const h = elected(['a', 'b', 'c']);
    const leader = h.leader();
    h.propose(leader, 1, ['v']);
    h.advance(300);
    const commit = h.node(leader).status().committed;
    h.read(leader, 7);
    expect(h.reads.get(leader)).toEqual([]);
    const beats = h.network.filter((m) => m.message.type === 'Heartbeat');
    expect(beats).toHaveLength(2);
    // One follower's echo + the leader itself = majority of 3.
    h.deliverOne((m) => m.message.type === 'Heartbeat');
    h.deliverOne((m) => m.message.type === 'HeartbeatResponse');
    expect(h.reads.get(leader)).toEqual([{ requestId: 7, ok: true, index: commit }]);
  });

  it('a leader that lost its quorum cannot answer a read (bugs.readWithoutQuorum answers at once)', () => {
    for (const bug of [false, true]) {
      const h = elected(['a', 'b', 'c'], { checkQuorum: false }, 8);
      const leader = h.leader();
      if (bug) h.node(leader).bugs.readWithoutQuorum = true;
      h.isolate(leader);
      h.read(leader, 1);
      h.advance(1000);
      expect(h.reads.get(leader)!.length).toBe(bug ? 1 : 0);
    }
  });

  it('a follower obtains the read index from the leader', () => {
    const h = elected(['a', 'b', 'c']);
    const leader = h.leader();
    const follower = h.followers()[0];
    h.propose(leader, 1, ['w']);
    h.advance(300);
    h.read(follower, 3);
    expect(h.network.map((m) => m.message.type)).toEqual(['ReadIndexRequest']);
    h.deliverAll();
    expect(h.reads.get(follower)).toEqual([{ requestId: 3, ok: true, index: h.node(leader).status().committed }]);
  });

  it('a new leader answers reads only once it committed its no-op', () => {
    const h = new EngineHarness({ ids: ['a', 'b', 'c'], config: base, seed: 12 });
    h.node('a').receive('b', { type: 'TimeoutNow', term: 0 }, h.now);
    h.drain('a');
    h.deliverAll((m) => m.message.type.includes('Vote'));
    const leader = h.leader();
    h.read(leader, 1); // config + no-op not yet committed
    expect(h.node(leader).status().committed).toBe(0);
    h.deliverOne((m) => m.message.type === 'Heartbeat');
    h.deliverOne((m) => m.message.type === 'HeartbeatResponse');
    expect(h.reads.get(leader)).toEqual([]); // a quorum echoed, but nothing of this term is committed
    h.advance(300);
    expect(h.reads.get(leader)).toEqual([{ requestId: 1, ok: true, index: 2 }]);
  });
});

describe('engine: leadership transfer', () => {
  it('hands leadership to the chosen peer, which campaigns at once', () => {
    const h = elected(['a', 'b', 'c'], {}, 5);
    const old = h.leader();
    const target = h.followers()[0];
    const term = h.node(old).term;
    h.node(old).transferLeadership(target, h.now);
    h.drain(old);
    h.deliverAll();
    expect(h.leader()).toBe(target);
    expect(h.node(target).term).toBe(term + 1);
    expect(h.sentOf('TimeoutNow', { from: old, to: target })).toHaveLength(1);
    expect(h.sentOf('RequestVote', { from: target }).some((m) => m.message.transfer === true)).toBe(true);
    h.advance(300);
    expect(h.node(old).status()).toMatchObject({ role: 'follower', leader: target });
  });

  it('catches the target up first, holds proposals meanwhile, and forwards them to the new leader', () => {
    const h = elected(['a', 'b', 'c'], {}, 6);
    const old = h.leader();
    const target = h.followers()[0];
    h.cut(old, target);
    h.propose(old, 1, ['before']);
    h.advance(200);
    h.heal();
    h.node(old).transferLeadership(undefined, h.now);
    h.propose(old, 2, ['during']);
    expect(h.proposals.get(old)!.some((p) => p.requestId === 2)).toBe(false);
    h.advance(500);
    expect(h.leaders()).toHaveLength(1);
    expect(h.proposals.get(old)!.find((p) => p.requestId === 2)).toMatchObject({ ok: true });
    for (const id of ['a', 'b', 'c']) expect(h.appliedCommands(id)).toEqual(['before', 'during']);
  });

  it('aborts after an election timeout when the target never answers', () => {
    const h = elected(['a', 'b', 'c'], {}, 7);
    const old = h.leader();
    const target = h.followers()[0];
    h.cut(old, target);
    h.propose(old, 1, ['x']); // target is now behind, so no TimeoutNow is sent yet
    h.node(old).transferLeadership(target, h.now);
    h.propose(old, 2, ['held']);
    h.advance(1100);
    expect(h.leader()).toBe(old);
    expect(h.proposals.get(old)!.find((p) => p.requestId === 2)).toMatchObject({ ok: true });
  });
});
