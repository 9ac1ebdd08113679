// The shape of a tabs run (TabsPlan, drawn by the 'tabs' scenario) and what it counts (TabsCounts).

export type GracefulAction = 'close' | 'close-leader' | 'close-many' | 'reload' | 'reload-leader' | 'open' | 'open-away';
export type RoughAction = 'crash' | 'reopen' | 'reload';
/** The packed-app chaos check's actions (consumer/lib/chaos.mjs), drawn among those the open tabs allow. */
export type ChaosAction = 'close' | 'close-leader' | 'crash' | 'crash-leader' | 'reload' | 'open';
/** The chaos actions that take two tabs or every tab at once (tabs-every-tab.ts). */
export const EVERY_TAB_ACTIONS = ['close-two', 'close-all', 'crash-all', 'reload-all'] as const;
export type EveryTabAction = (typeof EVERY_TAB_ACTIONS)[number];

export interface TabsPlan {
  /** Tabs opened one after another at the start (the first on an empty room bootstraps). */
  initialTabs: number;
  /** Graceful actions, each checked for availability. */
  graceful: Array<{ at: number; action: GracefulAction }>;
  /** Crashes, reopens and reloads (no availability promise while a crashed voter is missing). */
  rough: Array<{ at: number; action: RoughAction }>;
  /**
   * A chaos phase like the packed-app check's (the 'tabs-chaos' scenario): at each time one action
   * drawn among those the tabs then allow (closes and crashes only while more than `minTabs` run,
   * a crash only while no crashed identity waits to be adopted, an open only below maxTabs). No
   * availability promise; the run must still converge, linearizable, with no write lost. With
   * `profiles` 2 or 3 (default 1), tabs open on any of that many profiles, one per device (a
   * crashed identity's reopen on its own).
   */
  chaos?: {
    at: number[];
    minTabs: number;
    profiles?: 1 | 2 | 3;
    /** Also draw the actions that take two tabs or every tab at once (tabs-every-tab.ts), as the check's (g). */
    everyTab?: boolean;
  };
  /** Every crashed identity is adopted by a reopened tab by then. */
  recoverAt: number;
  /** Every tab closes (together, or one after another), then `reopen` tabs open at once on the home profile. */
  finale: { at: number; together: boolean; reopen: number };
  bounds: {
    /** A leader commits again within this long after one tab closed or reloaded. */
    singleMs: number;
    /** ... after several closed at once. */
    multiMs: number;
    /** A new or reloaded tab is online within this long. */
    onlineMs: number;
  };
  maxTabs: number;
}

export interface TabsCounts {
  opened: number;
  closed: number;
  reloads: number;
  crashes: number;
  adoptions: number;
  successions: number;
  refounds: number;
  bootstraps: number;
  waits: number;
  availabilityChecks: number;
  slotsDeleted: number;
  /** 'close-many' actions taken (a majority of the tabs closed at once). */
  closeMany: number;
  /** Chaos actions that took two tabs or every tab at once, by kind (tabs-every-tab.ts). */
  everyTabActions: Record<EveryTabAction, number>;
  /** Devices with no data that opened the app right after a signaling restart. */
  newDevices: number;
  /** Engines that re-founded the group as a departed leader's successor (no restart needed). */
  successorRefounds: number;
  /** Followers told their leader's tab stopped (its lock released) that took a turn to campaign. */
  leaderGoneTurns: number;
  /** Removed tabs that started over under a new identity (as the runtime does). */
  resets: number;
  /** Re-foundings of a configuration whose voters departed on three devices or more (tabs-chaos-three). */
  refoundsAcrossThreeDevices: number;
  /** Frozen tabs (every voter departed, named by no successor list) that re-founded the group, on their own slot or another. */
  frozenRestarts: number;
  /** Of those, the ones that took a departed slot with a more up-to-date log over (frozenRestartSlot). */
  frozenRestartsElsewhere: number;
  /** Notices passed on by non-members that engines took because the peer named ran nowhere (RaftEngine.peersPresent). */
  heldNoticesTaken: number;
  /** Adopted identities that started with entries a free slot of their profile held past their log (RaftNodeOptions.logTail). */
  localLogTails: number;
  /**
   * Closed tabs whose slot ends in entries of a term later than their notice's: the Worker wrote the
   * Ready that reached that term after the page had sent the notice (SimPeer.depart); the slot's
   * taker drops them (DurableStore.handOver).
   */
  laterTermSlots: number;
  /**
   * Closed tabs whose slot stores a commit index past their notice's final position: a lone
   * voter's Worker wrote its entries and then the commit index after the page sent the notice; the
   * slot's taker lowers it to the notice's (DurableStore.handOver).
   */
  commitPastNoticeSlots: number;
  /**
   * Closed tabs whose Worker's election timer fired after the notice went out (SimPeer.depart), and
   * of those, the ones whose slot then held a term later than the notice's (the Worker campaigned,
   * or a lone voter elected itself, and that write landed).
   */
  workerTimersAfterNotice: number;
  workerTimerLaterTerms: number;
  /**
   * Runs whose group was no longer serving when its last tabs closed: something the scenario did
   * outside the promises (say a majority closed while the only tab left was still syncing on
   * another device) left it without a way on. Such a run is still checked for safety and
   * linearizability, not for convergence.
   */
  strandedGroups: number;
}

export function emptyTabsCounts(): TabsCounts {
  return {
    opened: 0, closed: 0, reloads: 0, crashes: 0, adoptions: 0, successions: 0, refounds: 0, bootstraps: 0, waits: 0, availabilityChecks: 0,
    slotsDeleted: 0, closeMany: 0, everyTabActions: { 'close-two': 0, 'close-all': 0, 'crash-all': 0, 'reload-all': 0 }, newDevices: 0, successorRefounds: 0, leaderGoneTurns: 0, resets: 0, refoundsAcrossThreeDevices: 0, frozenRestarts: 0, frozenRestartsElsewhere: 0, heldNoticesTaken: 0, localLogTails: 0, laterTermSlots: 0, commitPastNoticeSlots: 0, workerTimersAfterNotice: 0, workerTimerLaterTerms: 0, strandedGroups: 0,
  };
}
