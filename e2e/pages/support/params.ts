// Query parameters of a test page (set by specs through e2e/support pageUrl()).
export const DEFAULT_SIGNALING_URL = 'http://127.0.0.1:8788';

export function queryParam(name: string): string | null {
  return new URLSearchParams(location.search).get(name);
}

/** The signaling server to use: `?signaling=` (or its short alias `?signal=`), else the e2e default. */
export function signalingUrl(): string {
  return queryParam('signaling') ?? queryParam('signal') ?? DEFAULT_SIGNALING_URL;
}
