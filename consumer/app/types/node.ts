// Type-checked (strict, module/moduleResolution nodenext, Node types only: no DOM) by
// `npm run typecheck` in the consumer app: 'meshraft/node' and '@meshraft/signaling' as a Node program
// sees them from the installed dist/*.d.ts. Each @ts-expect-error must fail to compile (see browser.ts).
import { createGroup, type MeshraftGroup, type NodeGroupOptions, type StateMachine } from 'meshraft/node';
import { startSignalingServer, type SignalingServer } from '@meshraft/signaling';

type Command = { add: number };

const counter: StateMachine<Command, null, number, number> = {
  apply: (command) => command.add,
  query: () => 0,
};

const options: NodeGroupOptions<Command, null, number> = {
  key: new Uint8Array([1, 2, 3]),
  signaling: 'http://127.0.0.1:8787',
  stateMachine: counter,
  storage: 'memory',
  peerId: 'archiver-1',
};

export async function run(): Promise<number> {
  const server: SignalingServer = await startSignalingServer({ port: 0, host: '127.0.0.1' });
  const group: MeshraftGroup<Command, null, number> = createGroup(options);
  const { index } = await group.execute({ add: 1 });
  // @ts-expect-error commands are typed by the state machine
  await group.execute({ subtract: 1 });
  const { result } = await group.query(null, 'strong');
  const url: string = server.url;
  // @ts-expect-error port is a number
  const port: string = server.port;
  await group.close();
  await server.close();
  return index + result + url.length + port.length;
}
