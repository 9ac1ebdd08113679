// Strong group keys and invite links that carry them.
//
// The key travels in the URL fragment (`#k=...`): browsers never send the fragment to a server, so
// the page host, proxies and the signaling server never see it (the page's own scripts and the
// browser history do).
import { base64url, randomBytes } from './bytes';
import { groupKeyBytes } from './group-key';

const GROUP_KEY_RANDOM_BYTES = 32;
const FRAGMENT_PARAM = 'k';

/** A new random group key: 32 bytes from the platform CSPRNG, as 43 characters of base64url. */
export function mintGroupKey(): string {
  return base64url(randomBytes(GROUP_KEY_RANDOM_BYTES));
}

/**
 * `base` with its fragment replaced by `#k=<key>`; path and query are kept.
 * Throws WeakGroupKeyError for a key below the minimum strength and TypeError for a bad URL.
 */
export function formatInviteLink(base: string | URL, key: string): string {
  if (typeof key !== 'string') throw new TypeError('an invite link carries a string key (see mintGroupKey)');
  groupKeyBytes(key);
  const url = new URL(base);
  url.hash = new URLSearchParams({ [FRAGMENT_PARAM]: key }).toString();
  return url.toString();
}

/**
 * The key in an invite link's fragment, or null when there is none. Accepts a full URL (string or
 * URL, e.g. `location.href`) or just a fragment (`location.hash`). Does not judge the key's strength:
 * deriveRoomAndAuthKey does.
 */
export function parseInviteLink(link: string | URL): string | null {
  let fragment: string;
  if (link instanceof URL) fragment = link.hash;
  else if (typeof link !== 'string') return null;
  else if (link.startsWith('#')) fragment = link;
  else {
    try {
      fragment = new URL(link).hash;
    } catch {
      return null;
    }
  }
  const key = new URLSearchParams(fragment.replace(/^#/, '')).get(FRAGMENT_PARAM);
  return key === null || key.length === 0 ? null : key;
}
