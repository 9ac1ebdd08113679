// How a starting peer comes into its group: join the group that exists, bootstrap a new group,
// re-found a group whose voters all departed, or wait for evidence. The two rules that keep one
// key from ever having two groups:
//  - bootstrap only when the tab has no local data of the group at all and the signaling server
//    gives evidence that the room is empty which survives a server restart (it has been up longer
//    than any live peer needs to re-register). A tab with local data never bootstraps.
//  - re-found (continue the group on a new identity as its only voter, RaftNodeOptions.refound)
//    only when every voter of the most up-to-date local log's latest configuration departed on
//    this profile (tombstoned: they never vote or acknowledge again), and so did every successor
//    a departed leader among them named (transitively: a named successor re-founds the group in
//    the engine when every voter is gone, and may have done so on another device), that log is at
//    least as up to date as every one of their final positions, no tab here is running the group,
//    and the room is known to be empty (a member may be running on another device).
//    Then no quorum of that configuration can ever form again (departures.ts), and that log holds
//    every committed entry (the final positions cover everything those voters counted for).
import type { Departure } from '../messages';
import type { Membership, PeerId } from '../types';
import { atLeastAsUpToDate, type SlotChoice, type SlotSummary } from './local-slots';

/**
 * What the signaling room says, apart from this profile's tabs: 'empty' (known to be: its list is
 * complete), 'occupied', 'frozen' (complete, and every peer in it says it is frozen, or new with
 * nothing: no member of a running group, waiting for one), or 'unknown' (the server restarted too
 * recently, is away, or a peer has not said yet). A profile that holds the configuration's last
 * departure re-founds in a 'frozen' room as in an empty one (nobody else may, and the frozen tabs
 * then join its group); any other start takes 'frozen' for 'occupied'.
 */
export type RoomEvidence = 'empty' | 'occupied' | 'frozen' | 'unknown';

export type Founding = 'join' | 'bootstrap' | 'refound' | 'wait';

export interface FoundingInput {
  choice: SlotChoice;
  /** Every local slot of the group (the chosen one included). */
  slots: readonly SlotSummary[];
  /**
   * The chosen slot's log end and latest configuration (null for an empty log, or not read), and
   * the voters of the configurations that one may not have replaced yet (logConfiguration; absent:
   * none, the latest is known committed). `voterSets`: the voters of each judged configuration
   * apart, as logConfiguration gives them; condition 6 must hold on each. Absent or empty: it is
   * judged on the latest's voters and priorVoters together.
   */
  log: { lastIndex: number; lastTerm: number; membership: Membership | null; priorVoters?: readonly PeerId[]; voterSets?: readonly (readonly PeerId[])[] };
  /**
   * Tombstones on this profile, by peer id (kept even after a slot is deleted), and the notices of
   * other peers that tabs here received (Ready.departures): a departure is as final either way.
   */
  tombstones: ReadonlyMap<PeerId, Departure>;
  /**
   * The peers of `tombstones` that departed from a tab of this profile (the others' notices came
   * from another device). With it, only one profile re-founds a configuration whose voters departed
   * on several (see lastDepartureHere). Absent: every tombstone counts as this profile's own.
   */
  ownTombstones?: ReadonlySet<PeerId>;
  /**
   * For a departure of this profile's own: the voters whose notices its engine had received when
   * it departed (DeparturePlan.departedBefore, which its notice carries as `knew`). Each of them
   * departed first. Absent for a peer: its notice's `knew`, or none.
   */
  departedBefore?: ReadonlyMap<PeerId, readonly PeerId[]>;
  /** Whether the room is empty apart from the tabs running on this profile (those are in `slots`). */
  room: RoomEvidence;
  /**
   * False for an observer (it never campaigns): it never re-founds, since it would be the only voter
   * of a group it cannot lead. It joins instead, holding its log, until a tab that may lead
   * re-founds (and keeps it as a learner). Default true.
   */
  mayLead?: boolean;
}

/**
 * The term a re-founding peer must start from: past every term the group's departed voters and
 * local logs reached (a voter may have been elected just before it left; its term must never be
 * reused by the re-founded group's first election).
 */
export function refoundingTerm(slots: readonly { term: number }[], tombstones: ReadonlyMap<PeerId, Departure>): number {
  let term = 0;
  for (const slot of slots) term = Math.max(term, slot.term);
  for (const tomb of tombstones.values()) term = Math.max(term, tomb.term);
  return term;
}

