// The checks of an operation's arguments that need no running group, shared by GroupClient and by
// wrappers that take operations before their group exists (meshraft's DeferredGroup rejects them
// at once, not after start-up): one rule and one message wherever a caller meets them.
import { InvalidInputError } from '../errors';

/** Null when `commands` is what executeMany takes (a non-empty array), else the error to reject with. */
export function commandsInputError(commands: unknown): InvalidInputError | null {
  return Array.isArray(commands) && commands.length > 0 ? null : new InvalidInputError('executeMany needs a non-empty array of commands');
}

/** Null when `consistency` is a query's ('strong' or 'weak'), else the error to reject with. */
export function consistencyInputError(consistency: unknown): InvalidInputError | null {
  return consistency === 'strong' || consistency === 'weak' ? null : new InvalidInputError(`consistency must be 'strong' or 'weak', got ${String(consistency)}`);
}
