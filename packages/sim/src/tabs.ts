// Tab life in the simulator: tabs open, close gracefully (the Departure notice, then silence),
// reload (gone and back within a moment: a new identity on the same slot, warm), crash (no notice;
// the slot is free for any new tab to adopt), and reopen after every tab closed (re-founding from
// local data). Every choice a starting tab makes comes from the same rules the browser runtime
// uses (@meshraft/core lifecycle: chooseSlot, decideFounding; start-up-rules.ts); the signaling
// server is a directory that restarts. What happens to tabs and when (the seeded plan's actions,
// and the promises each makes) is tabs-schedule.ts; how a tab starts is tab-starts.ts, and how a
// removed or frozen one starts over is tab-restarts.ts. This file holds the run's tabs, closes and
// crashes them, and passes the engines' reports on.
//
// Checked on top of the usual invariants: after each graceful action of the first phase the group
// commits again within a bound (availability, tabs-checks.ts), new and reloaded tabs come online
// within a bound, one key never gets two bootstrapped configurations (fork, fork-check.ts), a
// departed identity never sends again (departed-spoke, in the monitor), and a profile never keeps
// more than (its running tabs + 2) slots at the end (slot leak, tab-profiles.ts).
import type { Departure, PeerId } from '@meshraft/core';
import type { LifecycleBugs } from './cli-args';
import type { Cluster } from './cluster';
import type { SignalingDirectory } from './directory';
import type { EventQueue } from './event-queue';
import { ForkCheck } from './fork-check';
import type { InvariantMonitor } from './invariants';
import type { SimNetwork } from './network';
import type { LocalProfile, Slot } from './profile';
import type { Dice } from './seeds';
import type { SimPeer } from './sim-peer';
import { StartUpRules } from './start-up-rules';
import { TabProfiles } from './tab-profiles';
import { TabRestarts } from './tab-restarts';
import { TabStarts } from './tab-starts';
import { AvailabilityChecks } from './tabs-checks';
import { emptyTabsCounts, type TabsCounts, type TabsPlan } from './tabs-plan';
import { TabsSchedule } from './tabs-schedule';
import { TombstoneReplay } from './tombstone-replay';
import type { Trace } from './trace';

export interface Tab {
  peer: SimPeer;
  profile: LocalProfile;
  slot: Slot;
  /** Opened on a new slot of a profile where no slot held a log, to join (the runtime's pristine claim). */
  pristineClaim?: boolean;
}

/** How often a running tab tells its engine who runs (1 s in the browser runtime, PRESENCE_REPORT_MS). */
const PRESENCE_REPORT_MS = 300;

