// Where the demo connects and which group it joins. The group key comes from the URL hash
// (#key=... or just #...), so a link shares the board; without one every tab joins the demo board.
export const DEFAULT_GROUP_KEY = 'meshraft-demo-board';

export function signalingUrl(): string {
  const configured = import.meta.env.VITE_SIGNALING_URL;
  if (configured) return configured;
  return `${location.protocol}//${location.hostname || '127.0.0.1'}:8787`;
}

export function groupKey(hash = location.hash): string {
  const raw = decodeURIComponent(hash.replace(/^#/, '')).trim();
  const value = raw.startsWith('key=') ? raw.slice(4).trim() : raw;
  return value.length > 0 ? value : DEFAULT_GROUP_KEY;
}

/**
 * How long an edit waits for the group (e.g. while it has no quorum) before it fails and shows
 * Retry. Default 30 s; `?editTimeoutMs=` (1 s to 5 min) shortens it, e.g. to try the failure path.
 */
export function editTimeoutMs(search = location.search): number {
  const fallback = 30_000;
  const raw = new URLSearchParams(search).get('editTimeoutMs');
  const value = raw === null ? NaN : Number(raw);
  return Number.isFinite(value) ? Math.min(300_000, Math.max(1000, value)) : fallback;
}
