// `meshraft-signal` command line: parses flags, starts the server, stops it on SIGINT/SIGTERM.

import { InvalidSignalingOptionError, type SignalingLogger, type SignalingOptions } from './options';
import { startSignalingServer } from './server';

const USAGE = `usage: meshraft-signal [options]

Server
  --port <n>                      TCP port (default $PORT or 8787; 0 = ephemeral)
  --host <addr>                   bind address (default 127.0.0.1; 0.0.0.0 for all interfaces)
  --cors-origin <origin>          Access-Control-Allow-Origin of /healthz (default *)
  --quiet                         log only the listening line and warnings (default off)
  --help, -h                      print this help

Inbound limits
  --max-payload-bytes <n>         largest event payload (default 65536)
  --max-messages-per-second <n>   sustained events per socket (default 50)
  --burst-messages <n>            events a socket may send at once (default 2 x rate)
  --abuse-factor <n>              disconnect a socket above factor x rate ... (default 5)
  --abuse-window-ms <n>           ... sustained over this window (default 2000)
  --max-peers-per-room <n>        room cap (default 32)

Connections and liveness
  --max-connections <n>           open connections in total (default 2000)
  --max-connections-per-ip <n>    open connections per client address, IPv6 per /64 (default 50)
  --trust-proxy                   count clients by the last X-Forwarded-For entry, for exactly
                                  one trusted proxy hop (default off: the TCP peer address)
  --max-outbound-buffer-bytes <n> drop a socket with more queued for it (default 8 x max payload)
  --ghost-timeout-ms <n>          drop a socket that sent no 'alive', or echoed no read probe,
                                  for this long (default 30000)
  --ping-interval-ms <n>          socket.io transport ping interval (default 10000)
  --ping-timeout-ms <n>           socket.io transport ping timeout (default 5000)

Redis (several processes)
  --redis-url <url>               share rooms through Redis (default $REDIS_URL)
  --presence-timeout-ms <n>       a join waits this long for Redis, else 'unavailable' (default 5000)
  --presence-ttl-ms <n>           a stopped process's peers stay listed this long (default 15000)
  --redis-queue-max-commands <n>  commands held while Redis is unreachable; past it they fail
                                  at once (default 10000)`;

const NUMERIC_FLAGS = {
  '--port': 'port',
  '--max-payload-bytes': 'maxPayloadBytes',
  '--max-messages-per-second': 'maxMessagesPerSecond',
  '--burst-messages': 'burstMessages',
  '--abuse-factor': 'abuseFactor',
  '--abuse-window-ms': 'abuseWindowMs',
  '--max-peers-per-room': 'maxPeersPerRoom',
  '--max-connections': 'maxConnections',
  '--max-connections-per-ip': 'maxConnectionsPerIp',
  '--max-outbound-buffer-bytes': 'maxOutboundBufferBytes',
  '--ghost-timeout-ms': 'ghostTimeoutMs',
  '--ping-interval-ms': 'pingIntervalMs',
  '--ping-timeout-ms': 'pingTimeoutMs',
  '--presence-timeout-ms': 'presenceTimeoutMs',
  '--presence-ttl-ms': 'presenceTtlMs',
  '--redis-queue-max-commands': 'redisQueueMaxCommands',
} as const satisfies Record<string, keyof SignalingOptions>;

const STRING_FLAGS = {
  '--host': 'host',
  '--redis-url': 'redisUrl',
  '--cors-origin': 'corsOrigin',
} as const satisfies Record<string, keyof SignalingOptions>;

/** The --help text; every flag the parser accepts appears in it. */
export const CLI_USAGE = USAGE;
export const CLI_FLAGS: readonly string[] = [...Object.keys(NUMERIC_FLAGS), ...Object.keys(STRING_FLAGS), '--trust-proxy', '--quiet', '--help'];

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
    if (flag === '--trust-proxy') {
      options.trustProxy = true;
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
