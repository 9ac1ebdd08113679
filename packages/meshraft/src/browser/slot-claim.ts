// A starting tab claims a slot of this profile (local-slots.ts) under the group's start-up Web
// Lock: it lists the slots, lets @meshraft/core's chooseSlot pick (a crashed tab's identity to
// adopt, a departed tab's log to take over, or a new slot), takes that slot's lock for its whole
// life, and writes the identity into the slot. The start-up lock is held until the engine runs, so
// a tab opening at the same moment sees this one's slot in use and can never also re-found.
import { atLeastAsUpToDate, chooseSlot, decideFounding, decideFrozenRestart, frozenRestartSlot, refoundingTerm, runningPeers, startReadsConfiguration, type HandOverLimits, type PeerId } from '@meshraft/core';
import { holdLock, mintPeerId, type LockManagerLike } from '../identity';
import type { Claim, FrozenRestart } from '../runtime/claim';
import { openAsOnlyWriter } from '../runtime/only-writer';
import { localLogTail } from './local-log-tail';
import { LocalSlots, slotDbName, slotLockName, startupLockName, type SlotEnvironment, type SlotView } from './local-slots';

/** Attempts when another tab takes the chosen slot between listing and locking it. */
const CLAIM_ATTEMPTS = 5;

export async function claimSlot(env: SlotEnvironment, room: string, mintId: () => PeerId = mintPeerId): Promise<Claim> {
  const locks: LockManagerLike = env.locks;
  const slots = new LocalSlots(env, room);
  // Wait as long as it takes: another tab is deciding right now.
  const releaseStartup = await holdLock(locks, startupLockName(room), 24 * 60 * 60 * 1000);
  if (!releaseStartup) throw new Error('meshraft: could not take the start-up lock of this group');
  let startupHeld = true;
  const settled = () => {
    if (startupHeld) releaseStartup();
    startupHeld = false;
  };
  try {
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const views = await slots.list();
      const choice = chooseSlot(views, slots.preferredSlot());
      // A frozen tab may move onto another slot (reconsider): these follow it.
      let slot = choice.kind === 'new' ? slots.newSlotId() : choice.slot;
      const held = await holdLock(locks, slotLockName(room, slot), 0);
      if (!held) continue; // taken meanwhile (a tab that does not wait for this lock): look again
      let releaseSlot = held;
      let dbName = slotDbName(room, slot);
      let peerId = choice.kind === 'adopt' ? choice.peerId : mintId();
      const chosen = views.find((v) => v.slot === slot);
      let logTail: Awaited<ReturnType<typeof localLogTail>>;
      try {
        // The slot's previous writer (the Worker of a page that just closed or reloaded) may not have
        // stopped yet: wait for it, so the new identity is written after its last batch.
        if (choice.kind !== 'adopt') await handOver(env, dbName, peerId, 0, true, takeOverLimits(slots, chosen));
        // The slot is the new identity's now: how the departed one started is no longer needed.
        if (choice.kind === 'succeed') slots.recordJoined(choice.previous, false);
        slots.rememberSlot(slot);
        logTail = await localLogTail(env, chosen, views, slots.tombstones());
      } catch (error) {
        // No claim comes of it, so nothing else would ever let the slot go: held, it would look
        // like a running tab to every other tab of the profile until this page unloads.
        held();
        throw error;
      }
      // The chosen log's configurations, read once per database (it loads the whole log) however often founding() asks.
      let configuration: { dbName: string; read: ReturnType<LocalSlots['logConfiguration']> } | null = null;
      const claim: Claim = {
        get peerId() {
          return peerId;
        },
        get dbName() {
          return dbName;
        },
        choice,
        ...(logTail ? { logTail } : {}),
        localPeers: runningPeers(views, slot),
        // As decideFounding's "local data": a new slot where no slot of the profile holds a log.
        pristine: choice.kind === 'new' && !views.some((v) => v.peerId !== null),
        async founding(evidence, mayLead) {
          // A live peer in the room means the group is running: join it (nothing else is allowed).
          if (evidence === 'occupied') return 'join';
          if (startReadsConfiguration(choice, views) && configuration?.dbName !== dbName) configuration = { dbName, read: slots.logConfiguration(dbName) };
          return decideFounding({
            choice,
            slots: views,
            log: { lastIndex: chosen?.lastIndex ?? 0, lastTerm: chosen?.lastTerm ?? 0, ...(configuration?.dbName === dbName ? await configuration.read : { membership: null }) },
            ...slots.foundingTombstones(),
            room: evidence,
            mayLead,
          });
        },
        async prepareRefound() {
          await handOver(env, dbName, peerId, refoundingTerm(views, slots.tombstones()));
        },
        recordStart: (founding) => slots.recordJoined(peerId, founding === 'join'),
        settled,
        tombstone: (notice, departedBefore, committed) => slots.tombstone(peerId, notice, true, departedBefore, committed),
        recordDeparture: (peer, notice) => {
          if (!slots.tombstones().has(peer)) slots.tombstone(peer, notice, false);
        },
        departures: () => slots.tombstones(),
        ownDepartures: () => slots.foundingTombstones().ownTombstones,
        watchDepartures: (handler) => slots.watchTombstones(handler),
        async renew() {
          const previous = peerId;
          peerId = mintId();
          // After the departed identity's last batch: its Worker lets the database go once it landed.
          await handOver(env, dbName, peerId, 0, true, slots.handOverLimits(previous));
          return peerId;
        },
        reconsider: (mayLead) =>
          reconsiderFrozen(env, slots, room, slot, () => peerId, mintId, mayLead, (next, target, releaseTarget) => {
            peerId = next;
            if (target === slot) return;
            // The frozen identity departed; its slot is now a departed tab's slot like any other.
            releaseSlot();
            slot = target;
            dbName = slotDbName(room, target);
            releaseSlot = releaseTarget;
            slots.rememberSlot(target);
          }),
        collect: (members) => slots.collect(members),
        release() {
          settled();
          releaseSlot();
        },
      };
      return claim;
    }
    throw new Error('meshraft: could not claim a slot for this tab (other tabs kept taking them)');
  } catch (error) {
    settled();
    throw error;
  }
}

