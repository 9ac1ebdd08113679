// Type-checked by `npm run typecheck` in the consumer app (nodenext and bundler): the two entries of
// '@meshraft/core' as an integrator sees them from the installed dist/*.d.ts. The main entry carries
// the engine and the observers; test machinery and bug switches come from '@meshraft/core/testing'
// only. Each @ts-expect-error must fail to compile (see browser.ts).
import {
  createMemoryStorage,
  ExecuteTracker,
  QueryObserver,
  RaftNode,
  resolveConfig,
  seededRandom,
  type RaftNodeOptions,
  type Ready,
  type StateMachine,
} from '@meshraft/core';
// @ts-expect-error test machinery is not part of the main entry
import { createInProcessCluster as notInMain } from '@meshraft/core';
import { createInProcessCluster, withInjectedBugs, type InjectedBugs } from '@meshraft/core/testing';

const counter: StateMachine<number, 'value', number, number> = {
  apply: (add) => add,
  query: () => 0,
};

export async function engineAndCluster(): Promise<number> {
  const storage = createMemoryStorage();
  const options: RaftNodeOptions = {
    id: 'a',
    config: resolveConfig({}),
    preference: 'normal',
    random: seededRandom(1),
    now: 0,
    state: await storage.load(),
    bootstrap: { voters: ['a'], learners: [] },
  };
  // @ts-expect-error the public engine options carry no bug switches
  const withBugsField: RaftNodeOptions = { ...options, bugs: { forgetVote: true } };
  const bugs: InjectedBugs = { readWithoutQuorum: true };
  const node = new RaftNode(withInjectedBugs(options, bugs));
  const ready: Ready | null = node.hasReady() ? node.ready() : null;

  const cluster = createInProcessCluster<number, 'value', number, number>({ peers: ['a'], stateMachine: () => counter });
  const group = await cluster.add('a');
  const observer = new QueryObserver<'value', number>(group, 'value', 'weak');
  const tracker = new ExecuteTracker<number, number>();
  const { index, result } = await tracker.track([1], () => group.execute(1));
  // @ts-expect-error a snapshot's data is typed by the query result
  const text: string | undefined = observer.getSnapshot().data;
  await cluster.close();
  return index + (result ?? 0) + (ready?.token ?? 0) + (text ? 1 : 0) + (withBugsField && notInMain ? 1 : 0);
}
