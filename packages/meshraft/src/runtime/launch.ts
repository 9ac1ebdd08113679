// Starting a group, step by step, the same way in browsers and Node; the platform supplies the
// pieces that differ (identity, mesh, where the engine runs). Order matters:
//   1. room id + auth key from the group key (the key itself never leaves this peer);
//   2. peer id (per-tab identity in browsers) — needed to join the signaling room;
//   3. join the room: the join answer says whether the room was empty (bootstrap decision);
//   4. start the engine side (Worker or in-process) with the connected peers, then relay frames.
// Afterwards, if the engine reports this peer removed from the group (at start, from its restored
// log, or later), the runtime drops that identity and re-joins under a fresh one (see rejoin()).
import { finalNotice, type Departure, type Founding, type Membership, type PeerId } from '@meshraft/core';
import { decideBootstrap } from './bootstrap';
import { type Claim, type FrozenRestart, fixedClaimOn, joinsWhateverTheRoom } from './claim';
import { DeferredGroup } from './deferred-group';
import { departureFrames, handoffFrames } from './departure-frames';
import { replayDepartures } from './departure-replay';
import { FrozenTabRestarter } from './frozen-restart';
import { launchStats, newLaunchInfo } from './launch-info';
import { MeshSession } from './mesh-session';
import type { ClientSide, EngineSide, GroupStats, MeshraftGroup, Platform } from './platform';
import { PRESENCE_REPORT_MS, peersSeenRunning, settledRoomEvidence } from './room-evidence';
import { RouteCounters } from './route-stats';
import type { ResolvedOptions } from '../options';
import { StatusGossip } from './status-gossip';

export type { ClientSide, EngineSide, GroupStats, MeshraftGroup, Platform, StartEngineArgs } from './platform';

