// Finds a Chromium binary for Playwright, installing Debian's package when missing and allowed.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumPath() {
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  return '/usr/bin/chromium';
}

/** Returns a path to Chromium, running apt-get when none is found and we are root. */
export function ensureChromium() {
  const found = candidates.find((c) => c && existsSync(c));
  if (found) return found;
  if (process.getuid?.() !== 0) {
    throw new Error('Chromium not found. Install Debian\'s chromium package or set CHROMIUM_PATH.');
  }
  console.log('[meshraft] installing Debian chromium (apt-get)...');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', { stdio: 'inherit' });
  return chromiumPath();
}
