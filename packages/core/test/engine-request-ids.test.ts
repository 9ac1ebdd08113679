// A peer that restarts may still receive answers to what its previous incarnation sent: a read
// index or command range computed for an old request must never answer a new one (a stale read,
// or a wrong result for a forwarded command).
import { describe, expect, it } from 'vitest';
import { defaultRaftConfig } from '../src/config';
import { RaftNode } from '../src/engine/index';
import type { Message } from '../src/messages';
import { seededRandom } from '../src/rng';
import type { PersistedState } from '../src/storage';
import type { LogEntry, Membership } from '../src/types';

const members: Membership = { voters: ['a', 'b', 'c'], learners: [] };
const log: LogEntry[] = [
  { kind: 'config', index: 1, term: 1, membership: members },
  { kind: 'noop', index: 2, term: 1 },
];
const state: PersistedState = { hardState: { term: 1, vote: 'a', commit: 2 }, snapshot: null, entries: log };

/** Follower b of leader a, as one incarnation with its own random stream (as every start has). */
function incarnation(seed: number): RaftNode {
  const n = new RaftNode({ id: 'b', config: defaultRaftConfig, preference: 'normal', random: seededRandom(seed), now: 0, state });
  n.receive('a', { type: 'Heartbeat', term: 1, commit: 2, round: 1 }, 1);
  n.ready();
  return n;
}

function sentTo(n: RaftNode, type: Message['type']): Extract<Message, { requestId: number }> {
  const sent = n.ready().messages.find((e) => e.to === 'a' && e.message.type === type);
  expect(sent, `b sends ${type} to a`).toBeDefined();
  return sent!.message as Extract<Message, { requestId: number }>;
}

describe('engine: request ids across restarts', () => {
  it('a read index answered to the previous incarnation does not answer a new read', () => {
    const before = incarnation(11);
    before.readIndex(1, 10);
    const oldRequest = sentTo(before, 'ReadIndexRequest');

    // b restarts; the host numbers its requests from 1 again. Meanwhile a value is written at 3.
    const after = incarnation(12);
    after.readIndex(1, 20);
    const newRequest = sentTo(after, 'ReadIndexRequest');
    expect(newRequest.requestId).not.toBe(oldRequest.requestId);

    // The leader's answer to the old request (read index 2) arrives late: it must be ignored.
    after.receive('a', { type: 'ReadIndexResponse', requestId: oldRequest.requestId, ok: true, index: 2 }, 21);
    expect(after.ready().reads).toEqual([]);
    after.receive('a', { type: 'ReadIndexResponse', requestId: newRequest.requestId, ok: true, index: 3 }, 22);
    expect(after.ready().reads).toEqual([{ requestId: 1, ok: true, index: 3 }]);
  });

  it('a command range answered to the previous incarnation does not answer a new forward', () => {
    const before = incarnation(21);
    before.propose(1, [new Uint8Array([1])], { clientId: 'tab', seq: 1 }, 10);
    const oldRequest = sentTo(before, 'ForwardCommands');

    const after = incarnation(22);
    after.propose(1, [new Uint8Array([2])], { clientId: 'tab', seq: 2 }, 20);
    const newRequest = sentTo(after, 'ForwardCommands');
    expect(newRequest.requestId).not.toBe(oldRequest.requestId);

    after.receive('a', { type: 'ForwardCommandsResponse', requestId: oldRequest.requestId, ok: true, start: 3, end: 3 }, 21);
    expect(after.ready().proposals).toEqual([]);
    after.receive('a', { type: 'ForwardCommandsResponse', requestId: newRequest.requestId, ok: true, start: 4, end: 4 }, 22);
    expect(after.ready().proposals).toEqual([{ requestId: 1, ok: true, start: 4, end: 4 }]);
  });

  it('wire ids of different incarnations start far apart and stay within the wire limit', () => {
    const firsts = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
      const n = incarnation(seed);
      n.readIndex(1, 10);
      return sentTo(n, 'ReadIndexRequest').requestId;
    });
    expect(new Set(firsts).size).toBe(firsts.length);
    for (const id of firsts) expect(id).toBeLessThan(2 ** 47);
  });
});
