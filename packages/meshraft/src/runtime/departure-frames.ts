// What a tab sends in its last moment (pagehide): the page runs no more tasks after it, so nothing
// that needs the Worker can happen. The engine keeps its departure plan on this thread (it rides
// ahead of the frames in the Worker's next 'send': the latest plan covers every frame before it),
// and the main thread sends it on the ordered control channels: a
// leader's last AppendEntries (so lagging members can cover its final position), TimeoutNow to the
// handoff target (thesis §3.10), then the Departure notice to every connected peer. Before any of
// it, the runtime tombstones the identity and cuts its frames (launch.ts), so the notice is a
// promise the code keeps: this identity never votes or acknowledges again.
import { encodeMessage, type Departure, type DeparturePlan, type PeerId } from '@meshraft/core';

export interface DepartureFrame {
  to: PeerId;
  bytes: Uint8Array;
}

/** The engine's plan as the main thread keeps it: the leader's last appends already encoded. */
export interface RelayedPlan {
  notice: Departure;
  handoffTo: PeerId | null;
  appends: DepartureFrame[];
  /** DeparturePlan.departedBefore: kept with this identity's tombstone. */
  departedBefore?: PeerId[];
}

/** How often a changing plan's appends are encoded again (they help; a slightly older set is fine). */
export const APPENDS_REFRESH_MS = 100;

/**
 * Turns the engine's plans into relayed ones. Encoding a leader's last appends on every Ready would
 * cost the hot path, so the appends to members other than the handoff target are encoded again
 * only when the leadership term or handoff target changes, or APPENDS_REFRESH_MS after the last
 * time: stale appends are ordinary, idempotent AppendEntries of the leader's term and only help
 * less. The handoff target's append is encoded again whenever the leader's log end moved: it must
 * reach the end of the log, or another voter that got the latest entries through ordinary
 * replication would hold a more up-to-date log than the target and refuse it its vote (§5.4.1),
 * and the handoff would fail until an election timeout (a page with a fixed identity has nothing
 * else to hand over with).
 */
export function planRelay(now: () => number = Date.now): (plan: DeparturePlan) => RelayedPlan {
  let last: { term: number; handoffTo: PeerId | null; at: number; appends: DepartureFrame[] } | null = null;
  let target: { to: PeerId; term: number; end: number; frame: DepartureFrame | null } | null = null;
  return (plan) => {
    const { notice, handoffTo } = plan;
    const before = plan.departedBefore ? { departedBefore: plan.departedBefore } : {};
    const fresh = last === null || last.term !== notice.term || last.handoffTo !== handoffTo || now() - last.at >= APPENDS_REFRESH_MS;
    if (fresh) last = { term: notice.term, handoffTo, at: now(), appends: encodeFrames(plan.appends.filter((e) => e.to !== handoffTo)) };
    const toTarget = plan.appends.find((e) => e.to === handoffTo);
    if (toTarget === undefined || handoffTo === null) return { notice, handoffTo, appends: last!.appends, ...before };
    const end = appendEnd(toTarget.message);
    if (target === null || target.to !== handoffTo || target.term !== notice.term || target.end !== end) {
      target = { to: handoffTo, term: notice.term, end, frame: encodeFrames([toTarget])[0] ?? null };
    }
    return { notice, handoffTo, appends: target.frame === null ? last!.appends : [...last!.appends, target.frame], ...before };
  };
}

function encodeFrames(envelopes: DeparturePlan['appends']): DepartureFrame[] {
  const frames: DepartureFrame[] = [];
  for (const { to, message } of envelopes) {
    try {
      frames.push({ to, bytes: encodeMessage(message) });
    } catch {
      // Too large for one frame: the member fetches what it lacks by catch-up instead.
    }
  }
  return frames;
}

/** The last index an AppendEntries carries (its anchor when it carries no entries). */
function appendEnd(message: DeparturePlan['appends'][number]['message']): number {
  return message.type === 'AppendEntries' ? message.prevLogIndex + message.entries.length : -1;
}

export function departureFrames(plan: RelayedPlan, notice: Departure, connected: ReadonlySet<PeerId>): DepartureFrame[] {
  const frames = handoffFrames(plan, connected);
  const bytes = encodeMessage(notice);
  for (const to of connected) frames.push({ to, bytes });
  return frames;
}

/**
 * A leader's TimeoutNow to its handoff target, alone: what a page whose identity cannot depart
 * (a fixed `peerId`, which the next load of the page takes again) sends when it goes away.
 */
export function handoffFrames(plan: RelayedPlan, connected: ReadonlySet<PeerId>): DepartureFrame[] {
  const frames = plan.appends.filter((f) => connected.has(f.to));
  if (plan.handoffTo !== null && connected.has(plan.handoffTo)) frames.push({ to: plan.handoffTo, bytes: encodeMessage({ type: 'TimeoutNow', term: plan.notice.term }) });
  return frames;
}
