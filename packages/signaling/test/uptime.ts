// Uptime assertions compare a server's uptimeMs (Redis TIME or performance.now in the server) with
// the test's own clock readings taken around an event; rounding to whole ms on both sides needs a
// little slack. This bounds what a fresh epoch may report, it does not time the machine.
export const CLOCK_SLACK_MS = 5;
