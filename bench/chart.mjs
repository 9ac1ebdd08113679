#!/usr/bin/env node
// Draws the benchmark results as small SVG bar charts next to their JSON (bench/results/*.svg).
// Run after any bench:* command: `node bench/chart.mjs`. No dependencies: a chart is a few rects.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const dir = new URL('./results/', import.meta.url);

/** One horizontal bar chart: rows of { label, value }. */
function barChart(title, unit, rows) {
  const width = 640;
  const rowHeight = 26;
  const left = 190;
  const top = 40;
  const max = Math.max(...rows.map((r) => r.value), 1);
  const height = top + rows.length * rowHeight + 20;
  const bars = rows
    .map((row, i) => {
      const y = top + i * rowHeight;
      const w = Math.max(1, Math.round(((width - left - 110) * row.value) / max));
      return [
        `<text x="${left - 8}" y="${y + 16}" text-anchor="end">${escape(row.label)}</text>`,
        `<rect x="${left}" y="${y + 3}" width="${w}" height="${rowHeight - 8}" fill="#6366f1" rx="3"/>`,
        `<text x="${left + w + 6}" y="${y + 16}">${format(row.value)} ${escape(unit)}</text>`,
      ].join('');
    })
    .join('\n  ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
  <rect width="100%" height="100%" fill="white"/>
  <text x="12" y="24" font-size="15" font-weight="bold">${escape(title)}</text>
  ${bars}
</svg>
`;
}

function format(value) {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : String(Math.round(value * 100) / 100);
}

function escape(text) {
  return String(text).replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]);
}

function read(name) {
  const url = new URL(name, dir);
  return existsSync(url) ? JSON.parse(readFileSync(url, 'utf8')) : null;
}

const charts = [];
const core = read('core.json');
if (core) {
  const rows = core.results.map((r) => ({ label: `${r.clients} clients, ${r.batching ? 'batched' : 'unbatched'}`, value: r.commandsPerSec }));
  charts.push(['core.svg', barChart('Engine throughput, 3 in-process peers', 'cmd/s', rows)]);
}
const catchup = read('catchup.json');
if (catchup) {
  const rows = catchup.results.map((r) => ({ label: `${r.sourcePeers} source peer${r.sourcePeers > 1 ? 's' : ''}`, value: r.entriesPerSec }));
  charts.push(['catchup.svg', barChart(`Catch-up of ${catchup.results[0]?.entries ?? ''} entries (simulated links)`, 'entries/s', rows)]);
}
const browser = read('browser.json');
if (browser) {
  const rows = [
    { label: 'data-channel RTT p50', value: browser.baseline?.rttMs?.p50 ?? 0 },
    { label: 'IndexedDB tx p50', value: browser.baseline?.idbTxMs?.p50 ?? 0 },
    { label: 'floor (RTT + tx)', value: browser.baseline?.floorMs ?? 0 },
    { label: 'commit latency p50', value: browser.commitLatencyMs?.p50 ?? 0 },
    { label: 'commit latency p99', value: browser.commitLatencyMs?.p99 ?? 0 },
    { label: 'visible in 3 tabs p50', value: browser.visibleMs?.p50 ?? 0 },
    { label: 'Yjs visible p50', value: browser.yjsVisibleMs?.p50 ?? 0 },
    { label: 'visible in 3 tabs p99', value: browser.visibleMs?.p99 ?? 0 },
    { label: 'Yjs visible p99', value: browser.yjsVisibleMs?.p99 ?? 0 },
  ];
  charts.push(['browser-latency.svg', barChart('Browser: commit and visibility latency vs. the floor and Yjs', 'ms', rows)]);
  const t = browser.throughput;
  if (t?.execute) {
    charts.push(['browser-throughput.svg', barChart('Browser: 100 B commands, 3 tabs', 'cmd/s', [
      { label: `execute, ${t.execute.inFlight} in flight`, value: t.execute.perSec },
      { label: `executeMany, batches of ${t.executeMany?.batch}`, value: t.executeMany?.perSec ?? 0 },
    ])]);
  }
  const catchRows = (browser.catchUp ?? []).filter((r) => r.entriesPerSec).map((r) => ({ label: `${r.sourcePeers} source tab${r.sourcePeers > 1 ? 's' : ''}`, value: r.entriesPerSec }));
  if (catchRows.length > 0) charts.push(['browser-catchup.svg', barChart('Browser: catch-up speed by source tabs', 'entries/s', catchRows)]);
  const timeRows = [
    browser.join?.maxFreshTabOnlineMs !== undefined && { label: '3 fresh tabs online (max)', value: browser.join.maxFreshTabOnlineMs },
    browser.join?.joiningTabOnlineMs !== undefined && { label: 'tab joining a group', value: browser.join.joiningTabOnlineMs },
    ...(browser.failover ?? []).filter((f) => typeof f.resumedAfterMs?.median === 'number').map((f) => ({ label: `writes resume, leader ${f.how} (median)`, value: f.resumedAfterMs.median })),
    ...(browser.failover ?? []).filter((f) => typeof f.resumedAfterPagehideMs?.median === 'number').map((f) => ({ label: `writes resume after pagehide, leader ${f.how} (median)`, value: f.resumedAfterPagehideMs.median })),
    typeof browser.restoreAfterCrash?.firstWriteAfterRestoreMs?.median === 'number' && { label: 'first write after every tab crashed and was restored (median)', value: browser.restoreAfterCrash.firstWriteAfterRestoreMs.median },
    ...(browser.reopenAfterCloseAll ?? []).filter((r) => typeof r.firstWriteAfterReopenMs?.median === 'number').map((r) => ({ label: `first write after every tab closed and ${r.tabs} reopened (median)`, value: r.firstWriteAfterReopenMs.median })),
    browser.snapshotInstall?.seconds !== undefined && { label: '10 MB snapshot install', value: browser.snapshotInstall.seconds * 1000 },
  ].filter(Boolean);
  if (timeRows.length > 0) charts.push(['browser-lifecycle.svg', barChart('Browser: joining, failing over, restoring, installing', 'ms', timeRows)]);
}

for (const [name, svg] of charts) {
  writeFileSync(new URL(name, dir), svg);
  console.log(`wrote bench/results/${name}`);
}
