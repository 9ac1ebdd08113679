// Where the demo connects and which group it joins. The group key comes from the URL hash, so a
// link shares the board: an invite link's `#k=<key>` (the format of @meshraft/webrtc's
// formatInviteLink), `#key=<key>`, or just `#<key>`; without one every tab joins the demo board.
// Group keys have at least 16 characters (the runtime refuses shorter ones: the banner says so).
export const DEFAULT_GROUP_KEY = 'meshraft-demo-board';

export function signalingUrl(): string {
  const configured = import.meta.env.VITE_SIGNALING_URL;
  if (configured) return configured;
  return `${location.protocol}//${location.hostname || '127.0.0.1'}:8787`;
}

export function groupKey(hash = location.hash): string {
  const fragment = hash.replace(/^#/, '');
  const invite = new URLSearchParams(fragment).get('k');
  if (invite !== null && invite.trim().length > 0) return invite.trim();
  const raw = decodeURIComponent(fragment).trim();
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