/**
 * Whether a starting tab reads its chosen log's configuration (it loads the whole log) for
 * decideFounding: only when it takes a departed slot over and no other tab of the profile runs.
 * Otherwise `membership` is null and the start joins; a frozen tab beside it re-founds by itself
 * (decideFrozenRestart), which reads the configuration then.
 */
export function startReadsConfiguration(choice: SlotChoice, slots: readonly SlotSummary[]): boolean {
  return choice.kind === 'succeed' && !slots.some((s) => s.inUse && s.slot !== choice.slot);
}

export function decideFounding(input: FoundingInput): Founding {
  const decision = foundingOf(input);
  return input.mayLead === false && decision === 'refound' ? 'join' : decision;
}

/**
 * A running tab whose engine reports itself frozen (every voter of its configuration departed,
 * and it cannot succeed them by itself: no departed leader named it a successor, or the one that
 * did left entries it lacks that no running peer holds; a tab that opened a moment before the last
 * voters closed, still a learner): may it continue the group by re-founding on `slot`, as if it had just
 * reloaded there? `slot` is frozenRestartSlot's answer: its own slot, or a departed slot whose log
 * is more up to date (`log` is that slot's), which it takes over after its identity departs, as
 * its reload would. The same rules as a start that takes a departed slot over (`choice` 'succeed'
 * on that slot): every voter and named successor departed on this profile, this log covers their
 * final positions, no other tab here could continue the group, and the room is known to be empty.
 * 'stay' otherwise (another tab, a reload, or the room's evidence may change that); 'wait' while
 * the room's evidence is unknown.
 */
export function decideFrozenRestart(input: Omit<FoundingInput, 'choice'> & { slot: string; peerId: PeerId }): 'refound' | 'stay' | 'wait' {
  const { slot, peerId, ...rest } = input;
  // Judged as its reload would be: the frozen identity departs before the new one starts, so its
  // own slot is free and its final position (its log's end, which frozenRestartSlot found no more
  // up to date than `slot`'s) is on record. A departed leader may have named it a successor (a
  // learner still catching up the leader's log, say): the other slot's log covers what it has.
  // Otherwise its own running slot and its missing tombstone kept the answer at 'stay' for good,
  // while the log it needed sat in a slot no tab runs. The runtime checks the identity's actual
  // final position against `slot`'s log once it departed (it may have moved since the slots were read).
  const own = rest.slots.find((s) => s.peerId === peerId && s.inUse);
  const slots = own ? rest.slots.map((s) => (s === own ? { ...s, inUse: false } : s)) : rest.slots;
  const tombstones = own && !rest.tombstones.has(peerId) ? new Map([...rest.tombstones, [peerId, ownFinalNotice(own)]]) : rest.tombstones;
  const founding = decideFounding({ ...rest, slots, tombstones, choice: { kind: 'succeed', slot, previous: peerId } });
  // 'bootstrap': the profile holds nothing of any group (holdsGroupData), so re-founding on this
  // empty log founds a group of this tab alone, as bootstrapping would.
  if (founding === 'bootstrap') return 'refound';
  return founding === 'refound' || founding === 'wait' ? founding : 'stay';
}

/** The departure notice a running slot's identity would leave now: its log's end and its term. */
function ownFinalNotice(slot: SlotSummary): Departure {
  return { type: 'Departure', term: slot.term ?? slot.lastTerm, lastIndex: slot.lastIndex, lastTerm: slot.lastTerm };
}

/**
 * Whether the profile holds anything of a group, besides the `chosen` slot: a slot whose log has an
 * entry or a snapshot, whose term moved, or whose identity started by joining (either way it heard
 * of a group, which exists somewhere: a joiner may hear of it and go before storing any entry), one
 * whose term is not known, a tab running on another slot (it may be founding a group this moment),
 * or a tombstone past position 0 or term 0. A free slot whose tab went before
 * its engine stored anything (opened and closed or reloaded within a moment, or crashed during
 * start-up) holds an identity and nothing else: that identity never acknowledged an entry, never
 * was a voter (a voter's log holds the configuration that names it) and no quorum counted it.
 */
function holdsGroupData(input: FoundingInput, chosen: string | null): boolean {
  const data = (s: SlotSummary) => s.lastIndex > 0 || s.lastTerm > 0 || s.term === undefined || s.term > 0 || s.joined === true || (s.inUse && s.slot !== chosen);
  if (input.slots.some((s) => s.peerId !== null && data(s))) return true;
  for (const tomb of input.tombstones.values()) if (tomb.lastIndex > 0 || tomb.term > 0) return true;
  return false;
}

/** A start with no group data on the profile: bootstrap when the room is known empty, join when it is occupied. */
function foundingWithoutData(room: RoomEvidence): Founding {
  if (room === 'empty') return 'bootstrap';
  return room === 'unknown' ? 'wait' : 'join';
}

