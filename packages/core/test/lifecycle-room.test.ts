import { describe, expect, it } from 'vitest';
import { roomEvidenceOf, type RoomPeerSays } from '../src/index';

describe('roomEvidenceOf: what the signaling room says, from what each peer in it says', () => {
  const cases: Array<[RoomPeerSays[], boolean, string]> = [
    [[], true, 'empty'],
    [[], false, 'unknown'], // the list may miss live peers (the server restarted a moment ago)
    [['pristine', 'pristine'], true, 'empty'], // new tabs waiting for a group run none
    [['frozen'], true, 'frozen'],
    [['frozen', 'pristine'], true, 'frozen'],
    [['frozen'], false, 'unknown'],
    [['unheard'], true, 'unknown'], // wait for its gossip
    [['frozen', 'unheard'], true, 'unknown'],
    [['member'], false, 'occupied'], // a member is evidence enough, complete list or not
    [['unheard', 'member'], true, 'occupied'],
    [['frozen', 'pristine', 'member'], true, 'occupied'],
  ];
  it.each(cases)('%j, list complete %s: %s', (peers, complete, expected) => {
    expect(roomEvidenceOf(peers, complete)).toBe(expected);
  });
});
