// The effective membership: the latest ConfigEntry in the log, else the snapshot's membership, else
// the bootstrap configuration (treated as sitting at index 0). Effective as soon as appended (thesis
// §4.1); when a truncation removes a config entry, the previous one takes effect again.
// Also the pure single-server change builders (thesis §4.1: one peer added or removed per change).
import type { LogEntry, Membership, PeerId } from '../types';

interface ConfigAt {
  index: number;
  membership: Membership;
}

export const emptyMembership = (): Membership => ({ voters: [], learners: [] });

export function copyMembership(m: Membership): Membership {
  return { voters: [...m.voters], learners: [...m.learners] };
}

export function sameMembership(a: Membership, b: Membership): boolean {
  const same = (x: PeerId[], y: PeerId[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  return same(a.voters, b.voters) && same(a.learners, b.learners);
}

export function isMemberOf(m: Membership, id: PeerId): boolean {
  return m.voters.includes(id) || m.learners.includes(id);
}

/** `id` added as a learner (no change when it is already a member). */
export function withLearner(m: Membership, id: PeerId): Membership {
  return isMemberOf(m, id) ? copyMembership(m) : { voters: [...m.voters], learners: [...m.learners, id] };
}

/** Learner `id` promoted to voter. */
export function withVoter(m: Membership, id: PeerId): Membership {
  return { voters: m.voters.includes(id) ? [...m.voters] : [...m.voters, id], learners: m.learners.filter((l) => l !== id) };
}

/** `id` removed from voters and learners. */
export function without(m: Membership, id: PeerId): Membership {
  return { voters: m.voters.filter((v) => v !== id), learners: m.learners.filter((l) => l !== id) };
}

export class MembershipTracker {
  /** Config entries currently in the log, in index order. */
  private configs: ConfigAt[] = [];
  private base: ConfigAt;
  /** True while the effective membership is only the un-logged bootstrap configuration. */
  private fromBootstrap: boolean;
  /** A re-founding configuration that follows the whole log until the first leader logs it. */
  private founding: Membership | null = null;

  constructor(base: Membership | null, baseIndex: number, bootstrap: boolean) {
    this.base = { index: baseIndex, membership: base ? copyMembership(base) : emptyMembership() };
    this.fromBootstrap = bootstrap && base !== null;
  }

  /** Membership in force now. */
  current(): Membership {
    if (this.founding) return this.founding;
    return this.configs.length > 0 ? this.configs[this.configs.length - 1].membership : this.base.membership;
  }

  /**
   * Re-found a group whose every voter departed for good (lifecycle/founding.ts decides when that
   * is allowed): `membership` takes effect after the whole log, as a bootstrap configuration does
   * for an empty log, and the first leader writes it into the log.
   */
  refound(membership: Membership): void {
    this.founding = copyMembership(membership);
  }

  /** Index of the config in force (0 for a bootstrap configuration). */
  currentIndex(): number {
    return this.configs.length > 0 ? this.configs[this.configs.length - 1].index : this.base.index;
  }

  /** Membership in force at `index` (the latest config at or before it). */
  at(index: number): Membership {
    for (let i = this.configs.length - 1; i >= 0; i--) if (this.configs[i].index <= index) return this.configs[i].membership;
    return this.base.membership;
  }

  /** Index of the config in force at `index` (0: the bootstrap configuration or none). */
  configIndexAt(index: number): number {
    for (let i = this.configs.length - 1; i >= 0; i--) if (this.configs[i].index <= index) return this.configs[i].index;
    return this.base.index;
  }

  /** True when no config entry exists yet and the configuration came from `bootstrap` (must be logged). */
  needsLogging(): boolean {
    return this.founding !== null || (this.fromBootstrap && this.configs.length === 0);
  }

  /** The un-logged bootstrap configuration is dropped (this peer joins an existing group instead). */
  abandonBootstrap(): void {
    this.founding = null;
    if (!this.fromBootstrap) return;
    this.fromBootstrap = false;
    this.base = { index: this.base.index, membership: emptyMembership() };
  }

  /** Thesis §4.1: at most one change may be uncommitted; a leader waits for it before the next. */
  hasUncommittedChange(commit: number): boolean {
    return this.configs.length > 0 && this.configs[this.configs.length - 1].index > commit;
  }

  /**
   * Voters of the configurations the current one may not have replaced yet (it is past `commit`),
   * not in it: the configuration in force at `commit` (or at the one the log shows committed, if
   * later: settledBeforeLatest) and any later one before the current. Empty when the current one
   * is committed, or re-founds the group (it follows the whole log).
   */
  priorVoters(commit: number): PeerId[] {
    const latest = this.current().voters;
    const out: PeerId[] = [];
    for (const config of this.replacedConfigurations(commit)) for (const voter of config.voters) if (!latest.includes(voter) && !out.includes(voter)) out.push(voter);
    return out;
  }

  /**
   * The voters of each configuration a re-founding weighs, one list per configuration: those of
   * priorVoters (the one in force at the settled point, then any later one before the current),
   * then the current one's. Only the current one when it is committed.
   */
  judgedConfigurations(commit: number): PeerId[][] {
    return [...this.replacedConfigurations(commit), this.current()].filter((config) => config.voters.length > 0).map((config) => [...config.voters]);
  }

  /** The configurations the current one may not have replaced yet (see priorVoters), oldest first. */
  private replacedConfigurations(commit: number): Membership[] {
    if (this.founding || !this.hasUncommittedChange(commit)) return [];
    const settled = Math.max(commit, this.settledBeforeLatest());
    return [this.at(settled), ...this.configs.filter((c) => c.index > settled).slice(0, -1).map((c) => c.membership)];
  }

  /**
   * The index of a configuration this log shows committed whatever the stored commit index says:
   * the one the latest replaced, when the latest has two voters or more. Such a configuration came
   * from a leader's membership change, and a leader changes the configuration only once the one
   * in force is committed (MembershipChanges.canChange, thesis §4.1); by Log Matching that is the
   * configuration before it in every log holding it. Re-founding configurations (one voter) and
   * the first one logged prove nothing (0). Without this, two profiles holding the same log judged
   * different voters when one had stored a later commit index, and the tie-break between devices
   * could pick a voter only one of them judged (a fork found by the simulator).
   */
  private settledBeforeLatest(): number {
    const n = this.configs.length;
    if (n < 2 || this.configs[n - 1].membership.voters.length < 2) return 0;
    return this.configs[n - 2].index;
  }

  /** The voters a re-founding weighs: the current configuration's, then priorVoters(commit). */
  judgedVoters(commit: number): PeerId[] {
    return [...this.voters(), ...this.priorVoters(commit)];
  }

  /** True when `id` is in any configuration this peer still tracks except the current one. */
  wasMemberBefore(id: PeerId): boolean {
    if (isMemberOf(this.base.membership, id) && this.configs.length > 0) return true;
    for (let i = 0; i < this.configs.length - 1; i++) if (isMemberOf(this.configs[i].membership, id)) return true;
    return false;
  }

  voters(): PeerId[] {
    return this.current().voters;
  }

  isVoter(id: PeerId): boolean {
    return this.current().voters.includes(id);
  }

  isMember(id: PeerId): boolean {
    return isMemberOf(this.current(), id);
  }

  /** Every member except `self`: the peers a leader replicates to. */
  others(self: PeerId): PeerId[] {
    const m = this.current();
    const out: PeerId[] = [];
    for (const id of [...m.voters, ...m.learners]) if (id !== self && !out.includes(id)) out.push(id);
    return out;
  }

  /** Record config entries among newly appended entries. */
  onAppend(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.kind === 'config') {
        this.founding = null;
        this.configs.push({ index: entry.index, membership: copyMembership(entry.membership) });
      }
    }
  }

  /** A truncation removed every entry >= from: configs appended there no longer apply. */
  onTruncate(from: number): void {
    while (this.configs.length > 0 && this.configs[this.configs.length - 1].index >= from) this.configs.pop();
  }

  /** Entries <= index were compacted: fold their configs into the base. */
  onCompact(index: number): void {
    while (this.configs.length > 0 && this.configs[0].index <= index) {
      this.base = this.configs.shift()!;
      this.fromBootstrap = false;
    }
  }

  /** A snapshot was installed: its membership is the base, the log after it is empty. */
  reset(membership: Membership, index: number): void {
    this.founding = null;
    this.configs = [];
    this.base = { index, membership: copyMembership(membership) };
    this.fromBootstrap = false;
  }
}
