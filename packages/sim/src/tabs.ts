// Tab life in the simulator: tabs open, close gracefully (the Departure notice, then silence),
// reload (gone and back within a moment: a new identity on the same slot, warm), crash (no notice;
// the slot is free for any new tab to adopt), and reopen after every tab closed (re-founding from
// local data). Every choice a starting tab makes comes from the same rules the browser runtime
// uses (@meshraft/core lifecycle: chooseSlot, decideFounding); the signaling server is a
// directory that restarts. What happens to tabs and when (the seeded plan's actions, and the
// promises each makes) is tabs-schedule.ts; this file is how a tab opens, closes and crashes.
//
// Checked on top of the usual invariants: after each graceful action of the first phase the group
// commits again within a bound (availability, tabs-checks.ts), new and reloaded tabs come online
// within a bound, one key never gets two bootstrapped configurations (fork), a departed identity
// never sends again (departed-spoke, in the monitor), and a profile never keeps more than (its
// running tabs + 2) slots at the end (slot leak).
import type { Departure, Founding, FoundingInput, LogEntry, LogTail, Membership, PeerId } from '@meshraft/core';
import type { LifecycleBugs } from './cli-args';
import { chooseSlot, decideFounding, decideFrozenRestart, frozenRestartSlot, localLogTailSources, refoundingTerm, replayedNotice, replayedPeers, runningPeers, startReadsConfiguration } from '@meshraft/core';
import type { Cluster } from './cluster';
import type { SignalingDirectory } from './directory';
import type { EventQueue } from './event-queue';
import type { InvariantMonitor } from './invariants';
import type { SimNetwork } from './network';
import { LocalProfile, type Slot } from './profile';
import { AvailabilityChecks } from './tabs-checks';
import { TabsSchedule } from './tabs-schedule';
import { emptyTabsCounts, type TabsCounts, type TabsPlan } from './tabs-plan';
import type { Dice } from './seeds';
import type { SimPeer } from './sim-peer';
import type { Trace } from './trace';

export interface Tab {
  peer: SimPeer;
  profile: LocalProfile;
  slot: Slot;
  /** Opened on a new slot of a profile where no slot held a log, to join (the runtime's pristine claim). */
  pristineClaim?: boolean;
}

/** How long a crashed tab's slot must go unnamed by the configuration before it is deleted (10 s in the browser runtime). */
const CRASHED_SLOT_GRACE_MS = 1500;

/** A frozen tab asks the start-up rules again after this pause, doubling up to the max (1 s and 10 s in the browser runtime). */
const FROZEN_RECHECK_MS = 300;
const FROZEN_RECHECK_MAX_MS = 3000;

/** How often a running tab tells its engine who runs (1 s in the browser runtime, PRESENCE_REPORT_MS). */
const PRESENCE_REPORT_MS = 300;

export class TabsDriver {
  readonly home = new LocalProfile('home', CRASHED_SLOT_GRACE_MS);
  readonly away = new LocalProfile('away', CRASHED_SLOT_GRACE_MS);
  readonly third = new LocalProfile('third', CRASHED_SLOT_GRACE_MS);
  /** Devices that open the app for the first time right after a signaling restart (no data). */
  private readonly devices: LocalProfile[] = [];
  readonly counts: TabsCounts = emptyTabsCounts();

  readonly tabs = new Map<PeerId, Tab>();
  private nextId = 1;
  /** Whether the group was serving when its last tabs closed (null: not there yet). */
  servingAtFinale: boolean | null = null;
  /** Peers whose tombstones each running engine got replayed (since its start; see replayTombstones). */
  private readonly replayed = new Map<SimPeer, Set<PeerId>>();
  /** Slots a profile may keep once none of its tabs runs (see finish()). */
  private readonly slotAllowance = new Map<LocalProfile, number>();
  /** Which profile re-founded each departed configuration (by its voters): never two profiles. */
  private readonly refoundedBy = new Map<string, LocalProfile>();
  private readonly checks: AvailabilityChecks;
  private readonly schedule: TabsSchedule;

