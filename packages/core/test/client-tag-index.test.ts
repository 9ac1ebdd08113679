// The leader's index of client tags in its log: the ranges a retried forward is answered with, kept
// as runs of consecutive commands, and bounded (the oldest runs are forgotten).
import { describe, expect, it } from 'vitest';
import { ClientTagIndex } from '../src/engine/client-tag-index';
import type { LogEntry } from '../src/types';

/** `count` commands of `clientId` tagged from `seq`, at indexes from `index`. */
function commands(clientId: string, seq: number, index: number, count: number): LogEntry[] {
  return Array.from({ length: count }, (_, i) => ({ kind: 'command', index: index + i, term: 1, data: new Uint8Array([i]), client: { clientId, seq: seq + i } }));
}

describe('ClientTagIndex', () => {
  it('answers any part of a proposal already in the log, and nothing past it', () => {
    const tags = new ClientTagIndex();
    tags.add(commands('tab', 10, 5, 4)); // seq 10..13 at 5..8
    expect(tags.lookup({ clientId: 'tab', seq: 10 }, 4)).toEqual({ start: 5, end: 8 });
    expect(tags.lookup({ clientId: 'tab', seq: 11 }, 2)).toEqual({ start: 6, end: 7 });
    expect(tags.lookup({ clientId: 'tab', seq: 12 }, 3)).toBeNull(); // seq 14 is not in the log
    expect(tags.lookup({ clientId: 'tab', seq: 9 }, 1)).toBeNull();
    expect(tags.lookup({ clientId: 'tab', seq: 14 }, 1)).toBeNull(); // past every seq noted: a new proposal
    expect(tags.lookup({ clientId: 'other', seq: 10 }, 1)).toBeNull();
  });

  it("keeps a client's consecutive proposals as one run, and other clients' apart", () => {
    const tags = new ClientTagIndex();
    tags.add(commands('a', 0, 1, 2));
    tags.add(commands('a', 2, 3, 3)); // continues a's run: seq 2 at index 3
    expect(tags.size()).toBe(1);
    expect(tags.lookup({ clientId: 'a', seq: 1 }, 3)).toEqual({ start: 2, end: 4 });
    tags.add(commands('b', 0, 6, 1));
    tags.add(commands('a', 5, 7, 1)); // a's next command, but b's entry sits between
    expect(tags.size()).toBe(3);
    expect(tags.lookup({ clientId: 'a', seq: 4 }, 2)).toBeNull(); // not one contiguous run
    expect(tags.lookup({ clientId: 'a', seq: 5 }, 1)).toEqual({ start: 7, end: 7 });
  });

  it('answers a tag appended twice with its latest index', () => {
    const tags = new ClientTagIndex();
    tags.add(commands('a', 0, 1, 3));
    tags.add(commands('b', 0, 4, 1));
    tags.add(commands('a', 1, 5, 2)); // a retry that was appended again
    expect(tags.lookup({ clientId: 'a', seq: 1 }, 2)).toEqual({ start: 5, end: 6 });
    expect(tags.lookup({ clientId: 'a', seq: 0 }, 1)).toEqual({ start: 1, end: 1 });
  });

  it('forgets the oldest runs past its bound, across clients', () => {
    const tags = new ClientTagIndex(4);
    for (let i = 0; i < 10; i++) tags.add(commands(`tab-${i}`, 0, 1 + i, 1));
    expect(tags.size()).toBe(4);
    for (let i = 0; i < 6; i++) expect(tags.lookup({ clientId: `tab-${i}`, seq: 0 }, 1), `tab-${i}`).toBeNull();
    for (let i = 6; i < 10; i++) expect(tags.lookup({ clientId: `tab-${i}`, seq: 0 }, 1)).toEqual({ start: 1 + i, end: 1 + i });
  });

  it("stays bounded over a long leadership of one client's separate proposals", () => {
    const tags = new ClientTagIndex(10);
    // Every second index is another client's, so none of the 5,000 runs merge.
    for (let i = 0; i < 5000; i++) tags.add([...commands('busy', i, 2 * i + 1, 1), ...commands(`once-${i % 3}`, i, 2 * i + 2, 1)]);
    expect(tags.size()).toBe(10);
    expect(tags.lookup({ clientId: 'busy', seq: 4999 }, 1)).toEqual({ start: 9999, end: 9999 });
    expect(tags.lookup({ clientId: 'busy', seq: 4995 }, 1)).toEqual({ start: 9991, end: 9991 });
    expect(tags.lookup({ clientId: 'busy', seq: 4994 }, 1)).toBeNull();
    tags.rebuild(commands('busy', 0, 1, 3));
    expect(tags.size()).toBe(1);
    expect(tags.lookup({ clientId: 'busy', seq: 4999 }, 1)).toBeNull();
  });
});
