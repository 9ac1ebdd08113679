// How a tab starts, as the runtime's slot claim does: the start-up rules pick its slot and say how
// it comes into the group (start-up-rules.ts). While the room's evidence is unknown it asks again
// soon; otherwise it adopts a crashed identity on its slot, or starts a new identity on a departed
// slot's log or a new slot, bootstrapping, re-founding or joining. Every engine started gets its
// profile's tombstones replayed (tombstone-replay.ts).
import type { Founding, LogEntry, LogTail, Membership, PeerId } from '@meshraft/core';
import { localLogTailSources } from '@meshraft/core';
import type { LifecycleBugs } from './cli-args';
import type { Cluster } from './cluster';
import type { SignalingDirectory } from './directory';
import type { EventQueue } from './event-queue';
import type { ForkCheck } from './fork-check';
import type { KvStore } from './kv-store';
import type { LocalProfile, Slot } from './profile';
import type { SimPeer } from './sim-peer';
import type { StartUpRules } from './start-up-rules';
import type { TabProfiles } from './tab-profiles';
import type { Tab } from './tabs';
import type { TabsCounts } from './tabs-plan';
import type { TombstoneReplay } from './tombstone-replay';
import type { Trace } from './trace';

/** What starting a tab uses of the driver: the run's tabs (a started one joins them), and which run. */
export interface StartingTabs {
  readonly tabs: Map<PeerId, Tab>;
  running(): SimPeer[];
}

export class TabStarts {
  private nextId = 1;

  constructor(
    private readonly driver: StartingTabs,
    private readonly profiles: TabProfiles,
    private readonly rules: StartUpRules,
    private readonly replay: TombstoneReplay,
    private readonly forks: ForkCheck,
    private readonly cluster: Cluster,
    private readonly directory: SignalingDirectory,
    private readonly queue: EventQueue,
    private readonly trace: Trace,
    private readonly counts: TabsCounts,
    private readonly maxTabs: number,
    /** Bug switches of the lifecycle rules (cli-args.ts LifecycleBugs). */
    private readonly bugs: LifecycleBugs = {},
  ) {}

  open(profile: LocalProfile, preferred: string | null, onOpen?: (peer: SimPeer) => void): void {
    const { tabs } = this.driver;
    if (tabs.size >= this.maxTabs && preferred === null) return;
    this.profiles.opened(profile);
    const { summaries, choice, slot, founding } = this.rules.start(profile, preferred);
    if (founding === 'wait') {
      // No evidence either way yet (the signaling server restarted or is away): ask again soon.
      this.counts.waits++;
      // A device with no data of the group finds it only while some tab of it runs (the documented
      // limit): should every tab stop while this one waits, it is opened at home instead (decided
      // when it asks again).
      this.queue.after(50, () => {
        const { home } = this.profiles;
        const next = profile !== home && profile.slots.size === 0 && this.driver.running().length === 0 ? home : profile;
        this.open(next, preferred, onOpen);
      });
      return;
    }
    let peer: SimPeer;
    // A re-founding starts past every term this profile knows of (refoundingTerm).
    const term = founding === 'refound' ? this.rules.refoundingTerm(profile) : undefined;
    if (founding === 'refound') this.forks.refounding(profile, slot?.store.latestMembership() ?? null);
    if (choice.kind === 'adopt') {
      peer = slot!.peer!;
      this.counts.adoptions++;
      this.trace.record(this.queue.now, 'net', `tab on ${profile.name} adopts ${peer.id} (slot ${slot!.id}, ${founding})`);
      if (term !== undefined) slot!.store.raiseTerm(term);
      peer.refound = founding === 'refound';
      peer.logTail = this.localLogTail(profile, slot!);
      if (peer.logTail) this.counts.localLogTails++;
      this.rules.recordStart(profile, peer.id, founding);
      if (founding === 'refound') this.counts.refounds++;
      if (peer.retired) {
        // Only the adoptDepartedIdentities bug switch gets here: a departed identity starts again.
        this.cluster.revive(peer);
        tabs.set(peer.id, { peer, profile, slot: slot! });
      } else {
        this.cluster.restart(peer);
      }
      this.counts.opened++;
      this.directory.register(peer.id);
      this.replay.started(profile, peer);
    } else {
      if (choice.kind === 'succeed') this.counts.successions++;
      const how = `${choice.kind}${choice.kind === 'succeed' ? ` ${choice.previous}` : ''}`;
      peer = this.startIdentity(profile, slot ?? profile.newSlot(), founding, choice.kind === 'succeed' ? (term ?? 0) : undefined, how);
      if (choice.kind === 'new' && founding === 'join' && !summaries.some((s) => s.peerId !== null)) tabs.get(peer.id)!.pristineClaim = true;
    }
    onOpen?.(peer);
  }