  constructor(
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    /** When a stopped tab's Web Lock reaches the others (its own stream: the schedule stays the same). */
    private readonly lockDelays: Dice,
    private readonly cluster: Cluster,
    private readonly network: SimNetwork,
    private readonly directory: SignalingDirectory,
    private readonly monitor: InvariantMonitor,
    private readonly trace: Trace,
    private readonly plan: TabsPlan,
    /** Whether the clients still write (once they are done, only a member's removal has to commit). */
    clientsWriting: () => boolean,
    /** Bug switches of the lifecycle rules (cli-args.ts LifecycleBugs). */
    private readonly bugs: LifecycleBugs = {},
  ) {
    this.checks = new AvailabilityChecks(queue, monitor);
    this.schedule = new TabsSchedule(this, queue, dice, trace, plan, this.counts, this.checks, clientsWriting);
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
      if (this.dice.chance(0.6)) this.queue.after(this.dice.int(1, 200), () => this.openNewDevice());
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
    for (const profile of this.profiles()) {
      const online = this.groupOnline(profile);
      if (!this.bugs.keepUnusableSlots) profile.collect(online, (id) => this.stillMember(id), this.queue.now);
      if (online) this.slotAllowance.set(profile, Math.max(this.runningOn(profile), 1) + 2);
    }
    // A crashed tab's identity whose slot was deleted is gone for good, as in the browser: no tab can
    // adopt it. Without this, healing the faults restarted it in place on a slot that no longer
    // existed (tabs-reload seed 3000000732: it froze there, and found no slot to re-found on).
    for (const tab of this.tabs.values()) {
      if (!tab.peer.isUp && !tab.peer.retired && tab.profile.slots.get(tab.slot.id) !== tab.slot) this.cluster.retire(tab.peer, `its slot ${tab.slot.id} was deleted`);
    }
  }

  /** Slots `profile` may keep with no online tab: 2 spares to begin with (see finish()). */
  private allowanceOf(profile: LocalProfile): number {
    return this.slotAllowance.get(profile) ?? 2;
  }

