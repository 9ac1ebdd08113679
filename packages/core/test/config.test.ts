// resolveConfig: the defaults with the caller's settings over them, and the values it refuses
// (InvalidInputError naming the setting) because the engine cannot run with them.
import { describe, expect, it } from 'vitest';
import { MAX_SNAPSHOT_PIECE_BYTES } from '../src/catchup/responder';
import { defaultRaftConfig, resolveConfig, type RaftConfig } from '../src/config';
import { InvalidInputError, MeshraftError } from '../src/errors';
import { testClusterConfig } from '../src/host/cluster';
import { counterCluster } from './support-cluster/counter-cluster';

function refusal(partial: Record<string, unknown>): InvalidInputError {
  try {
    resolveConfig(partial as Partial<RaftConfig>);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toBeInstanceOf(MeshraftError);
    return error as InvalidInputError;
  }
  throw new Error(`expected ${JSON.stringify(partial)} to be refused`);
}

describe('resolveConfig', () => {
  it('an undefined setting keeps its default (an optional field left unset), it does not replace it', () => {
    const config = resolveConfig({ heartbeatMs: undefined, preVote: undefined, electionTimeoutMs: 800 });
    expect(config).toEqual({ ...defaultRaftConfig, electionTimeoutMs: 800 });
    expect(resolveConfig(undefined)).toEqual(defaultRaftConfig);
  });

  it('refuses a value whose type is not the setting\'s, naming the setting', () => {
    expect(refusal({ electionTimeoutMs: '2000' }).message).toMatch(/config\.electionTimeoutMs must be a number, got "2000"/);
    expect(refusal({ forwardTimeoutMs: null }).message).toMatch(/config\.forwardTimeoutMs must be a number, got null/);
    expect(refusal({ maxBatchEntries: true }).message).toMatch(/config\.maxBatchEntries must be a number, got true/);
    expect(refusal({ preVote: 'no' }).message).toMatch(/config\.preVote must be a boolean, got "no"/);
    expect(refusal({ checkQuorum: 0 }).message).toMatch(/config\.checkQuorum must be a boolean, got 0/);
    expect(refusal({ checkQuorum: null }).message).toMatch(/config\.checkQuorum must be a boolean/);
  });

  it('refuses counts below one or not whole, and a heartbeatMs of 0', () => {
    for (const key of ['maxInflightAppends', 'maxBatchEntries', 'maxProposalCommands', 'maxVoters']) {
      expect(refusal({ [key]: 0 }).message).toMatch(new RegExp(`config\\.${key} must be an integer >= 1, got 0`));
      expect(refusal({ [key]: 1.5 }).message).toMatch(new RegExp(`config\\.${key} must be an integer >= 1, got 1.5`));
    }
    expect(refusal({ heartbeatMs: 0 }).message).toMatch(/config\.heartbeatMs must be above 0/);
    expect(refusal({ heartbeatMs: 2000 }).message).toMatch(/config\.heartbeatMs \(2000\) must be below config\.electionTimeoutMs \(1000\)/);
    expect(refusal({ maxBatchBytes: -1 }).message).toMatch(/config\.maxBatchBytes must be a finite non-negative number/);
    expect(refusal({ compactAfterEntries: Number.POSITIVE_INFINITY }).message).toMatch(/compactAfterEntries/);
    expect(refusal({ maxVoters: Number.NaN }).message).toMatch(/maxVoters/);
  });

  it('refuses a snapshotChunkBytes serving peers would cut (above MAX_SNAPSHOT_PIECE_BYTES), of 0 or not whole', () => {
    for (const bad of [0, 1.5, MAX_SNAPSHOT_PIECE_BYTES + 1, 64 * 1024 * 1024]) {
      expect(refusal({ snapshotChunkBytes: bad }).message).toMatch(new RegExp(`config\\.snapshotChunkBytes must be an integer from 1 to ${MAX_SNAPSHOT_PIECE_BYTES}.*got ${bad}`));
    }
    expect(resolveConfig({ snapshotChunkBytes: MAX_SNAPSHOT_PIECE_BYTES }).snapshotChunkBytes).toBe(MAX_SNAPSHOT_PIECE_BYTES);
    expect(resolveConfig({ snapshotChunkBytes: 1 }).snapshotChunkBytes).toBe(1);
  });

  it('refuses a name that is not a setting (a typo would otherwise be silently ignored)', () => {
    expect(refusal({ heartbeatMS: 50 }).message).toMatch(/config\.heartbeatMS is not a setting/);
  });

  it('still accepts the zeros that mean something (no jitter, no start-up delay, one entry per batch)', () => {
    const config = resolveConfig({ electionJitterMs: 0, bootstrapDelayMs: 0, maxBatchBytes: 0, maxInflightAppends: 1, maxBatchEntries: 1, maxProposalCommands: 1 });
    expect(config).toMatchObject({ electionJitterMs: 0, bootstrapDelayMs: 0, maxBatchBytes: 0, maxInflightAppends: 1 });
    expect(resolveConfig(defaultRaftConfig)).toEqual(defaultRaftConfig);
    expect(resolveConfig(testClusterConfig)).toEqual({ ...defaultRaftConfig, ...testClusterConfig });
  });

  it('a group is never started with a maxInflightAppends of 0 (it would wedge every write): it throws at once', () => {
    expect(() => counterCluster({ peers: ['a', 'b', 'c'], config: { maxInflightAppends: 0 } })).toThrow(InvalidInputError);
  });
});
