// Passes the engine's departure plan (Ready.departure: the plan as of each Ready) on to the
// transport, only when it changed.
import type { DeparturePlan, Ready } from '../engine/api';
import { sameFields, sameList } from '../engine/status';
import type { EngineHostOptions } from './engine-host-api';

export class DeparturePlanRelay {
  private lastPlan: DeparturePlan | null = null;

  constructor(private readonly options: Pick<EngineHostOptions, 'transport'>) {}

  /** Hands the Ready's departure plan to the transport when it changed (see PeerTransport.departurePlan). */
  post(ready: Ready): void {
    const { transport } = this.options;
    if (!ready.departure || !transport.departurePlan || samePlan(ready.departure, this.lastPlan)) return;
    this.lastPlan = ready.departure;
    transport.departurePlan(ready.departure);
  }
}

/** The notice fields a departure plan is compared on (its appends are rebuilt from the log each time). */
const NOTICE_FIELDS = ['term', 'lastIndex', 'lastTerm', 'led'] as const;

function samePlan(a: DeparturePlan, b: DeparturePlan | null): boolean {
  return b !== null && a.handoffTo === b.handoffTo && sameFields(a.notice, b.notice, NOTICE_FIELDS) && sameList(a.notice.successors, b.notice.successors) && sameList(a.departedBefore, b.departedBefore);
}
