// A running tab's engine gets its profile's tombstones as the notices they are, as the runtime
// replays them (departure-replay.ts): a departure whose notice never reached it over the mesh
// (the tab was not running, or the notice was lost to a cut) still counts, once per start.
import { replayedNotice, replayedPeers, type PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { LocalProfile } from './profile';
import type { SimPeer } from './sim-peer';
import type { Tab } from './tabs';

export class TombstoneReplay {
  /** Peers whose tombstones each running engine got replayed (since its start; see started()). */
  private readonly replayed = new Map<SimPeer, Set<PeerId>>();

  constructor(
    private readonly queue: EventQueue,
    private readonly tabs: ReadonlyMap<PeerId, Tab>,
  ) {}

  /**
   * As the runtime does (departure-replay.ts): the profile's tombstones of members of the engine's
   * configuration, of voters of a configuration it may not have replaced yet (priorVoters), and of
   * the profile's own tabs,
   * reach it as the notices they are, from the departed peer (a notice the mesh
   * never delivered, say because the tab closed while cut off), each once per start: at the start,
   * for the restored configuration, and for each peer a configuration names later.
   */
  started(profile: LocalProfile, peer: SimPeer): void {
    const restored = this.tabs.get(peer.id)?.slot.store.logConfiguration();
    const replayed = new Set<PeerId>();
    this.replayed.set(peer, replayed);
    const membership = restored?.membership;
    // The profile's own departures too, members or not: a tab that departed while no tab that
    // knew it as a member ran (it was still joining) is known only here, and this engine passes the
    // notice on to the peers it meets (tabs-chaos-two seed 600,000,915).
    const named = [...(membership ? replayedPeers(membership, restored.priorVoters) : []), ...profile.ownTombstones];
    if (named.length > 0) this.queue.after(1, () => this.replay(profile, peer, replayed, named));
  }

  /** A running tab's configuration changed: tombstones of peers it names now are replayed too. */
  membersChanged(peer: SimPeer): void {
    const tab = this.tabs.get(peer.id);
    const replayed = this.replayed.get(peer);
    const members = peer.lastStatus?.members;
    if (!tab || !replayed || !members) return;
    const named = replayedPeers(members, peer.lastStatus?.priorVoters);
    this.queue.after(1, () => this.replay(tab.profile, peer, replayed, named));
  }

  private replay(profile: LocalProfile, peer: SimPeer, replayed: Set<PeerId>, members: readonly PeerId[]): void {
    if (!peer.isUp || this.replayed.get(peer) !== replayed) return;
    for (const id of members) {
      const notice = profile.tombstones.get(id);
      if (id === peer.id || !notice || replayed.has(id)) continue;
      replayed.add(id);
      peer.deliver(id, replayedNotice(notice));
    }
  }
}
