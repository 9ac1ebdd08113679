// Which path each Raft frame this peer sent took: the WebRTC data channel (through the mesh) or the
// same-browser channel (local-route.ts). Counted on the thread that sends them, across identities.
import type { PeerId } from '@meshraft/core';

export interface RouteStats {
  framesOut: number;
  bytesOut: number;
  /** Frames by receiver. */
  sentTo: Record<PeerId, number>;
}

export interface RaftRouteStats {
  dataChannel: RouteStats;
  localChannel: RouteStats & {
    /** Whether this peer uses the same-browser channel at all (the `localChannel` option, a Worker engine, a browser). */
    enabled: boolean;
    /** Peers a frame would take the channel to now (announced there, with an authenticated link). */
    reachable: PeerId[];
    /** Times a peer of this browser was seen to stop (its liveness lock released) and the engine told. */
    peersGone: number;
  };
}

export type Route = 'dataChannel' | 'localChannel';

function emptyRoute(): RouteStats {
  return { framesOut: 0, bytesOut: 0, sentTo: {} };
}

export class RouteCounters {
  private readonly routes: Record<Route, RouteStats> = { dataChannel: emptyRoute(), localChannel: emptyRoute() };

  private peersGone = 0;

  gone(): void {
    this.peersGone++;
  }

  sent(route: Route, to: PeerId, bytes: number): void {
    const stats = this.routes[route];
    stats.framesOut++;
    stats.bytesOut += bytes;
    stats.sentTo[to] = (stats.sentTo[to] ?? 0) + 1;
  }

  snapshot(enabled: boolean, reachable: PeerId[]): RaftRouteStats {
    const copy = (stats: RouteStats): RouteStats => ({ ...stats, sentTo: { ...stats.sentTo } });
    return { dataChannel: copy(this.routes.dataChannel), localChannel: { ...copy(this.routes.localChannel), enabled, reachable, peersGone: this.peersGone } };
  }
}