function foundingOf(input: FoundingInput): Founding {
  const { choice, slots, tombstones, room } = input;
  // An identity left by a tab that stored nothing, on a profile that holds nothing else: taking it
  // over (adopted or succeeded) is a start with no data. Joining instead waited for good for a
  // group that never existed (a fresh profile whose first tab closed 50-150 ms after it opened:
  // every later tab of the profile chose that slot and joined nobody).
  if (choice.kind !== 'new' && input.log.lastIndex === 0 && input.log.membership === null && !holdsGroupData(input, choice.slot)) return foundingWithoutData(room);
  if (choice.kind === 'adopt') {
    // A restart: its log says which group it is in. Only a peer that crashed while it was the sole
    // survivor of a departed configuration (it re-founded, or was about to, and no leader logged
    // the new configuration yet) re-founds again, on the same rules; a restart is otherwise plain.
    return roomAllowsRefounding(input) && mayRefound(input, choice.slot, { peerId: choice.peerId, adopted: true }) ? 'refound' : 'join';
  }
  if (choice.kind === 'new') return holdsGroupData(input, null) ? 'join' : foundingWithoutData(room);
  if (!mayRefound(input, choice.slot, { peerId: choice.previous, adopted: false })) return 'join';
  // A live peer elsewhere may already continue the group (a successor its last leader named, on
  // another device): re-found only when the room is known to be empty, or holds only frozen tabs.
  if (roomAllowsRefounding(input)) return 'refound';
  return room === 'unknown' ? 'wait' : 'join';
}

/**
 * An empty room, or one where every peer says it is frozen (or new), when this profile's
 * departures are told apart from other devices' (`ownTombstones`): mayRefound then lets only the
 * profile holding the configuration's last departure re-found it, so the frozen tabs elsewhere can
 * never re-found it themselves and wait for this one. Without the two devices' frozen tabs would
 * each keep the other waiting for good.
 */
function roomAllowsRefounding(input: FoundingInput): boolean {
  return input.room === 'empty' || (input.room === 'frozen' && input.ownTombstones !== undefined);
}

function mayRefound(
  input: FoundingInput,
  chosen: string,
  /**
   * The identity whose log this is, when the slot does not say: the adopted one (a restart: a
   * successor list may name it) or the departed one taken over.
   */
  taken: { peerId: PeerId | null; adopted: boolean },
): boolean {
  const { log, slots, tombstones } = input;
  const membership = log.membership;
  if (membership === null || membership.voters.length === 0) return false;
  // Another tab here may be starting too (it may be re-founding from another slot), or running a
  // member that can continue the group. One that runs a learner of this configuration cannot: no
  // voter is left to promote it, and unless a departed leader named it a successor it never takes
  // over. (A tab that opened a moment before the last voter closed still syncing, say.) Nor can one
  // that joined and is no voter of it (its join may never have been answered): it would need a
  // re-founding decision of its own, taken under the same start-up lock, which records it.
  const named = new Set<PeerId>();
  for (const tomb of tombstones.values()) for (const peer of tomb.successors ?? []) named.add(peer);
  const judged = [...membership.voters, ...(log.priorVoters ?? [])];
  // Only the profile that holds the configuration's last departure re-founds it (see
  // lastDepartureHere): two devices that each learnt every departure must not both re-found. The
  // voters judged include those of configurations the latest may not have replaced (priorVoters):
  // two logs that diverged after their last common configuration may each end in a change that
  // removed the other's voter, and judged by its latest configuration alone, each device would
  // hold all of "its" voters' departures and re-found (a fork found by the simulator). Every
  // profile's set then holds the voters of the configuration in force where the logs diverged.
  // That configuration is the one both profiles weigh alike, so the verdict is taken on each judged
  // configuration apart (voterSets) and must hold for all of them: on the union, a profile whose log
  // ends in a change that adds a voter weighs one voter more, and the tie-break between latest
  // departures could pick that voter there and another profile's voter elsewhere (a fork found by
  // the simulator: scenario tabs-chaos-all-two, seed 450000359).
  const judgedSets = log.voterSets && log.voterSets.length > 0 ? log.voterSets : [judged];
  if (input.ownTombstones && !judgedSets.every((voters) => lastDepartureHere(voters, input))) return false;
  const mayRun = (s: SlotSummary) =>
    s.peerId !== null && !named.has(s.peerId) && (membership.learners.includes(s.peerId) || (s.joined === true && !membership.voters.includes(s.peerId)));
  if (slots.some((s) => s.inUse && s.slot !== chosen && !mayRun(s))) return false;
  // The most up-to-date log on this profile (a departed identity's final position is at most its log's end).
  if (slots.some((s) => s.slot !== chosen && s.peerId !== null && !atLeastAsUpToDate(log, s))) return false;
  // Every voter departed here, and so did every successor any of them named, transitively: a named
  // successor may have re-founded the group elsewhere (on another device, whose tabs may all have
  // crashed since, so an empty room proves nothing), and then its final position is past this log.
  // So did every voter of a configuration the latest may not have replaced: one of them may have
  // been elected without this log's latest configuration and written past it, and its profile
  // judges that other configuration. This only ever turns a re-founding into a join.
  const pending = [...judged];
  const checked = new Set<PeerId>();
  while (pending.length > 0) {
    const peer = pending.pop()!;
    if (checked.has(peer)) continue;
    checked.add(peer);
    const tomb = tombstones.get(peer);
    if (tomb === undefined || !atLeastAsUpToDate(log, tomb)) return false;
    // Named itself, the adopted identity knows what it did: had it re-founded, this log would say so.
    pending.push(...(tomb.successors ?? []).filter((p) => !taken.adopted || p !== taken.peerId));
  }
  return true;
}