export class TabsDriver {
  readonly counts: TabsCounts = emptyTabsCounts();
  readonly tabs = new Map<PeerId, Tab>();
  /** Whether the group was serving when its last tabs closed (null: not there yet). */
  servingAtFinale: boolean | null = null;
  private readonly profiles: TabProfiles;
  private readonly replay: TombstoneReplay;
  private readonly starts: TabStarts;
  private readonly restarts: TabRestarts;
  private readonly checks: AvailabilityChecks;
  private readonly schedule: TabsSchedule;

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    /** When a stopped tab's Web Lock reaches the others (its own stream: the schedule stays the same). */
    private readonly lockDelays: Dice,
    /** How much a closing tab's Worker writes after its page's notice went out (its own stream too). */
    private readonly workers: Dice,
    private readonly cluster: Cluster,
    private readonly network: SimNetwork,
    private readonly directory: SignalingDirectory,
    private readonly monitor: InvariantMonitor,
    private readonly trace: Trace,
    private readonly plan: TabsPlan,
    /** Whether the clients still write (once they are done, only a member's removal has to commit). */
    clientsWriting: () => boolean,
    /** Bug switches of the lifecycle rules (cli-args.ts LifecycleBugs). */
    bugs: LifecycleBugs = {},
  ) {
    const { tabs, counts } = this;
    this.profiles = new TabProfiles(tabs, monitor, (id) => this.stillMember(id), bugs.keepUnusableSlots);
    const rules = new StartUpRules(tabs, directory, bugs);
    const forks = new ForkCheck(monitor, directory, this.profiles, counts);
    this.replay = new TombstoneReplay(queue, tabs);
    this.starts = new TabStarts(this, this.profiles, rules, this.replay, forks, cluster, directory, queue, trace, counts, plan.maxTabs, bugs);
    this.restarts = new TabRestarts(this, this.starts, rules, forks, queue, trace, counts);
    this.checks = new AvailabilityChecks(queue, monitor);
    this.schedule = new TabsSchedule(this, queue, dice, trace, plan, counts, this.checks, clientsWriting);
  }

  get home(): LocalProfile {
    return this.profiles.home;
  }

  get away(): LocalProfile {
    return this.profiles.away;
  }

  /** A third device (only the three-profile chaos opens tabs there). */
  get third(): LocalProfile {
    return this.profiles.third;
  }

  start(): void {
    for (let i = 0; i < this.plan.initialTabs; i++) this.queue.at(5 + i * 40, () => this.open(this.home, null));
    const { schedule } = this;
    for (const { at, action } of this.plan.graceful) this.queue.at(at, () => schedule.graceful(action));
    for (const { at, action } of this.plan.rough) this.queue.at(at, () => schedule.rough(action));
    for (const at of this.plan.chaos?.at ?? []) this.queue.at(at, () => schedule.chaosAction());
    // A device with no data opens the app while the server is back but peers have not re-registered
    // yet: the room looks empty, and only the evidence rule keeps it from starting a second group.
    this.directory.onBack(() => {
      if (this.dice.chance(0.6)) this.queue.after(this.dice.int(1, 200), () => this.starts.openNewDevice());
    });
    this.queue.at(this.plan.recoverAt, () => schedule.recover());
    this.queue.at(this.plan.finale.at, () => schedule.finale());
    // Running tabs clean up databases nobody can use any more, now and then (as the runtime does
    // once online).
    const collect = () => {
      this.collect();
      this.queue.after(300, collect);
    };
    this.queue.after(300, collect);
    // Running tabs tell their engines who runs, once a second (so they take the departure notices
    // passed on by non-members that name peers running nowhere), as the runtime does.
    const report = () => {
      this.reportPresence();
      this.queue.after(PRESENCE_REPORT_MS, report);
    };
    this.queue.after(PRESENCE_REPORT_MS, report);
  }

  private reportPresence(): void {
    const present = this.directory.presentPeers();
    if (present === null) return;
    for (const tab of this.tabs.values()) if (tab.peer.isUp) this.counts.heldNoticesTaken += tab.peer.peersPresent(present);
  }

  private collect(): void {
    this.profiles.collect(this.queue.now);
    // A crashed tab's identity whose slot was deleted is gone for good, as in the browser: no tab can
    // adopt it. Without this, healing the faults restarted it in place on a slot that no longer
    // existed (tabs-reload seed 3000000732: it froze there, and found no slot to re-found on).
    for (const tab of this.tabs.values()) {
      if (!tab.peer.isUp && !tab.peer.retired && tab.profile.slots.get(tab.slot.id) !== tab.slot) this.cluster.retire(tab.peer, `its slot ${tab.slot.id} was deleted`);
    }
  }

  /** A leader's commit index advanced (from the peers' events). */
  leaderCommitted(peer: SimPeer): void {
    this.checks.leaderCommitted(peer.id);
  }

  /**
   * A running tab saw another peer's Departure notice: like the runtime, its profile keeps it with
   * its own tombstones (a member on another device departs where only its notice tells).
   */
  departureSeen(peer: SimPeer, notice: Departure): void {
    const tab = this.tabs.get(peer.id);
    if (!tab || notice.peer === undefined || tab.profile.tombstones.has(notice.peer)) return;
    tab.profile.tombstones.set(notice.peer, notice);
  }

  /** The engine reports a running tab removed from the group: it starts over under a new identity. */
  removed(peer: SimPeer): void {
    this.restarts.removed(peer);
  }

  /** The engine reports a running tab frozen: it re-founds the group once the start-up rules allow it. */
  frozen(peer: SimPeer): void {
    this.restarts.frozen(peer);
  }

  /** A running tab's configuration changed: tombstones of peers it names now are replayed too. */
  membersChanged(peer: SimPeer): void {
    this.replay.membersChanged(peer);
  }

  /**
   * At the end of a converged run: checks whose window is still open pass (the group converged,
   * which is more than they ask); a slot leak fails.
   */
  finish(): void {
    this.checks.finish();
    this.collect();
    this.profiles.checkSlotLeaks();
  }

  /** The run must end converged: the group was serving when its last tabs closed (or they never did). */
  promisesConvergence(): boolean {
    return this.servingAtFinale !== false;
  }

  /** The counters, with those derived from the profiles and the engines brought up to date. */
  tally(): TabsCounts {
    this.counts.slotsDeleted = this.profiles.slotsDeleted();
    this.counts.successorRefounds = this.cluster.peers.reduce((sum, p) => sum + p.successorRefounds, 0);
    this.counts.leaderGoneTurns = this.cluster.peers.reduce((sum, p) => sum + p.leaderGoneTurns, 0);
    return { ...this.counts, everyTabActions: { ...this.counts.everyTabActions } };
  }

  running(): SimPeer[] {
    return [...this.tabs.values()].filter((t) => t.peer.isUp).map((t) => t.peer);
  }

  // ---------- opening, closing ----------

  /** A tab opens on `profile` (`preferred`: the slot it had, for a reload), as tab-starts.ts says. */
  open(profile: LocalProfile, preferred: string | null, onOpen?: (peer: SimPeer) => void): void {
    this.starts.open(profile, preferred, onOpen);
  }

  /**
   * Graceful close: the notice goes to every peer this tab reaches, the tombstone stays behind. The
   * tab's Worker outlives the page's pagehide by a moment: most often the batch it was writing lands
   * (and up to two Readies after it), past the final position the notice gave, and its election
   * timer may fire before it takes those (SimPeer.depart).
   * A tab taking the slot over later lowers the stored commit index to what the page had seen
   * committed, and at most to that notice (DurableStore.handOver, core handOverLimits).
   */
  close(tab: Tab): void {
    const { peer, profile } = tab;
    const reachable = this.running().filter((p) => p !== peer && !this.network.isCut(peer.id, p.id)).map((p) => p.id);
    const departure = peer.depart(reachable, this.workers.chance(0.7) ? this.workers.int(0, 2) : -1);
    if (departure) {
      if (tab.slot.store.lastTerm() > departure.notice.term) this.counts.laterTermSlots++;
      if (tab.slot.store.hardState.commit > departure.notice.lastIndex) this.counts.commitPastNoticeSlots++;
      if (departure.timerFired) {
        this.counts.workerTimersAfterNotice++;
        if (tab.slot.store.hardState.term > departure.notice.term) this.counts.workerTimerLaterTerms++;
      }
      profile.tombstones.set(peer.id, departure.notice);
      profile.ownTombstones.add(peer.id);
      profile.departedBefore.set(peer.id, departure.departedBefore);
      profile.committedAtDeparture.set(peer.id, departure.committed);
    }
    // How it started stays with its slot (the founding rules' holdsGroupData), as in the browser.
    this.cluster.retire(peer, 'tab closed');
    this.directory.unregister(peer.id);
    this.tabs.delete(peer.id);
    this.counts.closed++;
    // The page unloads a moment after its notice went out.
    this.releaseLock(tab, this.lockDelays.int(1, 30));
  }

  crash(tab: Tab): void {
    if (this.cluster.crash(tab.peer)) this.releaseLock(tab, this.lockDelays.int(0, 5));
    this.directory.unregister(tab.peer.id);
    this.counts.crashes++;
  }

  /**
   * The stopped tab's Web Lock is released: the running tabs of its profile learn it (peerGone), as
   * the runtime's liveness watch does (peer-liveness.ts). Tabs of other profiles never do.
   */
  private releaseLock(tab: Tab, after: number): void {
    const gone = tab.peer;
    this.queue.after(after, () => {
      for (const other of this.tabs.values()) {
        if (other.profile !== tab.profile || other.peer === gone || !other.peer.isUp) continue;
        this.trace.record(this.queue.now, other.peer.id, `${gone.id}'s lock released`);
        other.peer.peerGone(gone.id);
      }
    });
  }

  // ---------- views ----------

  liveTabs(): Tab[] {
    return [...this.tabs.values()].filter((t) => t.peer.isUp && !t.peer.paused);
  }

  stillMember(id: PeerId): boolean {
    const latest = this.monitor.committedConfigs().at(-1)?.membership;
    return latest === undefined || latest.voters.includes(id) || latest.learners.includes(id);
  }
}
