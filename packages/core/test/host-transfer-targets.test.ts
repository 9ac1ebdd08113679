// transferLeadership to a peer that cannot take over fails at once with InvalidInputError (a
// TimeoutError after two election timeouts would read as "try again"); to the leader itself it
// succeeds at once, leadership staying where it is.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors';
import { agreedLeader, counterCluster, type CounterCluster } from './support-cluster/counter-cluster';
import { statusWhere, within } from './support-cluster/wait';

let cluster: CounterCluster | null = null;
afterEach(async () => {
  await cluster?.close();
  cluster = null;
});

async function failure(promise: Promise<void>): Promise<unknown> {
  return within(
    promise.then(
      () => new Error('the transfer resolved'),
      (error: unknown) => error,
    ),
    10_000,
    'transfer outcome',
  );
}

describe('leadership transfer to an invalid target', () => {
  it('to a peer that is not a member rejects at once with InvalidInputError', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const error = await failure(cluster.group(leader).transferLeadership('nobody'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/nobody is not a member of the group/);
    expect(cluster.group(leader).status.leader).toBe(leader);
  });

  it('to a learner rejects at once with InvalidInputError', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c', { id: 'd', preference: 'observer' }] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster, ['a', 'b', 'c']);
    await statusWhere(cluster.group(leader), (s) => s.members.learners.includes('d'), 10_000, 'd a learner');
    const error = await failure(cluster.group(leader).transferLeadership('d'));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/d is a learner/);
  });

  it('with no other voter to choose rejects at once with InvalidInputError', async () => {
    cluster = counterCluster({ peers: ['solo'] });
    const solo = await cluster.add('solo');
    await within(solo.when.online(), 10_000, 'online');
    const error = await failure(solo.transferLeadership());
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/no other voter/);
  });

  it('to the leader itself resolves at once and leadership stays', async () => {
    cluster = counterCluster({ peers: ['a', 'b', 'c'] });
    await cluster.addAll();
    const leader = await agreedLeader(cluster);
    const term = cluster.group(leader).status.term;
    await expect(within(cluster.group(leader).transferLeadership(leader), 10_000, 'transfer to itself')).resolves.toBeUndefined();
    expect(cluster.group(leader).status).toMatchObject({ leader, term, role: 'leader' });
  });
});
