// The shared message describer: short, stable text for traces and test scripts.
import { describe, expect, it } from 'vitest';
import { describeBytes, describeEntry, describeMessage } from '../src/describe-message';
import { encode } from './support/engine-harness';

describe('describeMessage', () => {
  it('renders replication and election messages in their short forms', () => {
    const ae = { type: 'AppendEntries' as const, term: 2, prevLogIndex: 40, prevLogTerm: 1, leaderCommit: 38, entries: [{ kind: 'noop' as const, index: 41, term: 2 }] };
    expect(describeMessage(ae)).toBe('AE t2 prev=40/1 n=1 commit=38');
    expect(describeMessage({ type: 'AppendEntriesResponse', term: 2, success: false, matchIndex: 0, lastIndex: 5, conflictIndex: 4, conflictTerm: 1 })).toBe(
      'AER t2 no match=0 last=5 hint=4/1',
    );
    expect(describeMessage({ type: 'RequestVote', term: 3, lastLogIndex: 5, lastLogTerm: 2, transfer: true })).toBe('RequestVote t3 last=5/2 transfer');
    expect(describeMessage({ type: 'ReadIndexResponse', requestId: 7, ok: false, error: 'not-leader', leader: 'b' })).toBe('ReadIndexResp #7 not-leader leader=b');
  });

  it('shows commands as text when printable, as hex otherwise, and cuts long ones', () => {
    expect(describeBytes(encode('set x 1'))).toBe('"set x 1"');
    expect(describeBytes(new Uint8Array([0, 255, 10]))).toBe('0x00ff0a');
    expect(describeBytes(new Uint8Array(20).fill(1))).toBe(`0x${'01'.repeat(16)}…(20B)`);
    expect(describeBytes(encode('y'.repeat(50)))).toBe(`"${'y'.repeat(40)}…"`);
    expect(describeBytes(encode('line\nbreak'))).toBe('0x6c696e650a627265616b');
    const forward = { type: 'ForwardCommands' as const, requestId: 3, client: { clientId: 'tab', seq: 9 }, commands: [encode('a'), new Uint8Array([1])] };
    expect(describeMessage(forward)).toBe('Forward #3 client=tab/9 ["a" 0x01]');
  });

  it('renders each kind of log entry', () => {
    expect(describeEntry({ kind: 'config', index: 1, term: 1, membership: { voters: ['a', 'b'], learners: ['c'] } })).toBe('1/1 config voters=(a,b) learners=(c)');
    expect(describeEntry({ kind: 'command', index: 4, term: 2, data: encode('x') })).toBe('4/2 "x"');
  });
});