  private runningOn(profile: LocalProfile): number {
    return [...this.tabs.values()].filter((t) => t.profile === profile && t.peer.isUp).length;
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

  /**
   * The engine reports a running tab removed from the group (it was silent too long, e.g. crashed
   * and adopted late): the tab starts over under a new identity on a fresh database and joins as a
   * learner. The old identity departs first, as a closing tab's does: a leader may have added it
   * back meanwhile (it asked to join with a log older than its removal), and a member that
   * vanished without a notice would count for quorums until auto-removal, and keep every tab that
   * reopens later from re-founding. Its database is deleted; its tombstone stays.
   */
  removed(peer: SimPeer): void {
    const tab = this.tabs.get(peer.id);
    if (!tab || peer.retired) return;
    this.queue.after(1, () => {
      if (!this.tabs.has(peer.id) || peer.retired) return;
      this.trace.record(this.queue.now, 'net', `tab ${peer.id} was removed: it starts over under a new identity`);
      this.close(tab);
      this.counts.closed--;
      tab.profile.forget(tab.slot);
      this.counts.resets++;
      this.open(tab.profile, null);
    });
  }

  /**
   * The engine reports a running tab frozen (every voter of its configuration departed, and no
   * departed leader named it a successor): like the runtime, it runs the start-up rules again as a
   * reload of it would (frozenRestartSlot, decideFrozenRestart), at once and then now and then
   * while it stays frozen. When they allow it, the frozen identity departs and a new one re-founds
   * the group on the chosen slot's log (its own, or a departed slot with a more up-to-date log).
   */
  frozen(peer: SimPeer): void {
    this.queue.after(1, () => this.reconsiderFrozen(peer, FROZEN_RECHECK_MS));
  }

  private reconsiderFrozen(peer: SimPeer, pause: number): void {
    const tab = this.tabs.get(peer.id);
    if (!tab || !peer.isUp || peer.retired || !peer.lastStatus?.frozen) return;
    const again = () => this.queue.after(pause, () => this.reconsiderFrozen(peer, Math.min(pause * 2, FROZEN_RECHECK_MAX_MS)));
    if (peer.paused) return again();
    const { profile, slot } = tab;
    const summaries = profile.summaries();
    const others = runningPeers(summaries, slot.id);
    const target = profile.slots.get(frozenRestartSlot(summaries, slot.id))!;
    const decision = decideFrozenRestart({
      slot: target.id,
      peerId: peer.id,
      slots: summaries,
      log: { lastIndex: target.store.lastIndex(), lastTerm: target.store.lastTerm(), ...target.store.logConfiguration() },
      ...this.departuresOf(profile),
      room: this.directory.evidence(new Set([peer.id, ...others, ...profile.tombstones.keys()]), this.saysFrozen),
    });
    if (decision !== 'refound') return again();
    this.noteRefounding(profile, target.store.latestMembership());
    const onto = target === slot ? `its slot ${slot.id}` : `departed slot ${target.id} (more up to date than its slot ${slot.id})`;
    this.trace.record(this.queue.now, 'net', `frozen tab ${peer.id} re-founds the group on ${onto}`);
    this.close(tab);
    this.counts.closed--;
    this.counts.frozenRestarts++;
    if (target !== slot) this.counts.frozenRestartsElsewhere++;
    this.startIdentity(profile, target, 'refound', refoundingTerm(this.slotTerms(profile), profile.tombstones));
  }

  /**
   * At the end of a converged run: checks whose window is still open pass (the group converged,
   * which is more than they ask); a slot leak fails.
   */
  finish(): void {
    this.checks.finish();
    this.collect();
    for (const profile of this.profiles()) {
      const running = this.runningOn(profile);
      // Only a tab that runs the group (online) cleans up. A profile with none keeps what it was
      // allowed when one last did, plus one slot per tab opened since: the tabs that closed last
      // (at once, maybe several) leave their slots, and so do tabs that never got online.
      const bound = this.groupOnline(profile) ? running + 2 : Math.max(3, this.allowanceOf(profile));
      if (profile.slots.size > bound) this.monitor.fail('slot-leak', `${profile.name} keeps ${profile.slots.size} slots for ${running} running tabs`);
    }
  }

  /** The run must end converged: the group was serving when its last tabs closed (or they never did). */
  promisesConvergence(): boolean {
    return this.servingAtFinale !== false;
  }

  /** The counters, with those derived from the profiles and the engines brought up to date. */
  tally(): TabsCounts {
    this.counts.slotsDeleted = this.profiles().reduce((sum, p) => sum + p.deleted, 0);
    this.counts.successorRefounds = this.cluster.peers.reduce((sum, p) => sum + p.successorRefounds, 0);
    this.counts.leaderGoneTurns = this.cluster.peers.reduce((sum, p) => sum + p.leaderGoneTurns, 0);
    return { ...this.counts };
  }

  running(): SimPeer[] {
    return [...this.tabs.values()].filter((t) => t.peer.isUp).map((t) => t.peer);
  }

  /**
   * Whether a peer in the room gossips itself frozen (PeerView.frozen), as its last status says: its
   * engine reports frozen, or it holds nothing of the group (a pristine claim, no members) and heard
   * of it (a departed voter's notice moved its term), as the runtime's gossip says it (encodeGossip). A pristine
   * tab whose term is still 0 counts as a member here (the runtime leaves it out): the simulator
   * keeps the stricter rule for new tabs founding together.
   */
  private readonly saysFrozen = (id: PeerId): boolean => {
    const tab = this.tabs.get(id);
    const peer = tab?.peer;
    if (peer === undefined || !peer.isUp || peer.retired) return false;
    const status = peer.lastStatus;
    if (status?.frozen === true) return true;
    return tab!.pristineClaim === true && status !== null && status.term > 0 && status.members.voters.length === 0 && status.members.learners.length === 0;
  };

  /**
   * The profile's departures as the founding rules take them: every tombstone, which were its own
   * and what each own one knew (FoundingInput.tombstones, ownTombstones, departedBefore). The bug
   * switches leave out which were its own, or read what other devices' voters knew as nothing.
   */
  private departuresOf(profile: LocalProfile): Pick<FoundingInput, 'tombstones' | 'ownTombstones' | 'departedBefore'> {
    if (this.bugs.trustOtherDevicesDepartures) return { tombstones: profile.tombstones };
    let tombstones: ReadonlyMap<PeerId, Departure> = profile.tombstones;
    if (this.bugs.ignoreWhatOtherDevicesKnew) {
      tombstones = new Map([...profile.tombstones].map(([peer, notice]) => [peer, profile.ownTombstones.has(peer) ? notice : { ...notice, knew: [] }]));
    }
    return { tombstones, ownTombstones: profile.ownTombstones, departedBefore: profile.departedBefore };
  }

  /**
   * Two profiles re-founding one departed configuration fork the group, even before their groups
   * meet (each takes writes the other never sees); one profile may re-found it again (a re-founding
   * tab that crashed before its group logged the new configuration is adopted and re-founds).
   */
  private noteRefounding(profile: LocalProfile, membership: Membership | null): void {
    if (membership === null) return;
    const key = [...membership.voters].sort().join(',');
    const earlier = this.refoundedBy.get(key);
    if (earlier !== undefined && earlier !== profile) this.monitor.fail('fork', `${profile.name} re-founds the configuration of voters ${key}, which ${earlier.name} re-founded already`);
    this.refoundedBy.set(key, profile);
    const devices = this.profiles().filter((p) => membership.voters.some((voter) => p.ownTombstones.has(voter)));
    if (devices.length >= 3) this.counts.refoundsAcrossThreeDevices++;
  }

  // ---------- opening ----------

  open(profile: LocalProfile, preferred: string | null, onOpen?: (peer: SimPeer) => void): void {
    if (this.tabs.size >= this.plan.maxTabs && preferred === null) return;
    this.slotAllowance.set(profile, this.allowanceOf(profile) + 1);
    const summaries = profile.summaries();
    const choice = this.bugs.adoptDepartedIdentities ? adoptAnything(profile, preferred) ?? chooseSlot(summaries, preferred) : chooseSlot(summaries, preferred);
    const slot = choice.kind === 'new' ? null : profile.slots.get(choice.slot)!;
    const store = slot?.store;
    const founding = decideFounding({
      choice,
      slots: summaries,
      log: { lastIndex: store?.lastIndex() ?? 0, lastTerm: store?.lastTerm() ?? 0, ...(store && startReadsConfiguration(choice, summaries) ? store.logConfiguration() : { membership: null }) },
      ...this.departuresOf(profile),
      room: this.directory.evidence(new Set(runningPeers(summaries)), this.saysFrozen),
    });
    if (founding === 'wait') {
      // No evidence either way yet (the signaling server restarted or is away): ask again soon.
      this.counts.waits++;
      // A device with no data of the group finds it only while some tab of it runs (the documented
      // limit): should every tab stop while this one waits, it is opened at home instead (decided
      // when it asks again).
      this.queue.after(50, () => {
        const next = profile !== this.home && profile.slots.size === 0 && this.running().length === 0 ? this.home : profile;
        this.open(next, preferred, onOpen);
      });
      return;
    }
    let peer: SimPeer;
    // A re-founding starts past every term this profile knows of (refoundingTerm).
    const term = founding === 'refound' ? refoundingTerm(this.slotTerms(profile), profile.tombstones) : undefined;
    if (founding === 'refound') this.noteRefounding(profile, store?.latestMembership() ?? null);
    if (choice.kind === 'adopt') {
      peer = slot!.peer!;
      this.counts.adoptions++;
      this.trace.record(this.queue.now, 'net', `tab on ${profile.name} adopts ${peer.id} (slot ${slot!.id}, ${founding})`);
      if (term !== undefined) slot!.store.raiseTerm(term);
      peer.refound = founding === 'refound';
      peer.logTail = this.localLogTail(profile, slot!);
      if (peer.logTail) this.counts.localLogTails++;
      this.recordStart(profile, peer.id, founding);
      if (founding === 'refound') this.counts.refounds++;
      if (peer.retired) {
        // Only the adoptDepartedIdentities bug switch gets here: a departed identity starts again.
        this.cluster.revive(peer);
        this.tabs.set(peer.id, { peer, profile, slot: slot! });
      } else {
        this.cluster.restart(peer);
      }
      this.counts.opened++;
      this.directory.register(peer.id);
      this.replayTombstones(profile, peer);
    } else {
      if (choice.kind === 'succeed') this.counts.successions++;
      const how = `${choice.kind}${choice.kind === 'succeed' ? ` ${choice.previous}` : ''}`;
      peer = this.startIdentity(profile, slot ?? profile.newSlot(), founding, choice.kind === 'succeed' ? (term ?? 0) : undefined, how);
      if (choice.kind === 'new' && founding === 'join' && !summaries.some((s) => s.peerId !== null)) this.tabs.get(peer.id)!.pristineClaim = true;
    }
    onOpen?.(peer);
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
      for (let i = plan.from; i <= Math.min(plan.to, source.lastIndex()); i++) {
        const entry = source.entryAt(i);
        if (!entry) break;
        entries.push(entry);
      }
      if (entries.length > 0) return { ...anchor, entries };
    }
    return undefined;
  }

