// The browser profiles of a tabs run (home, away, a third device, and devices that open the app
// for the first time during the run) and the upkeep of their slots: running tabs delete databases
// nobody can use any more, and a profile never keeps more than (its running tabs + 2) slots at the
// end (slot leak).
import type { PeerId } from '@meshraft/core';
import type { InvariantMonitor } from './invariants';
import { LocalProfile } from './profile';
import type { Tab } from './tabs';

/** How long a crashed tab's slot must go unnamed by the configuration before it is deleted (10 s in the browser runtime). */
const CRASHED_SLOT_GRACE_MS = 1500;

export class TabProfiles {
  readonly home = new LocalProfile('home', CRASHED_SLOT_GRACE_MS);
  readonly away = new LocalProfile('away', CRASHED_SLOT_GRACE_MS);
  readonly third = new LocalProfile('third', CRASHED_SLOT_GRACE_MS);
  /** Devices that open the app for the first time right after a signaling restart (no data). */
  private readonly devices: LocalProfile[] = [];
  /** Slots a profile may keep once none of its tabs runs (see checkSlotLeaks()). */
  private readonly slotAllowance = new Map<LocalProfile, number>();

  constructor(
    private readonly tabs: ReadonlyMap<PeerId, Tab>,
    private readonly monitor: InvariantMonitor,
    /** Whether the latest committed configuration names an identity. */
    private readonly stillMember: (id: PeerId) => boolean,
    /** Bug switch (LifecycleBugs.keepUnusableSlots): running tabs never delete databases. */
    private readonly keepUnusableSlots = false,
  ) {}

  all(): LocalProfile[] {
    return [this.home, this.away, this.third, ...this.devices];
  }

  /** A device with no data of the group, about to open the app. */
  newDevice(): LocalProfile {
    const device = new LocalProfile(`device${this.devices.length + 1}`, CRASHED_SLOT_GRACE_MS);
    this.devices.push(device);
    return device;
  }

  /** A tab opens on `profile`: should it never get online, its slot may stay. */
  opened(profile: LocalProfile): void {
    this.slotAllowance.set(profile, this.allowanceOf(profile) + 1);
  }

  /** Running tabs clean up databases nobody can use any more (LocalProfile.collect). */
  collect(now: number): void {
    for (const profile of this.all()) {
      const online = this.groupOnline(profile);
      if (!this.keepUnusableSlots) profile.collect(online, this.stillMember, now);
      if (online) this.slotAllowance.set(profile, Math.max(this.runningOn(profile), 1) + 2);
    }
  }

  /** At the end of a converged run, after a last clean-up: a profile keeping more slots than it may fails. */
  checkSlotLeaks(): void {
    for (const profile of this.all()) {
      const running = this.runningOn(profile);
      // Only a tab that runs the group (online) cleans up. A profile with none keeps what it was
      // allowed when one last did, plus one slot per tab opened since: the tabs that closed last
      // (at once, maybe several) leave their slots, and so do tabs that never got online.
      const bound = this.groupOnline(profile) ? running + 2 : Math.max(3, this.allowanceOf(profile));
      if (profile.slots.size > bound) this.monitor.fail('slot-leak', `${profile.name} keeps ${profile.slots.size} slots for ${running} running tabs`);
    }
  }

  /** Slots deleted by garbage collection over every profile (stats). */
  slotsDeleted(): number {
    return this.all().reduce((sum, p) => sum + p.deleted, 0);
  }

  /** Slots `profile` may keep with no online tab: 2 spares to begin with (see checkSlotLeaks()). */
  private allowanceOf(profile: LocalProfile): number {
    return this.slotAllowance.get(profile) ?? 2;
  }

  private runningOn(profile: LocalProfile): number {
    return [...this.tabs.values()].filter((t) => t.profile === profile && t.peer.isUp).length;
  }

  private groupOnline(profile: LocalProfile): boolean {
    return [...this.tabs.values()].some((t) => t.profile === profile && t.peer.isUp && t.peer.lastStatus?.online === true);
  }
}
