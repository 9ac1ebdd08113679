// The scenario's script for the tabs driver (tabs.ts): what happens to tabs and when, from the
// seeded plan (tabs-plan.ts): graceful closes, reloads and opens with the availability promises
// each makes, rough crashes and reloads, the chaos phase's actions, the recovery of crashed
// identities, and the finale (every tab closes, then tabs reopen at home). The driver does the
// opening, closing and crashing; this file decides which and checks what each promises.
import type { PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { LocalProfile } from './profile';
import type { Dice } from './seeds';
import type { SimPeer } from './sim-peer';
import type { Tab } from './tabs';
import type { AvailabilityChecks } from './tabs-checks';
import { EveryTabActions, isEveryTabAction, type EveryTabAction } from './tabs-every-tab';
import type { ChaosAction, GracefulAction, RoughAction, TabsCounts, TabsPlan } from './tabs-plan';
import type { Trace } from './trace';

/** What the schedule uses of the driver: its tabs, and the three things a tab can do. */
export interface TabsDriverView {
  readonly tabs: ReadonlyMap<PeerId, Tab>;
  readonly home: LocalProfile;
  readonly away: LocalProfile;
  /** A third device (only the three-profile chaos opens tabs there). */
  readonly third: LocalProfile;
  /** Whether the group was serving when its last tabs closed (null: not there yet). */
  servingAtFinale: boolean | null;
  open(profile: LocalProfile, preferred: string | null, onOpen?: (peer: SimPeer) => void): void;
  close(tab: Tab): void;
  crash(tab: Tab): void;
  liveTabs(): Tab[];
  running(): SimPeer[];
  stillMember(id: PeerId): boolean;
}

export class TabsSchedule {
  private readonly everyTab: EveryTabActions;

  constructor(
    private readonly driver: TabsDriverView,
    private readonly queue: EventQueue,
    private readonly dice: Dice,
    private readonly trace: Trace,
    private readonly plan: TabsPlan,
    private readonly counts: TabsCounts,
    private readonly checks: AvailabilityChecks,
    /** Whether the clients still write (once they are done, only a member's removal has to commit). */
    private readonly clientsWriting: () => boolean,
  ) {
    this.everyTab = new EveryTabActions(driver, queue, dice, trace, counts, plan.maxTabs);
  }

  graceful(action: GracefulAction): void {
    const live = this.driver.liveTabs();
    const leader = live.find((t) => t.peer.lastStatus?.role === 'leader');
    const now = this.queue.now;
    switch (action) {
      case 'open':
      case 'open-away': {
        const profile = action === 'open' || this.driver.running().length === 0 ? this.driver.home : this.driver.away;
        const available = this.available(live);
        return this.driver.open(profile, null, (peer) => {
          if (available) this.expectOnline(peer, `tab ${peer.id} opened at ${now.toFixed(0)}`);
        });
      }
      case 'close':
      case 'close-leader': {
        if (live.length < 2) return;
        const tab = action === 'close-leader' && leader ? leader : this.dice.pick(live);
        this.trace.record(now, 'net', `close ${tab.peer.id}${tab === leader ? ' (leader)' : ''}`);
        const settled = this.settledAfter([tab], live);
        this.driver.close(tab);
        if (settled) this.expectCommit(this.plan.bounds.singleMs, `a leader commits within ${this.plan.bounds.singleMs}ms of closing ${tab.peer.id} at ${now.toFixed(0)}`, [tab]);
        return;
      }
      case 'close-many': {
        if (live.length < 2) return;
        const count = Math.floor(live.length / 2) + 1 === live.length ? live.length - 1 : Math.floor(live.length / 2) + 1;
        const order = [...live];
        if (leader && this.dice.chance(0.5)) order.sort((a) => (a === leader ? -1 : 1));
        const chosen = order.slice(0, Math.max(1, count));
        this.trace.record(now, 'net', `close at once: ${chosen.map((t) => t.peer.id).join(', ')}`);
        this.counts.closeMany++;
        const settled = this.settledAfter(chosen, live);
        chosen.forEach((tab, i) => this.queue.after(i === 0 ? 0 : this.dice.int(0, 15), () => this.driver.tabs.has(tab.peer.id) && this.driver.close(tab)));
        if (settled) this.expectCommit(this.plan.bounds.multiMs, `a leader commits within ${this.plan.bounds.multiMs}ms of closing ${chosen.length} tabs at ${now.toFixed(0)}`, chosen);
        return;
      }
      case 'reload':
      case 'reload-leader': {
        if (live.length === 0) return;
        const tab = action === 'reload-leader' && leader ? leader : this.dice.pick(live);
        this.trace.record(now, 'net', `reload ${tab.peer.id}`);
        this.counts.reloads++;
        const settled = this.settledAfter([tab], live);
        // The reloaded tab comes back by joining the tabs that go on, or, when none runs elsewhere,
        // by re-founding from its own data. A tab on another device that has not caught up can do
        // neither for it (it might yet continue the group, for all this profile can tell): no promise.
        const promised = this.available(live) && (settled || live.every((t) => t === tab || t.profile === tab.profile));
        this.driver.close(tab);
        if (settled) this.expectCommit(this.plan.bounds.singleMs, `a leader commits within ${this.plan.bounds.singleMs}ms of reloading ${tab.peer.id} at ${now.toFixed(0)}`, [tab]);
        this.queue.after(this.dice.int(10, 60), () =>
          this.driver.open(tab.profile, tab.slot.id, (peer) => {
            if (promised) this.expectOnline(peer, `reloaded tab ${peer.id} (was ${tab.peer.id}) online`);
          }),
        );
        return;
      }
    }
  }

  rough(action: RoughAction): void {
    const live = this.driver.liveTabs();
    if (action === 'crash' && live.length > 0) {
      const tab = this.dice.pick(live);
      this.trace.record(this.queue.now, 'net', `tab ${tab.peer.id} crashes`);
      this.driver.crash(tab);
    } else if (action === 'reload' && live.length > 0) {
      // As in the graceful phase, but with no promise: a crashed voter may be missing, and the
      // reloaded page may adopt its identity (its own departed one is never adopted).
      const tab = this.dice.pick(live);
      this.trace.record(this.queue.now, 'net', `reload ${tab.peer.id}`);
      this.counts.reloads++;
      this.driver.close(tab);
      this.queue.after(this.dice.int(10, 60), () => this.driver.open(tab.profile, tab.slot.id));
    } else if (action === 'reopen') {
      // A device with no data of the group can only find it while some tab of it runs somewhere;
      // with every tab of the group closed it would start a new group (a documented limit).
      const away = this.dice.chance(0.2) && this.driver.running().length > 0;
      this.driver.open(away ? this.driver.away : this.driver.home, null);
    }
  }

  /** One action of the chaos phase (TabsPlan.chaos), as the packed-app check draws them. */
  chaosAction(): void {
    const { minTabs, everyTab } = this.plan.chaos!;
    const live = this.driver.liveTabs();
    if (live.length === 0) return this.driver.open(this.driver.home, null);
    const crashedWaiting = [...this.driver.tabs.values()].some((t) => !t.peer.isUp && !t.peer.retired);
    const eligible: Array<ChaosAction | EveryTabAction> = ['reload'];
    if (live.length > minTabs) eligible.push('close', 'close-leader');
    if (live.length > minTabs && !crashedWaiting) eligible.push('crash', 'crash-leader');
    if (this.driver.tabs.size < this.plan.maxTabs) eligible.push('open');
    if (everyTab) eligible.push(...this.everyTab.eligible(live, minTabs, crashedWaiting));
    const action = this.dice.pick(eligible);
    if (isEveryTabAction(action)) return this.everyTab.perform(action, live);
    const tab = action.endsWith('-leader') ? (live.find((t) => t.peer.lastStatus?.role === 'leader') ?? live[0]) : this.dice.pick(live);
    const now = this.queue.now;
    switch (action) {
      case 'close':
      case 'close-leader':
        this.trace.record(now, 'net', `close ${tab.peer.id}`);
        return this.driver.close(tab);
      case 'crash':
      case 'crash-leader':
        this.trace.record(now, 'net', `tab ${tab.peer.id} crashes`);
        return this.driver.crash(tab);
      case 'reload':
        return this.rough('reload');
      case 'open': {
        // A tab opened while a crashed identity waits adopts it (the start-up rules prefer it): it
        // opens in that identity's profile.
        const crashed = [...this.driver.tabs.values()].find((t) => !t.peer.isUp && !t.peer.retired);
        return this.driver.open(crashed?.profile ?? this.chaosProfile(), null);
      }
    }
  }

  /** Where a chaos 'open' without a crashed identity to adopt opens: any of the plan's profiles. */
  private chaosProfile(): LocalProfile {
    const { home, away, third } = this.driver;
    switch (this.plan.chaos!.profiles ?? 1) {
      case 1:
        return home;
      case 2:
        return this.dice.chance(0.5) ? away : home;
      case 3:
        return this.dice.pick([home, away, third]);
    }
  }

  /** Every crashed identity comes back in a reopened tab (the majority-crash case waits for this). */
  recover(): void {
    for (const tab of [...this.driver.tabs.values()]) {
      if (!tab.peer.isUp && !tab.peer.retired) this.driver.open(tab.profile, tab.slot.id);
    }
  }

  /**
   * The group moves home (a home tab is opened and made a voter if none runs; tabs on other
   * devices close one after another), then every home tab closes, then tabs reopen at home. The
   * group's last state must be on the home profile for the reopen to find it there.
   */
  finale(): void {
    if (!this.driver.liveTabs().some((t) => t.profile === this.driver.home)) {
      this.driver.open(this.driver.home, null);
      this.queue.after(800, () => this.closeAllAndReopen());
    } else {
      this.closeAllAndReopen();
    }
  }

  private closeAllAndReopen(): void {
    const { together, reopen } = this.plan.finale;
    let at = 0;
    for (const tab of this.driver.liveTabs().filter((t) => t.profile !== this.driver.home)) {
      this.queue.after(at, () => this.driver.tabs.has(tab.peer.id) && this.driver.close(tab));
      at += 400;
    }
    this.queue.after(at + 400, () => {
      // A tab of another device opened meanwhile (the second half of a reload, say) closes first,
      // like the others before it: the home profile must learn of its departure, or the reopen
      // rightly waits for that device (found by tabs seed 1357913617, where one closed together
      // with the home tabs and its notice never reached a home tab).
      if (this.driver.liveTabs().some((t) => t.profile !== this.driver.home)) return this.closeAllAndReopen();
      const home = this.driver.liveTabs();
      // The reopen promise is about a group that was serving when its tabs closed.
      const available = this.available(home);
      this.driver.servingAtFinale = available;
      if (!available) this.counts.strandedGroups++;
      this.trace.record(this.queue.now, 'net', `every tab closes (${together ? 'at once' : 'one after another'}): ${home.map((t) => t.peer.id).join(', ')}`);
      home.forEach((tab, i) => this.queue.after(together ? this.dice.int(0, 15) : i * 300, () => this.driver.tabs.has(tab.peer.id) && this.driver.close(tab)));
      const reopenAt = (together ? 50 : home.length * 300) + 300;
      for (let i = 0; i < reopen; i++) {
        this.queue.after(reopenAt + this.dice.int(0, 10), () =>
          this.driver.open(this.driver.home, null, (peer) => {
            if (available) this.expectOnline(peer, `tab ${peer.id} reopened after every tab closed`);
          }),
        );
      }
    });
  }

  // ---------- checks ----------

  /**
   * The availability promise is about a group that goes on: some tab that stays has joined and
   * holds the log up to what the group committed (a tab opened a moment ago may still be fetching
   * it, and then only the closing tab's data can finish its start).
   */
  private settledAfter(closing: readonly Tab[], live: readonly Tab[]): boolean {
    const committed = Math.max(0, ...live.map((t) => t.peer.lastStatus?.committed ?? 0));
    return live.some((t) => {
      const s = t.peer.lastStatus;
      return !closing.includes(t) && s !== null && s.online && s.lastIndex >= committed;
    });
  }

  private expectCommit(bound: number, what: string, closing: readonly Tab[]): void {
    // A commit needs something to commit: a client's write, or the removal of a member that left.
    // Once the clients are done, a tab that closed before it became a member leaves nothing to commit.
    if (!this.clientsWriting() && !closing.some((t) => this.driver.stillMember(t.peer.id))) return;
    this.counts.availabilityChecks++;
    this.checks.expectCommit(bound, what, new Set(closing.map((t) => t.peer.id)));
  }

  /** The group serves: some running tab is online (the promises about reloads and new tabs presume it). */
  private available(live: readonly Tab[]): boolean {
    return live.some((t) => t.peer.lastStatus?.online === true);
  }

  private expectOnline(peer: SimPeer, what: string): void {
    this.checks.expectOnline(peer, this.plan.bounds.onlineMs, what);
    this.counts.availabilityChecks++;
  }
}