  /**
   * As the runtime does (departure-replay.ts): the profile's tombstones of members of the engine's
   * configuration, and of voters of a configuration it may not have replaced yet (priorVoters),
   * reach it as the notices they are, from the departed peer (a notice the mesh
   * never delivered, say because the tab closed while cut off), each once per start: at the start,
   * for the restored configuration, and for each peer a configuration names later.
   */
  private replayTombstones(profile: LocalProfile, peer: SimPeer): void {
    const restored = this.tabs.get(peer.id)?.slot.store.logConfiguration();
    const replayed = new Set<PeerId>();
    this.replayed.set(peer, replayed);
    const membership = restored?.membership;
    if (membership) this.queue.after(1, () => this.replayTombstonesOf(profile, peer, replayed, replayedPeers(membership, restored.priorVoters)));
  }

  /** A running tab's configuration changed: tombstones of peers it names now are replayed too. */
  membersChanged(peer: SimPeer): void {
    const tab = this.tabs.get(peer.id);
    const replayed = this.replayed.get(peer);
    const members = peer.lastStatus?.members;
    if (!tab || !replayed || !members) return;
    const named = replayedPeers(members, peer.lastStatus?.priorVoters);
    this.queue.after(1, () => this.replayTombstonesOf(tab.profile, peer, replayed, named));
  }

