// One-line descriptions of messages and errors for the trace and failure reports. Messages are
// rendered by the core's describer, so the simulator's trace and the engine's test scripts read alike.
export { describeMessage } from '@meshraft/core/testing';

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}\n${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}`;
  return String(err);
}
