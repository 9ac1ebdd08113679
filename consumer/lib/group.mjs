// Group-wide conditions the consumer checks wait for, over any mix of peers (lib/peers.mjs).
import { assert, waitFor } from './checks.mjs';

/** A status in one line of failure detail. */
export const brief = (s) => [s.peerId, s.role, `t${s.term}`, `leader=${s.leader}`, s.online ? 'online' : 'offline', `voters=${s.members.voters.length}`];

/**
 * Waits until every peer is online, all agree on one leader that is a voter, exactly one peer is
 * that leader, and the group has `voters` voters. Returns the leader's peer id.
 */
export async function waitForGroup(peers, voters, timeoutMs = 90_000) {
  return waitFor(
    `${peers.map((p) => p.label).join(', ')} form one group of ${voters} voters`,
    async () => {
      const all = await Promise.all(peers.map((p) => p.status()));
      const leaders = new Set(all.map((s) => s.leader));
      const [leader] = [...leaders];
      const ok =
        leaders.size === 1 &&
        leader !== null &&
        all.every((s) => s.online && s.members.voters.length === voters && s.members.voters.includes(leader)) &&
        all.filter((s) => s.role === 'leader').map((s) => s.peerId).join() === leader;
      return { ok, detail: ok ? leader : JSON.stringify(all.map(brief)) };
    },
    { timeoutMs },
  );
}

/** Waits until every peer applied `index` and its counter (weak, local read) shows `total`. */
export async function waitForTotal(peers, index, total, timeoutMs = 60_000) {
  return waitFor(
    `${peers.map((p) => p.label).join(', ')} apply index ${index} with total ${total}`,
    async () => {
      const seen = await Promise.all(
        peers.map(async (p) => ({ applied: (await p.status()).applied, total: (await p.query('total', 'weak')).result })),
      );
      return { ok: seen.every((s) => s.applied >= index && s.total === total), detail: JSON.stringify(seen) };
    },
    { timeoutMs },
  );
}

/** Opens peers one by one: the first bootstraps the empty room and must lead before the others join. */
export async function openInOrder(openers) {
  const peers = [];
  for (const open of openers) {
    const peer = await open();
    peers.push(peer);
    if (peers.length === 1) {
      await waitFor(`${peer.label} leads the group it bootstrapped`, async () => {
        const s = await peer.status();
        return { ok: s.role === 'leader', detail: JSON.stringify(brief(s)) };
      });
    }
  }
  return peers;
}

/** The first of `peers` that is not `leader`. */
export async function followerOf(peers, leader) {
  const statuses = await Promise.all(peers.map((p) => p.status()));
  const follower = peers[statuses.findIndex((s) => s.peerId !== leader)];
  assert(follower, 'no follower among the peers');
  return follower;
}

/** A command from a follower commits and applies on every peer; returns its index. */
export async function followerCommandAppliesEverywhere(peers, leader, add, totalBefore) {
  const follower = await followerOf(peers, leader);
  const index = await follower.execute(add);
  assert(Number.isInteger(index) && index > 0, `execute returned ${index}`);
  await waitForTotal(peers, index, totalBefore + add);
  return { index, follower };
}

export function problemsOf(peers) {
  return peers.flatMap((p) => p.problems().map((problem) => `${p.label}: ${problem}`));
}
