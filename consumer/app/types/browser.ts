// Type-checked (strict, bundler resolution, DOM) by `npm run typecheck` in the consumer app: the public
// types of 'meshraft' and '@meshraft/react' as a browser app sees them from the installed dist/*.d.ts.
// Each @ts-expect-error must fail to compile: if the types degraded to `any`, tsc reports it unused.
import { createElement, type ReactElement } from 'react';
import {
  createGroup,
  InvalidInputError,
  OfflineError,
  defaultRaftConfig,
  type ApplyContext,
  type GroupStatus,
  type MeshraftGroup,
  type Role,
  type StateMachine,
  type StorageDurability,
} from 'meshraft';
import { GroupProvider, useExecute, useGroupStatus, useQuery } from '@meshraft/react';

type Command = { add: number };
type Query = 'total';

class Counter implements StateMachine<Command, Query, number, number> {
  total = 0;
  apply(command: Command, ctx: ApplyContext): number {
    this.total += command.add + 0 * ctx.index;
    return this.total;
  }
  query(_query: Query): number {
    return this.total;
  }
}

export const group: MeshraftGroup<Command, Query, number> = createGroup({
  key: 'consumer-types-secret-key',
  signaling: 'http://127.0.0.1:8787',
  stateMachine: new Counter(),
  durability: 'strict',
  config: { electionTimeoutMs: defaultRaftConfig.electionTimeoutMs },
});

export const relaxed: StorageDurability = 'relaxed';
// @ts-expect-error durability is 'relaxed' or 'strict'
export const notADurability: StorageDurability = 'fsync';

export async function useGroupApi(): Promise<number> {
  const { index }: { index: number } = await group.execute({ add: 1 });
  // @ts-expect-error commands are typed by the state machine
  await group.execute({ add: 'one' });
  const { result, position } = await group.query('total', 'strong');
  // @ts-expect-error queries are typed by the state machine
  await group.query('average');
  const status: GroupStatus = group.status;
  const role: Role = status.role;
  // @ts-expect-error Role is a union of literals, not string
  const notARole: Role = 'king';
  try {
    await group.when.online();
  } catch (error) {
    if (error instanceof OfflineError || error instanceof InvalidInputError) return -1;
  }
  return result + position + index + (role === 'leader' ? 1 : 0) + (notARole ? 0 : 1);
}

function Total(): ReactElement {
  const { data, error } = useQuery<Query, number>('total', { consistency: 'strong' });
  const { execute } = useExecute<Command>();
  const online = useGroupStatus((s) => s.online);
  const total: number | undefined = data;
  void execute({ add: 2 });
  return createElement('p', null, `${online} ${total ?? '-'} ${error?.message ?? ''}`);
}

export const app: ReactElement = createElement(GroupProvider<Command, Query, number>, { group }, createElement(Total));
