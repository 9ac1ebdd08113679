// The one meshraft group of this tab. Created once per page load, outside React, so StrictMode's
// double mounting never starts two peers. Closing or reloading the tab needs nothing here: the
// runtime departs on pagehide (the group stops counting this tab at once) and a reloaded tab comes
// back as a new peer on the same local log.
import { createGroup, type MeshraftGroup } from 'meshraft';
import { BoardMachine, type ApplyOutcome, type Board, type BoardCommand, type BoardQuery } from './board-machine';
import { groupKey, signalingUrl } from './settings';

/** The fourth type argument is apply's answer, what execute() resolves with (`result`). */
export type BoardGroup = MeshraftGroup<BoardCommand, BoardQuery, Board, ApplyOutcome>;

export function startBoardGroup(): { group: BoardGroup; key: string; signaling: string } {
  const key = groupKey();
  const signaling = signalingUrl();
  const group: BoardGroup = createGroup<BoardCommand, BoardQuery, Board, ApplyOutcome>({
    key,
    signaling,
    stateMachine: new BoardMachine(),
    storage: 'indexeddb',
  });
  // A different key in the hash means a different board: start over with that group.
  window.addEventListener('hashchange', () => {
    if (groupKey() !== key) location.reload();
  });
  return { group, key, signaling };
}

/** Peers this tab has a live, authenticated WebRTC connection to (from the runtime's mesh stats). */
export async function connectedPeers(group: BoardGroup): Promise<string[]> {
  const stats = await group.stats();
  const peers = stats.mesh?.peers;
  return Array.isArray(peers) ? peers.filter((p): p is string => typeof p === 'string') : [];
}
