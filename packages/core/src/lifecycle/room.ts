// What the signaling room says about the group, from what each peer in it (apart from the asking
// profile's running tabs) says about itself. One rule for every runtime (the browser's
// room-evidence.ts, the simulator's directory), so the founding decisions they test are the same.
import type { RoomEvidence } from './founding';

/**
 * What one room peer says about itself, as far as founding cares: 'member' (runs a group, or says
 * nothing of the kind: an older version), 'pristine' (a new tab holding nothing, waiting for a
 * group: PeerView.pristine), 'frozen' (holds a log but runs no group: PeerView.frozen), 'unheard'
 * (no gossip from it yet).
 */
export type RoomPeerSays = 'member' | 'pristine' | 'frozen' | 'unheard';

/**
 * 'occupied' as soon as one peer may run the group; 'unknown' while one is unheard or the room's
 * list may miss live peers (`listComplete` false: the server restarted too recently, or is away);
 * 'frozen' when frozen peers are all there is beside pristine ones; 'empty' otherwise.
 */
export function roomEvidenceOf(peers: Iterable<RoomPeerSays>, listComplete: boolean): RoomEvidence {
  let unheard = false;
  let frozen = false;
  for (const says of peers) {
    if (says === 'member') return 'occupied';
    if (says === 'unheard') unheard = true;
    if (says === 'frozen') frozen = true;
  }
  if (unheard || !listComplete) return 'unknown';
  return frozen ? 'frozen' : 'empty';
}