/** How long a frozen tab waits for the start-up lock before trying again later. */
const RECONSIDER_LOCK_WAIT_MS = 2000;

async function reconsiderFrozen(
  env: SlotEnvironment,
  slots: LocalSlots,
  room: string,
  own: string,
  current: () => PeerId,
  mintId: () => PeerId,
  mayLead: boolean,
  /** The new identity runs on `target` from now on (`releaseTarget`: its slot lock, when it is not `own`). */
  renewed: (peerId: PeerId, target: string, releaseTarget: () => void) => void,
): Promise<FrozenRestart | null> {
  const release = await holdLock(env.locks, startupLockName(room), RECONSIDER_LOCK_WAIT_MS);
  if (!release) return null;
  let releaseTarget: (() => void) | null = null;
  const releaseAll = () => {
    releaseTarget?.();
    releaseTarget = null;
    release();
  };
  try {
    const views = await slots.list();
    const target = frozenRestartSlot(views, own);
    if (target !== own) {
      // Another departed tab's log is more up to date: the restart takes that slot over, as a
      // reload would. Its lock is held from now on, so no starting tab takes it meanwhile.
      releaseTarget = await holdLock(env.locks, slotLockName(room, target), 0);
      if (!releaseTarget) {
        release();
        return null;
      }
    }
    const chosen = views.find((v) => v.slot === target);
    const dbName = slotDbName(room, target);
    const targetLimits = target === own ? undefined : takeOverLimits(slots, chosen);
    return {
      localPeers: runningPeers(views, own),
      dbName,
      decide: async (evidence) =>
        decideFrozenRestart({
          slot: target,
          peerId: current(),
          slots: views,
          // Reading the configuration loads the slot's log: only when the room leaves a chance.
          // A departed slot is read as the hand-over in renewForRefound will leave it (its listing
          // already ends there): its Worker may have gone on after the notice, elected itself and
          // stored a configuration and a commit index nobody else ever saw.
          log: {
            lastIndex: chosen?.lastIndex ?? 0,
            lastTerm: chosen?.lastTerm ?? 0,
            ...(evidence === 'occupied' ? { membership: null } : await slots.logConfiguration(dbName, targetLimits)),
          },
          ...slots.foundingTombstones(),
          room: evidence,
          mayLead,
        }),
      async renewForRefound(final, applied = 0) {
        // Judged on the slots as listed: the frozen identity's engine may have gone on since (the
        // next frozen check then decides on what the slots hold by then).
        const targetLog = { lastIndex: chosen?.lastIndex ?? 0, lastTerm: chosen?.lastTerm ?? 0 };
        if (target !== own && final !== null && !atLeastAsUpToDate(targetLog, final)) return null;
        if (targetLog.lastIndex < applied) return null;
        const next = mintId();
        // The frozen identity departed: on its own slot, the raised term is written after its last
        // batch (which could otherwise bring the old term back).
        // On its own slot the decision was judged on the whole log as listed: no entry is dropped.
        await handOver(env, dbName, next, refoundingTerm(views, slots.tombstones()), true, target === own ? { maxCommit: final?.lastIndex } : targetLimits);
        const moved = releaseTarget;
        releaseTarget = null; // the claim holds it now
        renewed(next, target, moved ?? (() => {}));
        return next;
      },
      release: releaseAll,
    };
  } catch (error) {
    releaseAll();
    throw error;
  }
}

/** The limits of taking over a listed slot (LocalSlots.handOverLimits): none unless its identity departed. */
function takeOverLimits(slots: LocalSlots, view: SlotView | undefined): HandOverLimits | undefined {
  return view?.departed && view.peerId !== null ? slots.handOverLimits(view.peerId) : undefined;
}

/**
 * Writes the slot over to `peerId` (and raises its term to at least `minTerm`). `asOnlyWriter`: once
 * no other writer has the database open (only-writer.ts): always, except while this tab's own
 * Worker holds it with no engine running yet (a start-up re-founding, after 'prepare' opened it).
 * `limits`: what the previous identity's departure promised (core handOverLimits): nothing past
 * what its page saw committed, or past its final position, counts as committed, and entries of a
 * later term than its notice's go (IdbStorage.handOver), as the listing already left them out
 * (LocalSlots.list). A frozen identity re-founding on its own slot keeps every entry.
 */
async function handOver(env: SlotEnvironment, dbName: string, peerId: PeerId, minTerm = 0, asOnlyWriter = false, limits?: HandOverLimits): Promise<void> {
  const { storage } = asOnlyWriter ? await openAsOnlyWriter(env.locks, dbName, () => env.openSlot(dbName)) : { storage: await env.openSlot(dbName) };
  try {
    await storage.handOver(peerId, minTerm, limits?.maxCommit, limits?.maxTerm);
  } finally {
    await storage.close();
  }
}
