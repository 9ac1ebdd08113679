// Lines up, commit by commit, the tasks of a Chrome trace of 3 bench tabs (bench/trace.mjs): when
// the propose reached the leader's Worker, when the leader's main thread relayed the append, when
// each follower's main thread and Worker got it, when the follower's IndexedDB transaction
// completed, when its acknowledgement got back to the leader, and when the result was applied.
// Between tabs of one browser a frame may take the same-browser channel instead of the data channel:
// the main thread still relays it out, but it lands straight in the receiver's Worker (its inbox
// handler, `channel.onmessage`); the trace says which path the run took (`path`).
// Landmarks are top-level tasks found by the handler they ran (FunctionCall names survive the
// unminified bench build) and the user-timing marks the bench page sets.

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  return sorted.length === 0 ? null : Math.round(sorted[Math.floor(sorted.length / 2)] * 1000) / 1000;
};

export function analyzeTrace(trace, { commits }) {
  const events = trace.traceEvents ?? trace;
  const threadName = new Map();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, e.args.name);
  const kind = (e) => {
    const name = threadName.get(`${e.pid}:${e.tid}`) ?? '';
    return name.startsWith('CrRendererMain') ? 'main' : name.startsWith('DedicatedWorker') ? 'worker' : null;
  };
  // Top-level tasks per (pid, thread kind), labelled by the handlers and IDB events inside them.
  const tasks = [];
  const byThread = new Map();
  for (const e of events) {
    const k = kind(e);
    if (!k) continue;
    const key = `${e.pid}:${e.tid}`;
    if (!byThread.has(key)) byThread.set(key, []);
    byThread.get(key).push(e);
  }
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts);
    let current = null;
    for (const e of list) {
      if (e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask') {
        current = { pid: e.pid, thread: kind(e), start: e.ts, end: e.ts + (e.dur ?? 0), labels: new Set() };
        tasks.push(current);
        continue;
      }
      if (!current || e.ts > current.end) continue;
      if (e.name === 'FunctionCall' && e.args?.data?.functionName) current.labels.add(e.args.data.functionName);
      if (e.name === 'IDBTransaction::onComplete') current.labels.add('idb-complete');
    }
  }
  tasks.sort((a, b) => a.start - b.start);
  const marks = new Map();
  for (const e of events) if (e.cat?.includes('user_timing') && e.name.startsWith('bench-')) marks.set(`${e.name}@${e.pid}`, e.ts);
  const execPid = new Map();
  for (const e of events) if (e.name.startsWith('bench-execute-')) execPid.set(Number(e.name.slice(14)), e.pid);

  const find = (pid, thread, label, after) => tasks.find((t) => t.start >= after && (pid === null || t.pid === pid) && t.thread === thread && t.labels.has(label));
  const local = tasks.some((t) => t.thread === 'worker' && t.labels.has('channel.onmessage'));
  // Where a relayed frame lands in the receiving tab `pid`: its main thread, then its Worker (data
  // channel), or its Worker directly (same-browser channel).
  const arrive = (pid, after) => {
    if (local) {
      const workerIn = find(pid, 'worker', 'channel.onmessage', after);
      return workerIn && { mainIn: null, workerIn };
    }
    const mainIn = find(pid, 'main', '_channel.onmessage', after);
    const workerIn = mainIn && find(pid, 'worker', 'scope.onmessage', mainIn.start);
    return workerIn && { mainIn, workerIn };
  };
  const rows = [];
  for (const m of commits) {
    const leader = execPid.get(m);
    const t0 = marks.get(`bench-execute-${m}@${leader}`);
    if (t0 === undefined) continue;
    const applied = [...marks].filter(([k]) => k.startsWith(`bench-applied-${m}@`)).map(([k, ts]) => ({ pid: Number(k.split('@')[1]), ts }));
    const own = applied.find((a) => a.pid === leader);
    if (!own || applied.length < 3) continue;
    const followers = applied.filter((a) => a.pid !== leader).map((a) => a.pid);
    const proposeIn = find(leader, 'worker', 'port.onmessage', t0);
    const relayOut = proposeIn && find(leader, 'main', 'worker.onmessage', proposeIn.start);
    const perFollower = followers.map((pid) => {
      const frameIn = relayOut && arrive(pid, relayOut.start);
      const durable = frameIn && find(pid, 'worker', 'idb-complete', frameIn.workerIn.start);
      const ackOut = durable && find(pid, 'main', 'worker.onmessage', durable.start);
      return { pid, frameIn, durable, ackOut };
    }).filter((f) => f.ackOut);
    if (!relayOut || perFollower.length === 0) continue;
    const first = perFollower.sort((a, b) => a.ackOut.start - b.ackOut.start)[0];
    const ackIn = arrive(leader, first.ackOut.start);
    const applyIn = ackIn && find(leader, 'main', 'port.onmessage', ackIn.workerIn.start);
    if (!applyIn) continue;
    const ms = (a, b) => (b - a) / 1000;
    const { frameIn } = first;
    rows.push({
      m,
      'execute -> propose handled in leader Worker': ms(t0, proposeIn.start),
      'leader Worker -> append relayed by leader main thread': ms(proposeIn.start, relayOut.start),
      ...(local
        ? { 'leader main -> follower Worker (same-browser channel)': ms(relayOut.start, frameIn.workerIn.start) }
        : {
            'leader main -> follower main (data channel)': ms(relayOut.start, frameIn.mainIn.start),
            'follower main -> follower Worker': ms(frameIn.mainIn.start, frameIn.workerIn.start),
          }),
      'follower Worker: decode, append, IndexedDB tx complete': ms(frameIn.workerIn.start, first.durable.end),
      'follower durable -> ack relayed by follower main thread': ms(first.durable.end, first.ackOut.start),
      ...(local
        ? { 'follower main -> leader Worker (same-browser channel)': ms(first.ackOut.start, ackIn.workerIn.start) }
        : {
            'follower main -> leader main (data channel)': ms(first.ackOut.start, ackIn.mainIn.start),
            'leader main -> leader Worker': ms(ackIn.mainIn.start, ackIn.workerIn.start),
          }),
      'leader Worker: commit -> apply notice handled on main': ms(ackIn.workerIn.start, applyIn.start),
      'apply notice -> applied (leader)': ms(applyIn.start, own.ts),
      'execute -> applied on leader': ms(t0, own.ts),
      'execute -> applied in all 3 tabs': ms(t0, Math.max(...applied.map((a) => a.ts))),
    });
  }
  const hops = rows.length === 0 ? {} : Object.fromEntries(Object.keys(rows[0]).filter((k) => k !== 'm').map((k) => [k, median(rows.map((r) => r[k]))]));
  const total = hops['execute -> applied on leader'];
  const medianRow = rows.slice().sort((a, b) => a['execute -> applied on leader'] - b['execute -> applied on leader'])[Math.floor(rows.length / 2)];
  const timeline = [];
  if (medianRow) {
    const leader = execPid.get(medianRow.m);
    const t0 = marks.get(`bench-execute-${medianRow.m}@${leader}`);
    const end = t0 + medianRow['execute -> applied in all 3 tabs'] * 1000;
    const tab = (pid) => (pid === leader ? 'leader  ' : `follower${pid}`);
    for (const t of tasks) {
      if (t.start < t0 || t.start > end || t.labels.size === 0) continue;
      timeline.push(`${((t.start - t0) / 1000).toFixed(3).padStart(7)} ms  +${((t.end - t.start) / 1000).toFixed(3)}  ${tab(t.pid)} ${t.thread.padEnd(6)} ${[...t.labels].join(', ')}`);
    }
  }
  return { path: local ? 'same-browser channel' : 'data channel', commitsAnalyzed: rows.length, hopMediansMs: hops, leaderTotalMedianMs: total, medianCommit: { m: medianRow?.m ?? null, timeline } };
}
