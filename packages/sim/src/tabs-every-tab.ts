// The chaos actions that take several tabs, or every tab, at once (TabsPlan.chaos.everyTab), as the
// packed-app chaos check draws them (consumer/lib/chaos.mjs): two tabs close together; every tab
// closes (at once or one after another) and tabs reopen a moment later; every tab crashes (the
// browser dies) and the session is restored, each crashed identity adopted by a new tab; every tab
// reloads at once (an app update), each new page starting while the others' still depart.
//
// The pauses are the check's in the simulator's time (it runs about 6.7x faster: a 1 s election
// timeout is 150 ms here): the user reopens 0.3-2 s later, 45-300 ms here; a reload's new page
// starts 10-60 ms after its old one departed, as the single reload does (tabs-schedule.ts).
import type { EventQueue } from './event-queue';
import type { LocalProfile } from './profile';
import type { Dice } from './seeds';
import type { Tab } from './tabs';
import type { TabsDriverView } from './tabs-schedule';
import { EVERY_TAB_ACTIONS, type EveryTabAction, type TabsCounts } from './tabs-plan';
import type { Trace } from './trace';

export type { EveryTabAction };

export function isEveryTabAction(action: string): action is EveryTabAction {
  return (EVERY_TAB_ACTIONS as readonly string[]).includes(action);
}

/** How long the user takes to open tabs again after every tab went (sim ms). */
const USER_PAUSE_MS: readonly [number, number] = [45, 300];
/** Between two closes (or reopens) one after another (sim ms). */
const IN_TURN_MS: readonly [number, number] = [5, 40];

export class EveryTabActions {
  constructor(
    private readonly driver: TabsDriverView,
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly trace: Trace,
    private readonly counts: TabsCounts,
    private readonly maxTabs: number,
  ) {}

  /** The actions the open tabs allow: as the check, none of every tab while a crashed identity waits. */
  eligible(live: readonly Tab[], minTabs: number, crashedWaiting: boolean): EveryTabAction[] {
    const out: EveryTabAction[] = [];
    if (live.length > minTabs + 1) out.push('close-two');
    if (!crashedWaiting) out.push('close-all', 'crash-all', 'reload-all');
    return out;
  }

  perform(action: EveryTabAction, live: readonly Tab[]): void {
    this.counts.everyTabActions[action]++;
    switch (action) {
      case 'close-two':
        return this.closeTwo(live);
      case 'close-all':
        return this.closeAll(live);
      case 'crash-all':
        return this.crashAll(live);
      case 'reload-all':
        return this.reloadAll(live);
    }
  }

  private closeTwo(live: readonly Tab[]): void {
    const [a, b] = this.dice.shuffle([...live]);
    this.trace.record(this.queue.now, 'net', `close two at once: ${a.peer.id}, ${b.peer.id}`);
    this.driver.close(a);
    this.driver.close(b);
  }

  /**
   * Every tab closes, then 1 to maxTabs tabs reopen on the profiles the closed tabs were on (each
   * of them at least once: a device holding none of the group's data could only start a new group
   * with every tab closed, a documented limit), at once or one after another.
   */
  private closeAll(live: readonly Tab[]): void {
    const atOnce = this.dice.chance(0.5);
    this.trace.record(this.queue.now, 'net', `every tab closes (${atOnce ? 'at once' : 'one after another'}): ${live.map((t) => t.peer.id).join(', ')}`);
    let at = 0;
    for (const tab of live) {
      this.queue.after(at, () => this.stillOpen(tab) && this.driver.close(tab));
      if (!atOnce) at += this.dice.int(...IN_TURN_MS);
    }
    const profiles = [...new Set(live.map((t) => t.profile))];
    const count = this.dice.int(profiles.length, Math.max(profiles.length, this.maxTabs));
    const reopenAt = at + this.dice.int(...USER_PAUSE_MS);
    const reopenAtOnce = this.dice.chance(0.5);
    for (let i = 0; i < count; i++) {
      const profile: LocalProfile = profiles[i % profiles.length];
      this.queue.after(reopenAt + (reopenAtOnce ? 0 : i * this.dice.int(...IN_TURN_MS)), () => this.driver.open(profile, null));
    }
  }

  /** The browser dies with every tab in it (no notice), and the session is restored: each crashed identity is adopted. */
  private crashAll(live: readonly Tab[]): void {
    this.trace.record(this.queue.now, 'net', `every tab crashes: ${live.map((t) => t.peer.id).join(', ')}`);
    for (const tab of live) this.driver.crash(tab);
    const reopenAt = this.dice.int(...USER_PAUSE_MS);
    // A chaos 'open' in the pause may have adopted an identity already: only those still waiting.
    for (const tab of live) this.queue.after(reopenAt, () => !tab.peer.isUp && !tab.peer.retired && this.driver.open(tab.profile, tab.slot.id));
  }

  /** Every tab reloads at once: each departs, and its new page starts on its slot 10-60 ms later. */
  private reloadAll(live: readonly Tab[]): void {
    this.trace.record(this.queue.now, 'net', `every tab reloads: ${live.map((t) => t.peer.id).join(', ')}`);
    for (const tab of live) {
      this.counts.reloads++;
      this.driver.close(tab);
      this.queue.after(this.dice.int(10, 60), () => this.driver.open(tab.profile, tab.slot.id));
    }
  }

  private stillOpen(tab: Tab): boolean {
    return this.driver.tabs.get(tab.peer.id) === tab && tab.peer.isUp;
  }
}
