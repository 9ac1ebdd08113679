// Waiting for a child process to say it is ready: the packed signaling bin and the Vite dev server
// both print the URL they listen on.

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
