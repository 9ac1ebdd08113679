// What a Ready tells the client, in order: committed entries and snapshots to install
// (CommittedDelivery, exactly once), proposal and read results, and a request to take a snapshot.
// Compaction: the engine's snapshotRequest is passed to the client as 'take-snapshot'; the client's
// snapshot comes back to the host as 'snapshot' (EngineHost hands it to engine.snapshotTaken()).
import type { Ready } from '../engine/api';
import { CommittedDelivery } from './committed-delivery';
import type { EngineHostOptions, EngineHostStats } from './engine-host-api';

/** Whether ClientNotices.post will post anything for this Ready. */
export function hasClientOutput(ready: Ready): boolean {
  return ready.committed.length > 0 || ready.snapshotToInstall !== null || ready.proposals.length > 0 || ready.reads.length > 0 || Boolean(ready.snapshotRequest);
}

export class ClientNotices {
  /** Committed entries and installed snapshots, the start-up replay included. */
  readonly delivery: CommittedDelivery;
  /** The client's state machine cannot snapshot: never ask it again (the log is not compacted). */
  private snapshotUnsupported = false;

  constructor(
    private readonly options: Pick<EngineHostOptions, 'port'>,
    private readonly stats: Pick<EngineHostStats, 'snapshotRequests'>,
  ) {
    this.delivery = new CommittedDelivery(options.port);
  }

  /** The client declined a snapshot because its state machine has no snapshot(): do not ask again. */
  snapshotsUnsupported(): void {
    this.snapshotUnsupported = true;
  }

  post(ready: Ready): void {
    const { port } = this.options;
    // The engine re-emits what the start-up replay already delivered; pass on only what is new.
    this.delivery.forward(ready);
    for (const p of ready.proposals) {
      port.post(p.ok ? { type: 'proposal-result', requestId: p.requestId, ok: true, start: p.start, end: p.end } : { type: 'proposal-result', requestId: p.requestId, ok: false, error: p.error });
    }
    for (const r of ready.reads) {
      port.post(r.ok ? { type: 'read-result', requestId: r.requestId, ok: true, index: r.index } : { type: 'read-result', requestId: r.requestId, ok: false, error: r.error });
    }
    // After the entries it refers to were posted, so the client can answer once it applied them.
    if (ready.snapshotRequest && !this.snapshotUnsupported) {
      this.stats.snapshotRequests++;
      port.post({ type: 'take-snapshot', upTo: ready.snapshotRequest.upTo });
    }
  }
}
