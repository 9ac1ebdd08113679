// createGroup's `config` option from JavaScript callers: values of the wrong type and counts the
// engine cannot run with are refused before anything starts (InvalidInputError naming the setting);
// a setting left undefined keeps its default.
import { describe, expect, it } from 'vitest';
import { InvalidInputError, defaultRaftConfig } from '@meshraft/core';
import { validateOptions, type CreateGroupOptions } from '../src/options';

const base: CreateGroupOptions = {
  key: 'a-strong-enough-group-key-123',
  signaling: 'http://localhost:8787',
  stateMachine: { apply: () => undefined, query: () => undefined },
};

describe('createGroup config validation', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['electionTimeoutMs as a string', { electionTimeoutMs: '2000' }, /config\.electionTimeoutMs must be a number/],
    ['forwardTimeoutMs: null', { forwardTimeoutMs: null }, /config\.forwardTimeoutMs must be a number/],
    ['preVote as a string', { preVote: 'no' }, /config\.preVote must be a boolean/],
    ['maxBatchEntries: 0', { maxBatchEntries: 0 }, /config\.maxBatchEntries must be an integer >= 1/],
    ['maxInflightAppends: 0', { maxInflightAppends: 0 }, /config\.maxInflightAppends must be an integer >= 1/],
    ['maxProposalCommands: 0', { maxProposalCommands: 0 }, /config\.maxProposalCommands must be an integer >= 1/],
    ['heartbeatMs: 0', { heartbeatMs: 0 }, /config\.heartbeatMs must be above 0/],
    ['an unknown setting', { heartbeatMS: 50 }, /config\.heartbeatMS is not a setting/],
  ];
  for (const [name, config, message] of bad) {
    it(`rejects ${name} with InvalidInputError naming the setting`, () => {
      expect(() => validateOptions({ ...base, config } as never, 'node')).toThrow(InvalidInputError);
      expect(() => validateOptions({ ...base, config } as never, 'node')).toThrow(message);
    });
  }

  it('a setting left undefined (an optional field set with a ternary) keeps its default', () => {
    const resolved = validateOptions({ ...base, config: { heartbeatMs: undefined, electionTimeoutMs: 2000 } }, 'node');
    expect(resolved.config).toEqual({ ...defaultRaftConfig, electionTimeoutMs: 2000 });
  });
});
