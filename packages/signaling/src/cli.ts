// `meshraft-signal` command line: parses flags, starts the server, stops it on SIGINT/SIGTERM.

import { InvalidSignalingOptionError, type SignalingLogger, type SignalingOptions } from './options';
import { startSignalingServer } from './server';

const USAGE = `usage: meshraft-signal [options]
  --port <n>                    TCP port (default $PORT or 8787; 0 = ephemeral)
  --host <addr>                 bind address (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --max-payload-bytes <n>       largest event payload (default 65536)
  --max-messages-per-second <n> per-socket rate (default 50)
  --max-peers-per-room <n>      room cap (default 32)
  --ghost-timeout-ms <n>        evict sockets silent for this long (default 30000)
  --redis-url <url>             use the socket.io Redis adapter (default $REDIS_URL)
  --cors-origin <origin>        socket.io CORS origin (default *)
  --quiet                       log only the listening line
  --help`;

const NUMERIC_FLAGS = {
  '--port': 'port',
  '--max-payload-bytes': 'maxPayloadBytes',
  '--max-messages-per-second': 'maxMessagesPerSecond',
  '--max-peers-per-room': 'maxPeersPerRoom',
  '--ghost-timeout-ms': 'ghostTimeoutMs',
} as const satisfies Record<string, keyof SignalingOptions>;

const STRING_FLAGS = {
  '--host': 'host',
  '--redis-url': 'redisUrl',
  '--cors-origin': 'corsOrigin',
} as const satisfies Record<string, keyof SignalingOptions>;

export type CliParse = { kind: 'run'; options: SignalingOptions; quiet: boolean } | { kind: 'help' } | { kind: 'error'; message: string };

export function parseCliArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliParse {
  const options: SignalingOptions = {};
  let quiet = false;
  if (env.PORT) options.port = Number(env.PORT);
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2) as [string, string | undefined];
    if (flag === '--help' || flag === '-h') return { kind: 'help' };
    if (flag === '--quiet') {
      quiet = true;
      continue;
    }
    const takeValue = (): string | undefined => inline ?? argv[++i];
    if (flag in NUMERIC_FLAGS) {
      const raw = takeValue();
      const value = Number(raw);
      if (raw === undefined || raw.trim() === '' || !Number.isFinite(value)) {
        return { kind: 'error', message: `${flag} needs a number` };
      }
      options[NUMERIC_FLAGS[flag as keyof typeof NUMERIC_FLAGS]] = value;
    } else if (flag in STRING_FLAGS) {
      const raw = takeValue();
      if (raw === undefined || raw === '') return { kind: 'error', message: `${flag} needs a value` };
      options[STRING_FLAGS[flag as keyof typeof STRING_FLAGS]] = raw;
    } else {
      return { kind: 'error', message: `unknown option ${argv[i]}` };
    }
  }
  return { kind: 'run', options, quiet };
}

function consoleLogger(quiet: boolean): SignalingLogger {
  const line = (level: string, message: string, details?: Record<string, unknown>) =>
    `[meshraft-signal] ${level} ${message}${details ? ' ' + JSON.stringify(details) : ''}`;
  return {
    info: (message, details) => {
      if (!quiet) console.log(line('info', message, details));
    },
    warn: (message, details) => console.error(line('warn', message, details)),
  };
}

/** Runs until SIGINT/SIGTERM; resolves with the process exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    console.error(`meshraft-signal: ${parsed.message}\n${USAGE}`);
    return 2;
  }
  let server;
  try {
    server = await startSignalingServer({ ...parsed.options, logger: consoleLogger(parsed.quiet) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`meshraft-signal: ${message}`);
    return error instanceof InvalidSignalingOptionError ? 2 : 1;
  }
  // Stable, machine-readable line: scripts and tests read the URL from it.
  console.log(`meshraft-signal listening on ${server.url}`);
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await running.close();
  return 0;
}