/**
 * Whether this profile is the one that re-founds `voters`' configuration once they all departed
 * ("condition 6"). Every profile holding the voters' notices must reach the same verdict, so it
 * reads only what the notices say: each voter's final position and `knew`, the voters it knew had
 * departed before it. A notice exists only once its sender departed, so `x` in `v`'s list means
 * `x` departed first.
 *  1. The last departure is here: a voter of this profile knew that every voter of other profiles
 *     had departed. At most one profile can show it: were `a` of profile A and `b` of profile B
 *     both such voters, `a` knew of `b` and `b` of `a`, and each departed before the other.
 *  2. When every notice carries its list, the designated voter decides: among the voters no other
 *     voter knew had departed (the latest departures: the last one is always among them), the one
 *     with the most up-to-date final position, ties to the lowest id. Its profile re-founds. Every
 *     profile computes the same voter from the same notices, however many devices there are, and a
 *     profile that shows 1 holds it (its voter knew of every other profile's, so only its own
 *     voters can be among the latest).
 * Without this, two devices whose tabs each received every voter's notice and held a log covering
 * them could both re-found the group while the other's tabs were closed, and fork it (simulator
 * scenario tabs-chaos-two). A notice of an older version says nothing of what its sender knew: only
 * rule 1 applies then (read from this profile's own records), and without it the profile waits,
 * since that sender may hold the last departure.
 */
function lastDepartureHere(voters: readonly PeerId[], input: FoundingInput): boolean {
  const own = input.ownTombstones ?? new Set<PeerId>();
  const mine = voters.filter((v) => own.has(v));
  const foreign = voters.filter((v) => !own.has(v));
  if (foreign.length === 0) return true; // every voter departed here
  const knewOf = (v: PeerId): readonly PeerId[] =>
    own.has(v) ? (input.departedBefore?.get(v) ?? input.tombstones.get(v)?.knew ?? []) : (input.tombstones.get(v)?.knew ?? []);
  if (mine.some((v) => foreign.every((x) => knewOf(v).includes(x)))) return true;
  const winner = designatedDeparture(voters, input.tombstones);
  return winner !== null && own.has(winner);
}

/**
 * The voter whose profile re-founds by rule 2 of lastDepartureHere, read from the notices alone:
 * among the latest departures, the most up-to-date final position, ties to the lowest id. Null
 * while a notice is missing or lacks its list (an older version), or when the lists leave no latest
 * departure (they contradict each other: only a corrupt or forged notice can).
 */
function designatedDeparture(voters: readonly PeerId[], tombstones: ReadonlyMap<PeerId, Departure>): PeerId | null {
  const knownDeparted = new Set<PeerId>();
  for (const peer of voters) {
    const knew = tombstones.get(peer)?.knew;
    if (knew === undefined) return null;
    for (const earlier of knew) if (earlier !== peer) knownDeparted.add(earlier);
  }
  let best: { peer: PeerId; position: Departure } | null = null;
  for (const peer of voters) {
    if (knownDeparted.has(peer)) continue;
    const position = tombstones.get(peer)!; // every voter's notice is there (checked above)
    const ahead = best === null || !atLeastAsUpToDate(best.position, position) || (atLeastAsUpToDate(position, best.position) && peer < best.peer);
    if (ahead) best = { peer, position };
  }
  return best?.peer ?? null;
}
