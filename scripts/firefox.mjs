// Finds a Firefox binary for the consumer test (consumer/), installing Debian's firefox-esr package
// when missing and allowed (mirrors chromium.mjs). puppeteer-core drives it over WebDriver BiDi.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'];

export function firefoxPath() {
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  return '/usr/bin/firefox-esr';
}

/** Returns a path to Firefox, running apt-get when none is found and we are root. */
export function ensureFirefox() {
  const found = candidates.find((c) => c && existsSync(c));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error("Firefox not found. Install Debian's firefox-esr package or set FIREFOX_PATH.");
  }
  console.log('[meshraft] installing Debian firefox-esr (apt-get)...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr', { stdio: 'inherit' });
  return firefoxPath();
}
