// The effective membership: the latest ConfigEntry in the log, else the snapshot's membership, else
// the bootstrap configuration (treated as sitting at index 0). Effective as soon as appended (thesis
// §4.1); when a truncation removes a config entry, the previous one takes effect again.
// Join/leave/promotion (issue 3) will grow here.
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

export class MembershipTracker {
  /** Config entries currently in the log, in index order. */
  private configs: ConfigAt[] = [];
  private base: ConfigAt;
  /** True while the effective membership is only the un-logged bootstrap configuration. */
  private fromBootstrap: boolean;

  constructor(base: Membership | null, baseIndex: number, bootstrap: boolean) {
    this.base = { index: baseIndex, membership: base ? copyMembership(base) : emptyMembership() };
    this.fromBootstrap = bootstrap && base !== null;
  }

  /** Membership in force now. */
  current(): Membership {
    return this.configs.length > 0 ? this.configs[this.configs.length - 1].membership : this.base.membership;
  }

  /** True when no config entry exists yet and the configuration came from `bootstrap` (must be logged). */
  needsLogging(): boolean {
    return this.fromBootstrap && this.configs.length === 0;
  }

  voters(): PeerId[] {
    return this.current().voters;
  }

  isVoter(id: PeerId): boolean {
    return this.current().voters.includes(id);
  }

  isMember(id: PeerId): boolean {
    const m = this.current();
    return m.voters.includes(id) || m.learners.includes(id);
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
        this.configs.push({ index: entry.index, membership: copyMembership(entry.membership) });
      }
    }
  }

  /** A truncation removed every entry >= from: configs appended there no longer apply. */
  onTruncate(from: number): void {
    while (this.configs.length > 0 && this.configs[this.configs.length - 1].index >= from) this.configs.pop();
  }
}
