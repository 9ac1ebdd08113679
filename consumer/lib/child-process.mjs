// The servers the checks start as child processes (the packed signaling bin, the Vite dev server):
// each prints the URL it listens on once ready, and is stopped the way an operator stops it.

/**
 * Resolves with the first capture group of `pattern` once the child's stdout matches it; rejects if
 * the child exits first or takes over 30 s (the error carries what it printed on both streams).
 */
export function printedUrl(child, pattern, what) {
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within 30 s:\n${output}`)), 30_000);
    const onData = (chunk) => {
      output += chunk;
      const match = output.match(pattern);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => (output += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited ${code}:\n${output}`));
    });
  });
}

/** Stops `child` with SIGTERM and resolves once it exited (at once if it already had). */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
