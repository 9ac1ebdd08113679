// Delivers committed entries (and installed snapshots) from the host to the client exactly once.
// The state machine lives in memory only, so at start the host replays the stored snapshot and the
// committed prefix of the log; afterwards the engine re-emits some of that, and only what is new is
// passed on.
import { copyBytes } from '../codec/cbor';
import type { Ready } from '../engine/api';
import type { PersistedState } from '../storage';
import type { Snapshot } from '../types';
import type { HostPort } from './protocol';

/** Replayed committed entries are posted in chunks of this many, to keep each message small. */
const REPLAY_CHUNK = 1024;

export class CommittedDelivery {
  /** Highest entry index already posted to the client (replay + engine output). */
  private delivered = 0;

  constructor(private readonly port: HostPort) {}

  /** Start-up: rebuild the client's state machine from the snapshot and the committed log. */
  replay(state: PersistedState): void {
    const commit = state.hardState.commit;
    const replay = state.entries.filter((e) => e.index <= commit);
    if (state.snapshot) {
      this.port.post({ type: 'apply', entries: [], snapshot: clientCopy(state.snapshot) });
      this.delivered = state.snapshot.meta.index;
    }
    for (let i = 0; i < replay.length; i += REPLAY_CHUNK) {
      this.port.post({ type: 'apply', entries: replay.slice(i, i + REPLAY_CHUNK), snapshot: null });
    }
    if (replay.length > 0) this.delivered = Math.max(this.delivered, replay[replay.length - 1].index);
  }

  /** A Ready's committed entries and snapshot to install, minus what the client already has. */
  forward(ready: Ready): void {
    const snapshot = ready.snapshotToInstall && ready.snapshotToInstall.meta.index > this.delivered ? ready.snapshotToInstall : null;
    const entries = ready.committed.filter((e) => e.index > (snapshot ? snapshot.meta.index : this.delivered));
    if (snapshot || entries.length > 0) {
      this.port.post({ type: 'apply', entries, snapshot: snapshot && clientCopy(snapshot) });
      if (snapshot) this.delivered = Math.max(this.delivered, snapshot.meta.index);
      if (entries.length > 0) this.delivered = entries[entries.length - 1].index;
    }
  }
}

/**
 * The snapshot with bytes of the client's own (ApplyNotice): the engine keeps its own copy (to
 * serve other peers), and the client restores from views into these bytes without copying them
 * again, on the UI thread; a Worker's port transfers them instead of cloning them.
 */
function clientCopy(snapshot: Snapshot): Snapshot {
  return { meta: snapshot.meta, data: copyBytes(snapshot.data) };
}
