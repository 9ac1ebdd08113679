// The tabs scenarios' 'fork' check: one key never gets two bootstrapped groups, and no departed
// configuration is re-founded by two profiles (each would take writes the other never sees).
import type { Membership, PeerId } from '@meshraft/core';
import type { SignalingDirectory } from './directory';
import type { InvariantMonitor } from './invariants';
import type { LocalProfile } from './profile';
import type { TabProfiles } from './tab-profiles';
import type { TabsCounts } from './tabs-plan';

export class ForkCheck {
  /** Which profile re-founded each departed configuration (by its voters): never two profiles. */
  private readonly refoundedBy = new Map<string, LocalProfile>();

  constructor(
    private readonly monitor: InvariantMonitor,
    private readonly directory: SignalingDirectory,
    private readonly profiles: TabProfiles,
    private readonly counts: TabsCounts,
  ) {}

  /** `id` started (its bootstrap, if it was one, is counted): a second bootstrap is a second group. */
  started(id: PeerId): void {
    if (this.counts.bootstraps > 1) this.monitor.fail('fork', `a second group was bootstrapped by ${id} (room evidence ${this.directory.evidence()})`);
  }

  /**
   * Two profiles re-founding one departed configuration fork the group, even before their groups
   * meet (each takes writes the other never sees); one profile may re-found it again (a re-founding
   * tab that crashed before its group logged the new configuration is adopted and re-founds).
   */
  refounding(profile: LocalProfile, membership: Membership | null): void {
    if (membership === null) return;
    const key = [...membership.voters].sort().join(',');
    const earlier = this.refoundedBy.get(key);
    if (earlier !== undefined && earlier !== profile) this.monitor.fail('fork', `${profile.name} re-founds the configuration of voters ${key}, which ${earlier.name} re-founded already`);
    this.refoundedBy.set(key, profile);
    const devices = this.profiles.all().filter((p) => membership.voters.some((voter) => p.ownTombstones.has(voter)));
    if (devices.length >= 3) this.counts.refoundsAcrossThreeDevices++;
  }
}