export function launchGroup<Cmd, Q, QR, R = unknown>(options: ResolvedOptions<Cmd, Q, QR, R>, platform: Platform<Cmd, Q, QR, R>): MeshraftGroup<Cmd, Q, QR, R> {
  const cleanups: Array<() => void | Promise<void>> = [];
  let closing = false;
  let engine: EngineSide | null = null;
  let client: ClientSide<Cmd, Q, QR, R> | null = null;
  let session: MeshSession | null = null;
  let claim: Claim | null = null;
  let rejoining: Promise<void> | null = null;
  /** This identity departed (pagehide): its frames stay cut until a new identity takes over. */
  let departed = false;
  /**
   * A fixed identity's page is going away (pagehide) and handed leadership over: its frames stay
   * cut until the page is shown again. Were a leader to go on appending (a forwarded command that
   * arrived after the handoff), another voter would get entries the handoff target never saw and
   * refuse it its vote (§5.4.1): the handoff would fail until an election timeout.
   */
  let handedOver = false;
  /** Stops feeding the profile's recorded departures to the current engine (departure-replay.ts). */
  let stopReplay = () => {};
  cleanups.push(() => stopReplay());
  const info = newLaunchInfo();

  const shutdown = async () => {
    closing = true;
    await rejoining?.catch(() => {});
    // Reverse order: stop the engine before the mesh it sends through, release the identity last.
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // Teardown continues: one failing resource must not keep the lock or the worker alive.
      }
    }
  };
  const deferred = new DeferredGroup<Cmd, Q, QR, R>(options.peerId ?? '', shutdown);

  const abortIfClosing = () => {
    if (closing) throw new Error('closed during startup');
  };

  /**
   * This tab holds nothing and belongs to no group: a pristine claim whose engine, if it runs, has
   * no members, and it is not founding one. The gossip says it as PeerView.pristine while its term
   * is 0, and as PeerView.frozen once a departed voter's notice moved it (status-gossip.ts).
   */
  const holdsNothing = () => {
    const status = deferred.status;
    return claim?.pristine === true && !founder && !departed && status.members.voters.length === 0 && status.members.learners.length === 0;
  };
  /** This tab decided to bootstrap or re-found the group: from then on it is not waiting for one. */
  let founder = false;
  const gossip = new StatusGossip({
    status: () => deferred.status,
    holdsNothing,
    broadcast: (frame) => {
      const s = session;
      if (s && !departed) for (const id of s.connected) s.mesh.send(id, frame, 'control');
    },
    onViews: (views) => deferred.setPeerViews(views),
  });
  cleanups.push(() => gossip.stop());
  cleanups.push(deferred.subscribe(() => gossip.statusChanged()));

  const routeCounters = new RouteCounters();
  const openSession = (peerId: PeerId): MeshSession => {
    const mesh = platform.openMesh({ room: info.room!, peerId, authKey: info.authKey! });
    const open = platform.localChannel?.open;
    const local = info.localSecret !== null && open ? { secret: info.localSecret, open, locks: platform.localChannel?.locks } : null;
    return new MeshSession(peerId, mesh, { counters: routeCounters, local }, {
      peerUp: (id) => {
        engine?.peerUp(id);
        gossip.peerUp();
      },
      peerDown: (id) => {
        engine?.peerDown(id);
        gossip.peerDown(id);
      },
      peerGone: (id) => {
        if (!departed) engine?.peerGone(id);
      },
      departed: (id) => claim?.departures?.().has(id) ?? false,
      // A departed identity takes no more input: nothing it could vote or acknowledge reaches it.
      raftFrame: (from, bytes) => {
        if (!departed) engine?.inbound(from, bytes);
      },
      gossipFrame: (from, bytes) => gossip.receive(from, bytes),
    });
  };

  /**
   * The identity departs for good (see docs/tab-lifecycle.md): tombstone, cut, then the engine's
   * plan on the ordered control channels. False when it cannot (no plan yet, or a fixed identity).
   */
  const departNow = (): boolean => {
    const s = session;
    const side = engine;
    const plan = side?.departurePlan() ?? null;
    if (!s || !side || departed || plan === null || !claim?.tombstone) return false;
    const notice = finalNotice(plan.notice, deferred.status);
    // Order matters: the tombstone and the cut first, so the notice is a promise already kept.
    claim.tombstone(notice, plan.departedBefore, deferred.status.committed);
    departed = true;
    for (const { to, bytes } of departureFrames(plan, notice, s.connected)) s.mesh.send(to, bytes, 'control');
    side.depart();
    return true;
  };

  /**
   * Start over under a new identity on the same slot: after the group removed this peer (the engine
   * never lets it take part again under its id), or after it departed and the page came back (a
   * page restored from the back-forward cache). The slot's log is a warm start: the new identity
   * joins as a learner and catches up from there. The user's state machine and the GroupClient
   * stay: everything already applied is the same committed prefix on every peer. With `refound`,
   * a frozen tab's second start-up decision said it may re-found the group on the slot's log: the
   * new identity re-founds it instead of joining (the decision holds the start-up lock meanwhile).
   */
  const rejoin = async (refound?: FrozenRestart) => {
    const side = engine;
    const current = claim;
    if (closing || !side?.reset || !current?.renew) return;
    const old = deferred.peerId;
    // A removed identity departs first: a leader may have added it back meanwhile, and its slot's
    // log is about to belong to a new identity.
    departNow();
    // The notice it left, its final position (the profile's tombstone of it).
    const final = current.departures?.().get(old) ?? null;
    // null: the identity's engine moved past the decision's log after the slots were read (it
    // fetched more, or re-founded by itself); starting over there would drop what it has, so it
    // joins instead, and the next frozen check decides again on what the slots hold then.
    // The page keeps its state machine: the new log must hold everything it applied.
    const renewed = refound ? await refound.renewForRefound(final, deferred.status.applied) : null;
    if (renewed === null) refound = undefined;
    const fresh = renewed ?? (await current.renew());
    current.recordStart?.(refound ? 'refound' : 'join');
    if (closing) return;
    info.retired.push(old);
    const previous = session;
    session = null;
    previous?.deactivate();
    // A re-founding tab stays in the signaling room under its frozen identity until the new one is
    // registered: a tab of another device that decides meanwhile must find one of them there, or it
    // could take the room for empty and re-found the group a second time (founding.ts).
    if (previous && refound) lingering.add(previous);
    else await previous?.close();
    await side.reset(fresh, refound !== undefined, refound?.dbName);
    departed = false;
    deferred.setPeerId(fresh);
    startReplay(current);
    // A re-joining peer never bootstraps, whatever the room looks like: the join answer is not needed.
    session = openSession(fresh);
    // The engine listens on the channel as the new identity since its reset.
    session.local?.start();
    if (previous && refound) {
      const overlapEnds = () => closeLingering(previous);
      void untilJoined(session).then(overlapEnds, overlapEnds);
    }
    info.rejoins++;
    if (refound) {
      info.refounded = true;
      info.frozenRestarts++;
    }
  };
  /** Sessions of retired identities still registered in the room (see rejoin), closed with the group at the latest. */
  const lingering = new Set<MeshSession>();
  cleanups.push(async () => {
    for (const s of [...lingering]) await closeLingering(s);
  });
  const closeLingering = async (s: MeshSession) => {
    if (lingering.delete(s)) await s.close();
  };
  /** The session's first join answer came (it is registered in the room), or ROOM_OVERLAP_MAX_MS passed (the server is away). */
  const untilJoined = (s: MeshSession) => Promise.race([s.mesh.joined, new Promise((resolve) => setTimeout(resolve, ROOM_OVERLAP_MAX_MS))]);

  const startRejoin = (refound?: FrozenRestart): Promise<void> => {
    if (rejoining) return rejoining;
    rejoining = rejoin(refound)
      .catch((error: unknown) => {
        // Stay out (operations fail with OfflineError); nothing else can be done here.
        info.rejoinErrors.push(error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        rejoining = null;
      });
    return rejoining;
  };

  const frozen = new FrozenTabRestarter({
    claim: () => claim,
    session: () => session,
    status: () => deferred.status,
    busy: () => closing || departed || rejoining !== null,
    mayLead: options.preference !== 'observer',
    viewOf: (id) => gossip.viewOf(id),
    restart: (decision) => startRejoin(decision),
  });
  cleanups.push(() => frozen.stop());

  /** The current engine learns every departure this profile recorded (a fresh engine after a reset too). */
  const startReplay = (current: Claim) => {
    stopReplay();
    stopReplay = replayDepartures(current, deferred, (from, bytes) => engine?.inbound(from, bytes));
  };

  /** Databases nobody can use any more go once this tab runs the group (and now and then after). */
  const collectGarbage = () => {
    const current = claim;
    const status = deferred.status;
    if (!current?.collect || closing || departed || !status.online) return;
    void current.collect(status.members).then((n) => (info.databasesDeleted += n)).catch(() => {});
  };

  /** The engine learns who runs (it takes the notices it holds about peers that run nowhere). */
  const reportPresence = () => {
    const s = session;
    if (!s || departed || closing) return;
    const present = peersSeenRunning(s.mesh, [s.peerId, ...s.connected, ...(s.local?.reachable() ?? [])], Date.now());
    if (present) engine?.peersPresent(present);
  };

  /** The claim's founding on the room's evidence, asked again until the evidence lets it decide. */
  const foundingOnSettledRoom = async (first: MeshSession, mayLead: boolean): Promise<Exclude<Founding, 'wait'>> => {
    for (;;) {
      // Peers that gossip themselves pristine wait for a group as this one does: they occupy nothing.
      const evidence = await settledRoomEvidence(first.mesh, () => [...first.connected], () => closing, new Set(claim!.localPeers ?? []), ROOM_EVIDENCE_POLL_MS, (id) => gossip.viewOf(id));
      abortIfClosing();
      const founding = await claim!.founding(evidence, mayLead);
      if (founding !== 'wait') return founding;
    }
  };

  /** How this peer comes into its group: the `bootstrap` option, else the founding rules. */
  const decideStart = async (first: MeshSession, peerId: PeerId): Promise<{ bootstrap: Membership | undefined; refound: boolean }> => {
    const { peers } = await first.mesh.joined.catch((error: unknown) => {
      abortIfClosing(); // closed while waiting: the usual start-up error
      throw error;
    });
    markStartup('room-joined');
    info.roomWasEmpty = peers.length === 0;
    if (options.bootstrap !== undefined) {
      const bootstrap = decideBootstrap(options.bootstrap, peers.length === 0, peerId, options.preference);
      founder = bootstrap !== undefined;
      return { bootstrap, refound: false };
    }
    const mayLead = options.preference !== 'observer';
    // A start that joins whatever the room says does not wait for the room (a restart right after
    // the signaling server's, say): only one that may bootstrap or re-found needs its evidence.
    const founding = (await joinsWhateverTheRoom(claim!, mayLead)) ? 'join' : await foundingOnSettledRoom(first, mayLead);
    if (founding === 'refound') await claim!.prepareRefound?.();
    claim!.recordStart?.(founding);
    if (founding !== 'join') {
      founder = true;
      gossip.statusChanged();
    }
    const bootstrap = founding === 'bootstrap' ? decideBootstrap(true, true, peerId, options.preference) : undefined;
    return { bootstrap, refound: founding === 'refound' };
  };

  const start = async () => {
    markStartup('start');
    const derived = await platform.deriveRoom(options.keyBytes);
    if (derived.release) cleanups.push(derived.release);
    markStartup('room-derived');
    const { room: derivedRoom, authKey } = derived;
    info.keyDerivation = derived.source ?? 'derived';
    info.room = options.testing.room ?? derivedRoom;
    info.authKey = authKey;
    info.localSecret = platform.localChannel ? await platform.localChannel.secret(authKey, info.room) : null;
    abortIfClosing();
    claim = options.peerId ? await fixedClaimOn(options.peerId, options.storage) : await platform.claim(info.room);
    cleanups.push(() => claim?.release());
    abortIfClosing();
    markStartup('claimed');
    const peerId = claim.peerId;
    platform.prepareEngine?.({ peerId, dbName: claim.dbName });
    info.slotChoice = claim.choice.kind;
    deferred.setPeerId(peerId);

    // Track connectivity from the start: peers that connect before the engine runs are handed to it.
    const first = openSession(peerId);
    session = first;
    cleanups.push(() => session?.close());
    const { bootstrap, refound } = await decideStart(first, peerId);
    markStartup('decided');
    abortIfClosing();
    info.bootstrapped = bootstrap !== undefined;
    info.refounded = refound;

    const initialPeers = [...first.connected];
    const starting = platform.startEngine({
      peerId,
      dbName: claim.dbName,
      bootstrap,
      refound,
      ...(claim.logTail ? { logTail: claim.logTail } : {}),
      peers: initialPeers,
      // A departed identity sends nothing more, nor does one that handed over as its page went away.
      transmit: (to, bytes, channel) => {
        if (!departed && !handedOver) session?.send(to, bytes, channel);
      },
      localSecret: info.localSecret,
    });
    // Registered before the engine runs: a close meanwhile stops it before the identity and the
    // start-up lock go (cleanups run in reverse), not after another tab took the slot.
    cleanups.push(async () => (await starting.catch(() => null))?.engine.close());
    const started = await starting;
    abortIfClosing();
    engine = started.engine;
    markStartup('engine-started');
    // It listens on the same-browser channel now: tabs of this browser may send there.
    session?.local?.start();
    claim.settled();
    // Connectivity changed while the engine was starting: catch it up.
    for (const id of first.connected) if (!initialPeers.includes(id)) engine.peerUp(id);
    for (const id of initialPeers) if (!first.connected.has(id)) engine.peerDown(id);
    client = started.group;
    deferred.attach(started.group);
    startReplay(claim);
    engine.onRemoved(startRejoin);
    // Notices the engine saw first join this profile's tombstones: the start-up rules need them.
    // A departed identity never comes back: the mesh stops dialling it.
    engine.onDepartures((notices) => {
      for (const notice of notices) {
        if (notice.peer === undefined) continue;
        claim?.recordDeparture?.(notice.peer, notice);
        session?.forget(notice.peer);
      }
    });
    void deferred.when.online().then(() => {
      markStartup('online');
      collectGarbage();
    }, () => {});
    const timer = setInterval(collectGarbage, GARBAGE_COLLECTION_MS);
    cleanups.push(() => clearInterval(timer));
    const presence = setInterval(reportPresence, PRESENCE_REPORT_MS);
    cleanups.push(() => clearInterval(presence));
    cleanups.push(deferred.subscribe(() => frozen.statusChanged()));
    frozen.statusChanged();
  };

  const started = start().catch((error: Error) => {
    claim?.settled();
    deferred.fail(error);
    void shutdown();
    throw error;
  });
  started.catch(() => {}); // observed through `started`, status and operations

  return Object.assign(deferred, {
    started,
    async stats(): Promise<GroupStats> {
      return launchStats(info, {
        peerId: deferred.peerId,
        frozenChecks: frozen.stats(),
        departed,
        frames: engine ? await engine.frameStats() : null,
        client: client ? client.stats : null,
        routes: routeCounters.snapshot(info.localSecret !== null, session?.local?.reachable() ?? []),
        gossipDropped: gossip.dropped,
        mesh: session ? session.mesh.stats() : null,
        startupError: deferred.startupError ? deferred.startupError.message : null,
      });
    },
    pageHide(): void {
      const s = session;
      const side = engine;
      const plan = side?.departurePlan() ?? null;
      if (!s || !side || closing || departed || deferred.status.removed) return;
      // No plan yet (the engine has not produced a Ready): it never acknowledged anything, so
      // going away is just a crash, which is always safe; the identity stays adoptable.
      if (plan === null) return;
      // A fixed identity (the `peerId` option) comes back under the same id on the next load (a
      // reload), so it cannot promise never to return: it does not depart (to the group, its
      // going away is a crash, which is always safe); a leader still hands leadership over.
      if (!claim?.tombstone) {
        handedOver = true;
        for (const { to, bytes } of handoffFrames(plan, s.connected)) s.mesh.send(to, bytes, 'control');
        return;
      }
      departNow();
    },
    pageShow(persisted: boolean): void {
      // Back from the back-forward cache: a fixed identity goes on where it stopped (to the group,
      // it was away for a while); after departing, the old identity is gone for good.
      handedOver = false;
      if (persisted && departed && !closing) startRejoin();
    },
  });
}

/** How often a running tab looks for databases nobody can use any more. */
const GARBAGE_COLLECTION_MS = 30_000;

/**
 * How long a re-founding tab's frozen identity stays in the signaling room at most, waiting for the
 * new identity's join answer (a server that is away answers neither; when it is back, tabs of other
 * devices wait for live peers to re-register before they trust an empty room).
 */
const ROOM_OVERLAP_MAX_MS = 30_000;

/**
 * How often a starting tab looks again at what the room says (links up, peers' gossip) until it can
 * decide how to start. A look is a few set operations; a joining tab usually decides on its first
 * link and gossip, so a coarse poll would only add its own wait to every start.
 */
const ROOM_EVIDENCE_POLL_MS = 20;

/**
 * Start-up phases as User Timing marks (`meshraft:start`, `room-derived`, `claimed`, `room-joined`,
 * `decided`, `engine-started`, `online`): visible in the browser's performance panel, read by the
 * benchmark's join row. Where `performance.mark` is missing, nothing.
 */
function markStartup(phase: string): void {
  globalThis.performance?.mark?.(`meshraft:${phase}`);
}
