// Seeds that held-out simulator runs once failed on, replayed on every run: each one caught a real
// engine bug (or a flaw in the simulator's model) that the fixed CI ranges had not. A failure here
// prints the replay command; the comment says what the seed found. A later change of the engine or
// of the model can send a seed down another path (the lazily stored commit index and per-cut link
// events changed every tabs trace); the seed then no longer guards what it found, and only a test of
// its own does (each of the last six below has one: an engine, start-up rule, monitor or
// simulator command-line test).
import { describe, expect, it } from 'vitest';
import { formatFailure, runSimulation } from '../src/index';

const FOUND: Array<{ scenario: string; seed: number; found: string }> = [
  { scenario: 'churn', seed: 8606477, found: 'catch-up joined a deposed leader’s buffered entries onto a later-term snapshot (safety)' },
  { scenario: 'vote-crash', seed: 30011339, found: 'a restarted follower took a read answer meant for its previous incarnation (stale read)' },
  { scenario: 'churn', seed: 40007164, found: 'a learner held the freshest log and never stood for election' },
  { scenario: 'churn', seed: 50008985, found: 'a peer that crashed while leaving came back as a voter (simulator model)' },
  { scenario: 'churn', seed: 60007907, found: 'a re-added peer replayed its old removal and declared itself removed' },
  { scenario: 'churn', seed: 70072433, found: 'auto-removal shrank three voters to two, then the other one died' },
  { scenario: 'churn', seed: 80043430, found: 'auto-removal shrank three voters to two, then the other one died' },
  { scenario: 'basic', seed: 566874163, found: 'an observer learner’s copy of an entry committed later was overwritten by a stale leader of a lower term (legal Raft; the simulator reported it as a lost committed entry)' },
  { scenario: 'churn', seed: 110010466, found: 'a rejoining peer counted itself removed just as the leader added it back, then was promoted' },
  { scenario: 'tabs', seed: 758657451, found: 'catch-up stalled a request timeout when its only source compacted mid-fetch' },
  { scenario: 'tabs', seed: 758657057, found: 'a candidate’s notice of a later term made followers forget the departed leader’s successor ranking' },
  { scenario: 'tabs', seed: 100002110, found: 'a departed candidate’s term cancelled the successor turns of peers that had not voted for it' },
  { scenario: 'tabs', seed: 110003096, found: 'a successor took its turn while the candidate ranked before it was still campaigning (split vote)' },
  { scenario: 'tabs', seed: 120005150, found: 'the slot-leak check expected a profile whose last tabs closed at once to have cleaned up with nothing running (simulator model)' },
  { scenario: 'tabs', seed: 130007222, found: 'a tab whose join was answered busy just before the last voters closed was left frozen with the whole log' },
  { scenario: 'tabs', seed: 130007238, found: 'the slot-leak check expected a profile with no online tab to have cleaned up (simulator model)' },
  { scenario: 'tabs', seed: 140001343, found: 'a crashed tab whose join was granted after it crashed had its database deleted, and no tab could re-found the group after every tab closed' },
  { scenario: 'tabs', seed: 100004118, found: 'a learner fetching an old log did not fetch toward the departed leader it succeeds' },
  { scenario: 'tabs', seed: 955500765, found: 'the last live voter refused a departing leader’s final appends that came after its handoff target’s vote request, and could never cover the departed voters’ claims' },
  { scenario: 'tabs', seed: 1044400939, found: 'the availability check expected a commit after a tab closed that never became a member, with the clients done: nothing to commit (simulator model)' },
  { scenario: 'tabs', seed: 1357913617, found: 'the reopen check expected the home profile to go on while a tab of another device had closed with the home tabs, its notice never reaching home (simulator model)' },
  { scenario: 'tabs', seed: 3100002529, found: 'one lost snapshot piece held up the successor of a departed leader for a whole catch-up request timeout, so its reopened tab was not online in time' },
  { scenario: 'tabs', seed: 4000011840, found: 'a leaderless catch-up toward a departed candidate’s claim went on after the departed leader’s notice capped that claim to what the last voter held, and kept it from campaigning' },
  { scenario: 'tabs', seed: 3600018646, found: 'two leaders in one term: of two voters left, one that had not logged the promotion of the third won alone and left; the third counted it out of the same term and won it too (safety)' },
  { scenario: 'tabs', seed: 3100008846, found: 'a delayed copy of the departed leader’s append sent a pre-candidate back to follower; the last two voters then split their vote' },
  { scenario: 'tabs-reload', seed: 827, found: 'the reopen after every tab closed waited for a member that departed while cut off, its notice known only on its own profile: a starting tab did not get its profile’s tombstones as the runtime gives them (simulator model)' },
  { scenario: 'tabs-reload', seed: 2100000812, found: 'a re-founding tab elected alone crashed before its term was written; the monitor counted that leader in memory only against the next one of the same term (simulator model)' },
  { scenario: 'tabs-reload', seed: 2200002832, found: 'a successor whose log still held an older configuration found that configuration’s voters departed and covered, and re-founded short of the entries the leader that named it had committed (safety)' },
  { scenario: 'tabs', seed: 1759690, found: 'the two voters left after three tabs closed at once were pre-candidates together, granted each other and split the vote two terms in a row' },
  { scenario: 'tabs', seed: 2100005221, found: 'a leader elected and closed before it heard of any departure named only peers already gone; no successor was left to re-found the group' },
  { scenario: 'tabs', seed: 2200002471, found: 'a departed leader’s last append that moved the commit index sent a pre-candidate back to follower; the last two voters then split their vote' },
  { scenario: 'tabs-reload', seed: 504772757, found: 'every tab closed and one reopened; it waited for a voter whose departure notice a partition had dropped on its way (simulator model: a cut link now comes back with peerUp, on which the engine passes its notices on)' },
  { scenario: 'tabs', seed: 2200022034, found: 'a tab that joined a moment before the last voters closed lacked the leader’s last entry; frozen, it waited for another tab to take the leader’s slot over instead of taking it over itself' },
  { scenario: 'tabs-reload', seed: 3310000816, found: 'a tab that reloaded a moment after it joined departed with a notice that reached nobody; the tab that took its slot over learnt the configuration naming it from the log later and never replayed its tombstone, so a leader named it a successor, and the reopen after every tab closed on another device waited for it' },
  { scenario: 'tabs-reload', seed: 3000000732, found: 'healing the faults restarted a crashed tab in place after its slot had been deleted (unnamed by the configuration past the grace); it froze there and the frozen check found no slot to re-found on: the simulator threw (simulator model: such an identity is retired, no tab can adopt it)' },
  { scenario: 'tabs-reload', seed: 3310000163, found: 'the departed leader’s last configuration (a learner promoted) reached only the successor it named, which waited for the promoted peer; that peer, a learner in its own log and frozen, waited for the successor' },
  { scenario: 'tabs-chaos-two', seed: 125, found: 'a frozen tab on one device re-founded the group and wrote to it, then reloaded while the server was down; a tab reopened on the other device, which knew of the voters’ departures from its own tabs, re-founded too in the same term (a fork)' },
  { scenario: 'tabs-chaos-two', seed: 155, found: 'the leader of a group re-founded on one device crashed; a tab on the other device that had joined a moment before, knowing of the old voters’ departures only from notices, reloaded and re-founded on its older log (committed writes lost)' },
  { scenario: 'tabs-chaos-two', seed: 219, found: 'two devices each re-founded the group on a log of a tab that was no voter, one while the other’s only tab reloaded (a fork)' },
  { scenario: 'tabs-chaos-two', seed: 3800000381, found: 'two logs diverged after their last common configuration, one ending in the removal of the departed voter of the other device; each device, judging its latest configuration, held its last departure and re-founded (a fork: two leaders in one term)' },
  { scenario: 'tabs-chaos-two', seed: 3200000521, found: 'a frozen tab re-founded the group, and its new engine was never given the profile’s tombstones (the simulator skipped the replay the runtime does there); it named a long-departed learner a successor, and the reopen after every tab closed waited for that peer for good (simulator model)' },
  { scenario: 'tabs-chaos-two', seed: 600000915, found: 'a tab on one device departed while still joining (its slot’s log ended before the group added it), with no tab of the other device running; a leader there named it a successor, and once every tab closed the reopened tabs waited for it for good: its own profile’s later tabs, beside them, never passed its notice on (their configuration did not name it)' },
  { scenario: 'tabs-chaos-three', seed: 2900000330, found: 'two devices held the same log, one with an older commit index stored: it still weighed a voter the leader had removed, which the last voter to depart never heard had departed, and its tie-break named that voter while the other device held the last departure by its list; both re-founded (fork)' },
  { scenario: 'tabs-chaos-three', seed: 3100000346, found: 'the linearizability checker gave up on a key with 14 writes of unknown outcome among 355 operations (2 million steps); the history is linearizable, found in 2.8 million (simulator checker budget)' },
  { scenario: 'tabs-chaos-two', seed: 565, found: 'a group re-founded on one device went on after the other device’s tabs closed; a reopened tab there re-founded on a joiner’s log it had taken over (a fork)' },
  { scenario: 'tabs', seed: 72371606, found: 'the named successor, a learner that had joined from a snapshot, covered the departed lone voter’s claim with a log tail, which aborted its catch-up session toward that claim: its commit index stayed at the snapshot, so it still judged the voters of a configuration past it, one of which departed before it joined and whose notice it never got; it never re-founded, and the reloaded tab never came online (found by CI’s seed range)' },
  { scenario: 'tabs-chaos-all', seed: 1448, found: 'a lone voter’s tab closed with a batch carrying its commit index being written, its Worker stopping first; closing then crashed it, which landed that batch anyway and counted its commit index (past the notice, seen by nobody) as committed, so the successor’s no-op there broke leader completeness (simulator model)' },
  { scenario: 'tabs', seed: 608252617, found: 'a frozen tab read a departed successor’s slot whole, with the configuration of itself alone and the commit index its Worker stored after the notice (its election timer had fired), re-founded on it, and its departure made a successor on another device re-found too (a fork; found by CI’s seed range)' },
  { scenario: 'tabs-chaos-all', seed: 112, found: 'a leader elected a moment before its page closed sent the notice of its previous term, claiming an entry the leader before it never committed; its Worker committed that entry alone, a successor (the claim capped) wrote another there, and the slot’s next identity, its commit index lowered only to the notice’s final position, applied the departed one’s (safety)' },
  { scenario: 'tabs-slow-disk', seed: 915000779, found: 'the same shape as tabs-chaos-all 112, on slow disks (safety)' },
  { scenario: 'tabs-slow-disk', seed: 916000085, found: 'a named successor re-founded the group and committed entries, every tab crashed, and it closed as an adopted follower (its notice naming no list); the next successor on the departed leader’s list re-founded short of those entries (safety)' },
  { scenario: 'tabs-slow-disk', seed: 940000107, found: 'the first successor on a departed leader’s list re-founded the group, named nobody and closed; the second, on the other device, re-founded by the older list, and a tab taking the first one’s slot over re-founded the same configuration on its device (two leaders in one term; safety)' },
  { scenario: 'tabs', seed: 633254424, found: 'a leader alone in its configuration committed its own entry in a Ready that also stored a compaction snapshot; its page applied that entry before the write, but the plan waited for the write, so its closing page raised its notice past its last appends and the successors froze one entry short (found by CI’s seed range)' },
];

describe('seeds found by held-out runs', () => {
  for (const { scenario, seed, found } of FOUND) {
    it(`${scenario} ${seed} replays clean (it once found: ${found})`, () => {
      const result = runSimulation({ seed, scenario });
      expect(result.ok, result.ok ? '' : formatFailure(result)).toBe(true);
    });
  }
});