  /**
   * A new identity starts on `target`: handed the slot's log over (`handOverTerm`: the term it must
   * start from; undefined for a new, empty slot; the stored commit index lowered to the departed
   * identity's notice and entries of a later term than the notice's dropped, as the runtime's slot
   * claim does; `keepLaterTerms`: a frozen tab re-founding on its own slot, whose decision was judged
   * on the whole log), bootstrapping, re-founding or joining. Its engine
   * gets the profile's tombstones replayed, whatever started it: a frozen tab's re-founding skipped
   * the replay once, and its engine named a long-departed learner a successor, so a later start
   * waited for that peer for good (tabs-chaos-two seed 3,200,000,521).
   */
  startIdentity(profile: LocalProfile, target: Slot, founding: Exclude<Founding, 'wait'>, handOverTerm: number | undefined, how = 'restart', carried?: KvStore, keepLaterTerms = false): SimPeer {
    const id = `t${this.nextId++}`;
    if (handOverTerm !== undefined) {
      const { maxCommit, maxTerm } = this.rules.handOverLimits(profile, target);
      target.store.handOver(handOverTerm, maxCommit, keepLaterTerms ? undefined : maxTerm);
    }
    const bootstrap: Membership | undefined = founding === 'bootstrap' ? { voters: [id], learners: [] } : undefined;
    const peer = this.cluster.create(id, 'normal', bootstrap, target.store);
    peer.refound = founding === 'refound';
    peer.carriedState = carried;
    this.rules.recordStart(profile, id, founding);
    target.peer = peer;
    if (founding === 'bootstrap') this.counts.bootstraps++;
    if (founding === 'refound') this.counts.refounds++;
    this.trace.record(this.queue.now, 'net', `tab ${id} opens on ${profile.name} (${how}, ${founding}, slot ${target.id})`);
    this.forks.started(id);
    this.cluster.join(peer);
    this.driver.tabs.set(id, { peer, profile, slot: target });
    this.counts.opened++;
    this.directory.register(peer.id);
    this.replay.started(profile, peer);
    return peer;
  }

  /** A device with no data of the group opens the app (only while some tab of the group runs). */
  openNewDevice(): void {
    if (this.driver.running().length === 0 || this.driver.tabs.size >= this.maxTabs) return;
    const device = this.profiles.newDevice();
    this.counts.newDevices++;
    this.open(device, null);
  }

  /**
   * As the runtime's slot claim does (browser/local-log-tail.ts): the entries a free slot of the
   * profile holds past `chosen`'s log, toward a departed peer's final position it falls short of,
   * when that slot has the chosen log's last entry.
   */
  private localLogTail(profile: LocalProfile, chosen: Slot): LogTail | undefined {
    const summaries = profile.summaries();
    const plan = localLogTailSources(summaries.find((s) => s.slot === chosen.id), summaries, profile.tombstones);
    if (!plan) return undefined;
    const anchor = { prevLogIndex: chosen.store.lastIndex(), prevLogTerm: chosen.store.lastTerm() };
    for (const id of plan.sources) {
      const source = profile.slots.get(id)!.store;
      if (source.termAt(anchor.prevLogIndex) !== anchor.prevLogTerm) continue;
      const entries: LogEntry[] = [];
      // Up to where the listing puts the source's log (a departed slot's entries of a later term than its notice's do not count).
      const listedLast = summaries.find((s) => s.slot === id)!.lastIndex;
      for (let i = plan.from; i <= Math.min(plan.to, listedLast); i++) {
        const entry = source.entryAt(i);
        if (!entry) break;
        entries.push(entry);
      }
      if (entries.length > 0) return { ...anchor, entries };
    }
    return undefined;
  }
}
