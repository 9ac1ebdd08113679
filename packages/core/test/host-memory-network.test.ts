// InMemoryNetwork: FIFO async delivery through the codec, partitions, blocks, filter, peer up/down.
import { describe, expect, it } from 'vitest';
import { InMemoryNetwork, type NetworkEndpoint } from '../src/host/memory-network';
import type { Message } from '../src/messages';
import type { PeerId } from '../src/types';
import { ManualClock } from './support-cluster/manual-clock';

class Recorder implements NetworkEndpoint {
  readonly events: string[] = [];
  readonly messages: Array<{ from: PeerId; message: Message }> = [];
  receive(from: PeerId, message: Message): void {
    this.messages.push({ from, message });
  }
  peerUp(id: PeerId): void {
    this.events.push(`up ${id}`);
  }
  peerDown(id: PeerId): void {
    this.events.push(`down ${id}`);
  }
}

const hb = (round: number): Message => ({ type: 'Heartbeat', term: 1, commit: 0, round });

function rig(serialize = true) {
  const clock = new ManualClock();
  const network = new InMemoryNetwork({ clock, serialize });
  const peers = { a: new Recorder(), b: new Recorder(), c: new Recorder() };
  const links = { a: network.attach('a', peers.a), b: network.attach('b', peers.b), c: network.attach('c', peers.c) };
  return { clock, network, peers, links };
}

describe('InMemoryNetwork', () => {
  it('delivers asynchronously, in order, as decoded copies', () => {
    const { clock, peers, links, network } = rig();
    const sent = [hb(1), hb(2), hb(3)];
    for (const m of sent) links.a.send('b', m);
    expect(peers.b.messages).toHaveLength(0);
    clock.runDue();
    expect(peers.b.messages.map((m) => m.message)).toEqual(sent);
    expect(peers.b.messages[0].message).not.toBe(sent[0]);
    expect(peers.b.messages.every((m) => m.from === 'a')).toBe(true);
    expect(network.stats).toMatchObject({ sent: 3, delivered: 3, dropped: 0 });
  });

  it('tells peers who joined, and who left', () => {
    const { network, peers } = rig();
    expect(peers.a.events).toEqual(['up b', 'up c']);
    expect(peers.c.events).toEqual(['up a', 'up b']);
    network.detach('b');
    expect(peers.a.events.at(-1)).toBe('down b');
    expect(peers.c.events.at(-1)).toBe('down b');
  });

  it('partitions drop messages across sides, including those in flight, until healed', () => {
    const { clock, network, peers, links } = rig();
    links.a.send('c', hb(1));
    network.partition(['a', 'b'], ['c']);
    expect(peers.a.events.at(-1)).toBe('down c');
    expect(peers.c.events.slice(-2)).toEqual(['down a', 'down b']);
    links.a.send('c', hb(2));
    links.a.send('b', hb(3));
    clock.runDue();
    expect(peers.c.messages).toHaveLength(0);
    expect(peers.b.messages).toHaveLength(1);
    expect(network.stats.dropped).toBe(2);
    network.heal();
    expect(peers.c.events.slice(-2)).toEqual(['up a', 'up b']);
    links.a.send('c', hb(4));
    clock.runDue();
    expect(peers.c.messages.map((m) => (m.message as { round: number }).round)).toEqual([4]);
  });

  it('blocks one direction only, and the filter drops chosen messages', () => {
    const { clock, network, peers, links } = rig(false);
    network.block('a', 'b');
    links.a.send('b', hb(1));
    links.b.send('a', hb(2));
    network.setFilter((from, _to, m) => !(from === 'c' && m.type === 'Heartbeat' && m.round === 5));
    links.c.send('a', hb(5));
    links.c.send('a', hb(6));
    clock.runDue();
    expect(peers.b.messages).toHaveLength(0);
    expect(peers.a.messages.map((m) => (m.message as { round: number }).round)).toEqual([2, 6]);
  });

  it('a restarted peer does not receive what was sent to its previous incarnation', () => {
    const { clock, network, links } = rig();
    links.a.send('b', hb(1));
    network.detach('b');
    const fresh = new Recorder();
    network.attach('b', fresh);
    clock.runDue();
    expect(fresh.messages).toHaveLength(0);
    // What is sent to the new incarnation does arrive.
    links.a.send('b', hb(2));
    clock.runDue();
    expect(fresh.messages.map((m) => (m.message as { round: number }).round)).toEqual([2]);
  });
});
