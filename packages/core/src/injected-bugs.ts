// How the test-only bug switches (InjectedBugs) reach the engine without being part of its public
// options: they ride on RaftNodeOptions under a symbol key that only @meshraft/core/testing sets
// (withInjectedBugs). The public RaftNodeOptions type does not list them, so an application cannot
// switch a bug on by accident or by autocompletion.
import type { InjectedBugs } from './config';

/** Symbol.for: one key even if two copies of this module are loaded (sources and dist/). */
const injectedBugsKey: unique symbol = Symbol.for('@meshraft/core/injected-bugs');

type WithBugs = { [injectedBugsKey]?: InjectedBugs };

/** The bug switches `options` carries (none unless withInjectedBugs put them there). */
export function injectedBugsOf(options: object): InjectedBugs {
  return (options as WithBugs)[injectedBugsKey] ?? {};
}

/** A copy of `options` (e.g. RaftNodeOptions) that switches the given bugs on in the engine. */
export function withInjectedBugs<T extends object>(options: T, bugs: InjectedBugs | undefined): T {
  return bugs ? { ...options, [injectedBugsKey]: bugs } : options;
}