  private replayTombstonesOf(profile: LocalProfile, peer: SimPeer, replayed: Set<PeerId>, members: readonly PeerId[]): void {
    if (!peer.isUp || this.replayed.get(peer) !== replayed) return;
    for (const id of members) {
      const notice = profile.tombstones.get(id);
      if (id === peer.id || !notice || replayed.has(id)) continue;
      replayed.add(id);
      peer.deliver(id, replayedNotice(notice));
    }
  }

  /**
   * A new identity starts on `target`: handed the slot's log over (`handOverTerm`: the term it must
   * start from; undefined for a new, empty slot), bootstrapping, re-founding or joining. Its engine
   * gets the profile's tombstones replayed, whatever started it: a frozen tab's re-founding skipped
   * the replay once, and its engine named a long-departed learner a successor, so a later start
   * waited for that peer for good (tabs-chaos-two seed 3,200,000,521).
   */
  private startIdentity(profile: LocalProfile, target: Slot, founding: Exclude<Founding, 'wait'>, handOverTerm: number | undefined, how = 'restart'): SimPeer {
    const id = `t${this.nextId++}`;
    if (handOverTerm !== undefined) target.store.handOver(handOverTerm);
    const bootstrap: Membership | undefined = founding === 'bootstrap' ? { voters: [id], learners: [] } : undefined;
    const peer = this.cluster.create(id, 'normal', bootstrap, target.store);
    peer.refound = founding === 'refound';
    this.recordStart(profile, id, founding);
    target.peer = peer;
    if (founding === 'bootstrap') this.counts.bootstraps++;
    if (founding === 'refound') this.counts.refounds++;
    this.trace.record(this.queue.now, 'net', `tab ${id} opens on ${profile.name} (${how}, ${founding}, slot ${target.id})`);
    if (this.counts.bootstraps > 1) this.monitor.fail('fork', `a second group was bootstrapped by ${id} (room evidence ${this.directory.evidence()})`);
    this.cluster.join(peer);
    this.tabs.set(id, { peer, profile, slot: target });
    this.counts.opened++;
    this.directory.register(peer.id);
    this.replayTombstones(profile, peer);
    return peer;
  }

