// A HeartbeatResponse to a heartbeat of an EARLIER term is stamped with the
// follower's current term and echoes the old round number. When the old heartbeat's sender leads
// again in that current term, its fresh LeaderState (round counter restarted at 0) takes the old
// round as an acknowledgement of its own round of that number, and confirms ReadIndex rounds nobody
// acknowledged: a deposed leader answers a linearizable read without a write a newer leader
// committed and acknowledged before the read began.
import { describe, expect, it } from 'vitest';
import { elected } from './support/engine-harness';

/**
 * Leader x reaches a high heartbeat round; its heartbeat to f of that round is held back; leadership
 * goes to c and back to x (a new leadership, rounds from 0 again); `answer` then delivers what f
 * says about the old round; x hands over to c, which commits w with f; a read on x must not miss w.
 */
function staleRoundScenario(answer: (h: ReturnType<typeof elected>, stale: ReturnType<ReturnType<typeof elected>['dropWhere']>[number], x: string, f: string, leadTerm: number) => void) {
    const h = elected(['a', 'b', 'c'], { config: { forwardTimeoutMs: 5000 }, seed: 1, settleMs: 3000 });
    const x = h.leader();
    const [f, c] = h.followers();
    const term0 = h.node(x).term;

    // 1. The leader sends a heartbeat (a high round: it led for 3 s); the copy to f is delayed.
    h.now += 100;
    for (const [id, node] of h.nodes) {
      node.tick(h.now);
      h.drain(id);
    }
    const stale = h.dropWhere((m) => m.from === x && m.to === f && m.message.type === 'Heartbeat');
    expect(stale).toHaveLength(1);
    const staleRound = (stale[0].message as { round: number }).round;
    expect(staleRound).toBeGreaterThan(10);
    h.deliverAll();

    // 2. Leadership moves to c (transfer) and back to x: x leads term0 + 2 with a fresh round counter.
    expect(h.node(x).transferLeadership(c, h.now)).toBeNull();
    h.deliverAll();
    h.runUntil(() => h.leaders().length === 1 && h.leader() === c && h.node(x).status().leader === c, 2000);
    expect(h.node(c).transferLeadership(x, h.now)).toBeNull();
    h.deliverAll();
    h.runUntil(() => h.leaders().length === 1 && h.leader() === x && h.node(f).status().leader === x, 2000);
    const leadTerm = h.node(x).term;
    expect(leadTerm).toBe(term0 + 2);
    h.advance(50);

    // 3. What f says about the old round reaches x.
    answer(h, stale[0], x, f, leadTerm);

    // 4. x hands leadership to c; c wins term0 + 3 with f's vote and commits a write, acknowledged.
    //    The messages of the new term to x are delayed (x still thinks it leads, transfer pending).
    expect(h.node(x).transferLeadership(c, h.now)).toBeNull();
    h.drain(x);
    h.deliverOne((m) => m.from === x && m.to === c && m.message.type === 'TimeoutNow');
    h.isolate(x);
    h.deliverAll();
    expect(h.node(c).status().role).toBe("leader");
    expect(h.node(c).term).toBe(leadTerm + 1);
    h.propose(c, 900, ['w']);
    h.deliverAll();
    const ack = h.proposals.get(c)!.find((p) => p.requestId === 900)!;
    expect(ack).toMatchObject({ ok: true });
    const wIndex = (ack as { start: number }).start;
    h.advance(20);
    expect(h.node(c).status().committed).toBeGreaterThanOrEqual(wIndex); // committed with f: acknowledged to the client
    expect(h.appliedCommands(c)).toContain('w');
    expect(h.appliedCommands(x)).not.toContain('w');

    // 5. A linearizable read on x, which began after w was acknowledged.
    expect(h.node(x).status().role).toBe('leader');
    h.read(x, 901);
    h.deliverAll();
    const read = h.reads.get(x)!.find((r) => r.requestId === 901);
    // Linearizable: either no answer from x (it was deposed) or an index that covers w.
    // Before the fix x answered { ok: true, index: 4 } while w sat at 6: a stale read.
    if (read && read.ok) expect(read.index).toBeGreaterThanOrEqual(wIndex);
}

describe('read index rounds across terms', () => {
  it("a stale heartbeat answered in a later term does not confirm that term's reads", () => {
    staleRoundScenario((h, stale, x, f) => {
      // The delayed heartbeat of term0 reaches f now: f answers in its current term, with round 0
      // (it tells x its term, and acknowledges no round).
      h.network.push(stale);
      expect(h.deliverOne((m) => m === stale)).toBe(true);
      h.drain(f);
      const answers = h.dropWhere((m) => m.from === f && m.to === x && m.message.type === 'HeartbeatResponse');
      expect(answers).toHaveLength(1);
      expect(answers[0].message).toMatchObject({ type: 'HeartbeatResponse', round: 0 });
      h.network.push(...answers);
      h.deliverAll();
    });
  });

  it('an answer naming a round this leadership never sent acknowledges none of its rounds (a peer of an older version echoes the stale round)', () => {
    staleRoundScenario((h, stale, x, f, leadTerm) => {
      const round = (stale.message as { round: number }).round;
      h.network.push({ ...stale, from: f, to: x, message: { type: 'HeartbeatResponse', term: leadTerm, round, lastIndex: h.node(f).status().lastIndex } });
      h.deliverAll();
    });
  });
});
