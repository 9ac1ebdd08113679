// The state machine side of a peer: core's GroupClient over a ClientPort, on the main thread.
import { GroupClient, realClock, type ClientPort, type PeerId, type RaftConfig, type StateMachine } from '@meshraft/core';

/** Math.random is fine here: the client only mints its own client id from it. */
const clientRandom = () => Math.random();

export function createClient<Cmd, Q, QR, R = unknown>(
  port: ClientPort,
  stateMachine: StateMachine<Cmd, Q, R, QR>,
  peerId: PeerId,
  config: Partial<RaftConfig>,
): GroupClient<Cmd, Q, QR, R> {
  return new GroupClient<Cmd, Q, QR, R>({ port, stateMachine, peerId, config, clock: realClock, random: clientRandom });
}
