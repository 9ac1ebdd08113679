// The bootstrap decision (docs/tab-lifecycle.md, "Founding"): the first peer in an empty
// room starts a one-member configuration; everyone else waits to be added through the log. The
// engine ignores the bootstrap membership when the local log or snapshot is non-empty, so a peer
// that already has a log never re-bootstraps (which could otherwise fork the group).
import type { LeadershipPreference, Membership, PeerId } from '@meshraft/core';

export function decideBootstrap(
  override: boolean | Membership | undefined,
  roomWasEmpty: boolean,
  peerId: PeerId,
  preference: LeadershipPreference,
): Membership | undefined {
  if (typeof override === 'object') return { voters: [...override.voters], learners: [...override.learners] };
  const wanted = override ?? roomWasEmpty;
  // An observer never campaigns: a one-member group of an observer could never elect a leader.
  if (!wanted || preference === 'observer') return undefined;
  return { voters: [peerId], learners: [] };
}
