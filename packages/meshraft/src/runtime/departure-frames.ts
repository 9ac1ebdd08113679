// What a tab sends in its last moment (pagehide): the page runs no more tasks after it, so nothing
// that needs the Worker can happen. The engine keeps its departure plan on this thread (posted
// before the frames of each Ready), and the main thread sends it: TimeoutNow to the handoff target
// when it leads (thesis §3.10), then the Departure notice to every connected peer. Before any of
// it, the runtime tombstones the identity and cuts its frames (launch.ts), so the notice is a
// promise the code keeps: this identity never votes or acknowledges again.
import { encodeMessage, type Departure, type DeparturePlan, type GroupStatus, type PeerId } from '@meshraft/core';

export interface DepartureFrame {
  to: PeerId;
  bytes: Uint8Array;
}

/**
 * The notice to send: the engine's plan, raised for a leader to the commit index its client has
 * seen (results shown in this page travel on another channel than the plan, and a leader's final
 * position must cover every commit it counted itself for).
 */
export function finalNotice(plan: DeparturePlan, status: GroupStatus): Departure {
  const notice: Departure = { ...plan.notice };
  if (notice.led && status.role === 'leader' && status.term === notice.term && status.committed > notice.lastIndex) {
    notice.lastIndex = status.committed;
    notice.lastTerm = notice.term; // past the inherited log, a leader's entries are of its own term
  }
  return notice;
}

export function departureFrames(plan: DeparturePlan, notice: Departure, connected: ReadonlySet<PeerId>): DepartureFrame[] {
  const frames = handoffFrames(plan, connected);
  const bytes = encodeMessage(notice);
  for (const to of connected) frames.push({ to, bytes });
  return frames;
}

/**
 * A leader's TimeoutNow to its handoff target, alone: what a page whose identity cannot depart
 * (a fixed `peerId`, which the next load of the page takes again) sends when it goes away.
 */
export function handoffFrames(plan: DeparturePlan, connected: ReadonlySet<PeerId>): DepartureFrame[] {
  if (plan.handoffTo === null || !connected.has(plan.handoffTo)) return [];
  return [{ to: plan.handoffTo, bytes: encodeMessage({ type: 'TimeoutNow', term: plan.notice.term }) }];
}
