// A running tab starts over under a new identity when its engine says it cannot go on as it is:
// removed from the group (it joins again on a fresh database), or frozen (every voter of its
// configuration departed: it re-founds the group once the start-up rules allow it, asking again
// now and then while they do not). Either way its old identity departs first, as a closing tab's does.
import type { PeerId } from '@meshraft/core';
import type { EventQueue } from './event-queue';
import type { ForkCheck } from './fork-check';
import type { SimPeer } from './sim-peer';
import type { StartUpRules } from './start-up-rules';
import type { TabStarts } from './tab-starts';
import type { Tab } from './tabs';
import type { TabsCounts } from './tabs-plan';
import type { Trace } from './trace';

/** A frozen tab asks the start-up rules again after this pause, doubling up to the max (1 s and 10 s in the browser runtime). */
const FROZEN_RECHECK_MS = 300;
const FROZEN_RECHECK_MAX_MS = 3000;

/** What a restart uses of the driver: the run's tabs, and closing one (its identity departs). */
export interface RestartingTabs {
  readonly tabs: ReadonlyMap<PeerId, Tab>;
  close(tab: Tab): void;
}

export class TabRestarts {
  constructor(
    private readonly driver: RestartingTabs,
    private readonly starts: TabStarts,
    private readonly rules: StartUpRules,
    private readonly forks: ForkCheck,
    private readonly queue: EventQueue,
    private readonly trace: Trace,
    private readonly counts: TabsCounts,
  ) {}

  /**
   * The engine reports a running tab removed from the group (it was silent too long, e.g. crashed
   * and adopted late): the tab starts over under a new identity on a fresh database and joins as a
   * learner. The old identity departs first, as a closing tab's does: a leader may have added it
   * back meanwhile (it asked to join with a log older than its removal), and a member that
   * vanished without a notice would count for quorums until auto-removal, and keep every tab that
   * reopens later from re-founding. Its database is deleted; its tombstone stays.
   */
  removed(peer: SimPeer): void {
    const tab = this.driver.tabs.get(peer.id);
    if (!tab || peer.retired) return;
    this.queue.after(1, () => {
      if (!this.driver.tabs.has(peer.id) || peer.retired) return;
      this.trace.record(this.queue.now, 'net', `tab ${peer.id} was removed: it starts over under a new identity`);
      this.driver.close(tab);
      this.counts.closed--;
      tab.profile.forget(tab.slot);
      this.counts.resets++;
      this.starts.open(tab.profile, null);
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
    const tab = this.driver.tabs.get(peer.id);
    if (!tab || !peer.isUp || peer.retired || !peer.lastStatus?.frozen) return;
    const again = () => this.queue.after(pause, () => this.reconsiderFrozen(peer, Math.min(pause * 2, FROZEN_RECHECK_MAX_MS)));
    if (peer.paused) return again();
    const { profile, slot } = tab;
    const restart = this.rules.frozenRestart(peer.id, profile, slot);
    if (restart === null) return again();
    const { target, listed } = restart;
    // The page keeps its state machine (below): as the runtime's renewForRefound, no re-founding
    // on a log that ends (as listed) before what the page applied.
    if (listed.lastIndex < peer.kv.appliedIndex) return again();
    this.forks.refounding(profile, target.store.latestMembership());
    const onto = target === slot ? `its slot ${slot.id}` : `departed slot ${target.id} (more up to date than its slot ${slot.id})`;
    this.trace.record(this.queue.now, 'net', `frozen tab ${peer.id} re-founds the group on ${onto}`);
    this.driver.close(tab);
    this.counts.closed--;
    this.counts.frozenRestarts++;
    if (target !== slot) this.counts.frozenRestartsElsewhere++;
    // Past every term the profile knows of, the closed identity's notice included. The page stays,
    // and so does its state machine: the new identity applies only what comes after it.
    this.starts.startIdentity(profile, target, 'refound', this.rules.refoundingTerm(profile), 'restart', peer.kv, target === slot);
  }
}
