// What a launch records about its start and the identities it went through, and how that and the
// live parts (engine, client, mesh) make up stats(). launch.ts writes it as the start goes on.
import type { PeerId } from '@meshraft/core';
import type { GroupStats } from './platform';

/** The record as a launch starts: what stats() reports as it is, plus what the launch needs of its start. */
export function newLaunchInfo() {
  return {
    room: null as string | null,
    authKey: null as Uint8Array | null,
    /** The same-browser channel's name; null: not used. */
    localSecret: null as string | null,
    bootstrapped: false,
    refounded: false,
    slotChoice: null as string | null,
    roomWasEmpty: null as boolean | null,
    keyDerivation: null as GroupStats['keyDerivation'],
    rejoins: 0,
    /** Peer ids given up, oldest first (stats' retiredPeerIds). */
    retired: [] as PeerId[],
    rejoinErrors: [] as string[],
    databasesDeleted: 0,
    frozenRestarts: 0,
  };
}

export type LaunchInfo = ReturnType<typeof newLaunchInfo>;

/** The parts of GroupStats that live elsewhere than the record (read when stats() is called). */
export type LiveStats = Pick<GroupStats, 'peerId' | 'frozenChecks' | 'departed' | 'frames' | 'client' | 'routes' | 'gossipDropped' | 'mesh' | 'startupError'>;

export function launchStats(info: LaunchInfo, live: LiveStats): GroupStats {
  return {
    peerId: live.peerId,
    room: info.room,
    bootstrapped: info.bootstrapped,
    refounded: info.refounded,
    slotChoice: info.slotChoice,
    roomWasEmpty: info.roomWasEmpty,
    keyDerivation: info.keyDerivation,
    rejoins: info.rejoins,
    retiredPeerIds: [...info.retired],
    rejoinErrors: [...info.rejoinErrors],
    databasesDeleted: info.databasesDeleted,
    frozenRestarts: info.frozenRestarts,
    frozenChecks: live.frozenChecks,
    departed: live.departed,
    frames: live.frames,
    client: live.client,
    routes: live.routes,
    gossipDropped: live.gossipDropped,
    mesh: live.mesh,
    startupError: live.startupError,
  };
}
