// The start-up rules as a tab of the simulator asks them: @meshraft/core's chooseSlot and
// decideFounding for a starting tab, decideFrozenRestart for a frozen one, given what the browser
// runtime gives them: the profile's slots and departures, the room's evidence (peers that gossip
// themselves frozen counted as such), and the term a re-founding starts past. Five bug switches of
// the lifecycle rules change what the rules are given (LifecycleBugs: adoptDepartedIdentities,
// trustOtherDevicesDepartures, ignoreWhatOtherDevicesKnew, judgeUnionOfVoters, readDepartedSlotWhole).
import type { Departure, Founding, FoundingInput, HandOverLimits, PeerId, SlotChoice, SlotSummary } from '@meshraft/core';
import { chooseSlot, decideFounding, decideFrozenRestart, frozenRestartSlot, handOverLimits, refoundingTerm, runningPeers, startReadsConfiguration } from '@meshraft/core';
import type { LifecycleBugs } from './cli-args';
import type { SignalingDirectory } from './directory';
import type { DurableStore } from './durable-store';
import type { LocalProfile, Slot } from './profile';
import type { Tab } from './tabs';

/** What the rules say of a tab starting on a profile. */
export interface StartDecision {
  /** The profile's slots as the rules saw them (before the start makes a new one). */
  summaries: SlotSummary[];
  choice: SlotChoice;
  /** The chosen slot (null: a new one). */
  slot: Slot | null;
  founding: Founding;
}

export class StartUpRules {
  constructor(
    /** The run's tabs (what the room's peers gossip is read from their last status). */
    private readonly tabs: ReadonlyMap<PeerId, Tab>,
    private readonly directory: SignalingDirectory,
    /** Bug switches of the lifecycle rules (cli-args.ts LifecycleBugs). */
    private readonly bugs: LifecycleBugs,
  ) {}

  /** A tab starting on `profile` (`preferred`: its previous slot): which slot it takes, and how it comes into the group. */
  start(profile: LocalProfile, preferred: string | null): StartDecision {
    const summaries = profile.summaries();
    const choice = this.bugs.adoptDepartedIdentities ? adoptAnything(profile, preferred) ?? chooseSlot(summaries, preferred) : chooseSlot(summaries, preferred);
    const slot = choice.kind === 'new' ? null : profile.slots.get(choice.slot)!;
    const store = slot?.store;
    // Judged on the slot as listed (as the runtime's claim does): a departed slot's entries of a
    // term past its notice's do not count, since the hand-over drops them.
    const listed = listedLog(summaries, slot);
    const founding = decideFounding({
      choice,
      slots: summaries,
      log: { ...listed, ...(store && startReadsConfiguration(choice, summaries) ? this.configurationOf(store, choice.kind === 'succeed' ? this.handOverLimits(profile, slot!) : undefined) : { membership: null }) },
      ...this.departuresOf(profile),
      room: this.directory.evidence(new Set(runningPeers(summaries)), this.saysFrozen),
    });
    return { summaries, choice, slot, founding };
  }

  /**
   * A frozen tab running on `slot` asks again as a reload of it would (frozenRestartSlot,
   * decideFrozenRestart): the slot to re-found the group on (its own, or a departed slot with a more
   * up-to-date log) and where its log ends as listed, or null while it must stay frozen.
   */
  frozenRestart(peerId: PeerId, profile: LocalProfile, slot: Slot): { target: Slot; listed: ListedLog } | null {
    const summaries = profile.summaries();
    const others = runningPeers(summaries, slot.id);
    const target = profile.slots.get(frozenRestartSlot(summaries, slot.id))!;
    const listed = listedLog(summaries, target);
    const decision = decideFrozenRestart({
      slot: target.id,
      peerId,
      slots: summaries,
      // A departed slot is read as the take-over will leave it, as the runtime's claim reads it.
      log: { ...listed, ...this.configurationOf(target.store, target === slot || this.bugs.readDepartedSlotWhole ? undefined : this.handOverLimits(profile, target)) },
      ...this.departuresOf(profile),
      room: this.directory.evidence(new Set([peerId, ...others, ...profile.tombstones.keys()]), this.saysFrozen),
    });
    return decision === 'refound' ? { target, listed } : null;
  }

  /** The term a re-founding on `profile` starts from: past every term its slots and tombstones know of. */
  refoundingTerm(profile: LocalProfile): number {
    return refoundingTerm(this.slotTerms(profile), profile.tombstones);
  }

  /** As the runtime records it for the start-up rules of other tabs (SlotSummary.joined). */
  recordStart(profile: LocalProfile, id: PeerId, founding: Exclude<Founding, 'wait'>): void {
    if (founding === 'join') profile.joined.add(id);
    else profile.joined.delete(id);
  }

  /**
   * What a new identity taking `slot` over keeps of it (TabStarts.startIdentity): the commit index
   * up to what the departed identity's page had seen committed (and its notice's final position),
   * entries up to its notice's term (core handOverLimits), unless a bug switch keeps them.
   */
  handOverLimits(profile: LocalProfile, slot: Slot): HandOverLimits {
    const id = slot.peer?.id;
    const departed = id === undefined ? undefined : profile.tombstones.get(id);
    if (departed === undefined) return {};
    const limits = handOverLimits(departed, this.bugs.commitUpToNoticeOnHandOver ? undefined : profile.committedAtDeparture.get(id!));
    return {
      ...(this.bugs.keepCommitOnHandOver ? {} : { maxCommit: limits.maxCommit }),
      ...(this.bugs.keepLaterTermsOnHandOver ? {} : { maxTerm: limits.maxTerm }),
    };
  }

  /**
   * A slot's configurations as the runtime reads them (`handOver`: after a take-over's limits, as its
   * claim reads a slot it succeeds to); the bug switch leaves out each judged one's voters (the
   * union is judged).
   */
  private configurationOf(store: DurableStore, handOver?: HandOverLimits): Pick<FoundingInput['log'], 'membership' | 'priorVoters' | 'voterSets'> {
    const configuration = store.logConfiguration(handOver);
    if (!this.bugs.judgeUnionOfVoters) return configuration;
    const { voterSets: _apart, ...union } = configuration;
    return union;
  }

  private slotTerms(profile: LocalProfile): { term: number }[] {
    return [...profile.slots.values()].map((s) => ({ term: s.store.hardState.term }));
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
}

/** Where a slot's log ends as the profile lists it. */
export interface ListedLog {
  lastIndex: number;
  lastTerm: number;
}

/** The listed end of `slot`'s log (0/0 for none, a new slot), as the runtime reads it from its listing. */
function listedLog(summaries: readonly SlotSummary[], slot: Slot | null): ListedLog {
  const summary = slot ? summaries.find((s) => s.slot === slot.id) : undefined;
  return { lastIndex: summary?.lastIndex ?? 0, lastTerm: summary?.lastTerm ?? 0 };
}

/** The bug switch's choice: the first free slot with an identity, departed or not, is adopted. */
function adoptAnything(profile: LocalProfile, preferred: string | null) {
  const free = profile.summaries().filter((s) => !s.inUse && s.peerId !== null && s.departed !== null);
  const pick = free.find((s) => s.slot === preferred) ?? free[0];
  return pick ? ({ kind: 'adopt', slot: pick.slot, peerId: pick.peerId! } as const) : null;
}