  /** As the runtime records it for the start-up rules of other tabs (SlotSummary.joined). */
  private recordStart(profile: LocalProfile, id: PeerId, founding: Exclude<Founding, 'wait'>): void {
    if (founding === 'join') profile.joined.add(id);
    else profile.joined.delete(id);
  }

  private slotTerms(profile: LocalProfile): { term: number }[] {
    return [...profile.slots.values()].map((s) => ({ term: s.store.hardState.term }));
  }

  // ---------- closing ----------

  /** Graceful close: the notice goes to every peer this tab reaches, the tombstone stays behind. */
  close(tab: Tab): void {
    const { peer, profile } = tab;
    const reachable = this.running().filter((p) => p !== peer && !this.network.isCut(peer.id, p.id)).map((p) => p.id);
    const departure = peer.depart(reachable);
    if (departure) {
      profile.tombstones.set(peer.id, departure.notice);
      profile.ownTombstones.add(peer.id);
      profile.departedBefore.set(peer.id, departure.departedBefore);
    }
    profile.joined.delete(peer.id);
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

  /** A device with no data of the group opens the app (only while some tab of the group runs). */
  private openNewDevice(): void {
    if (this.running().length === 0 || this.tabs.size >= this.plan.maxTabs) return;
    const device = new LocalProfile(`device${this.devices.length + 1}`, CRASHED_SLOT_GRACE_MS);
    this.devices.push(device);
    this.counts.newDevices++;
    this.open(device, null);
  }

  private profiles(): LocalProfile[] {
    return [this.home, this.away, this.third, ...this.devices];
  }

  // ---------- views ----------

  liveTabs(): Tab[] {
    return [...this.tabs.values()].filter((t) => t.peer.isUp && !t.peer.paused);
  }

  private groupOnline(profile: LocalProfile): boolean {
    return [...this.tabs.values()].some((t) => t.profile === profile && t.peer.isUp && t.peer.lastStatus?.online === true);
  }

  stillMember(id: PeerId): boolean {
    const latest = this.monitor.committedConfigs().at(-1)?.membership;
    return latest === undefined || latest.voters.includes(id) || latest.learners.includes(id);
  }
}

/** The bug switch's choice: the first free slot with an identity, departed or not, is adopted. */
function adoptAnything(profile: LocalProfile, preferred: string | null) {
  const free = profile.summaries().filter((s) => !s.inUse && s.peerId !== null && s.departed !== null);
  const pick = free.find((s) => s.slot === preferred) ?? free[0];
  return pick ? ({ kind: 'adopt', slot: pick.slot, peerId: pick.peerId! } as const) : null;
}
