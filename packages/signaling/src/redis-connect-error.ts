// The error a start fails with when Redis cannot be reached. Its own module: the package root
// exports it, and importing redis-adapter.ts would load `redis` for every user, Redis or not.

export class RedisConnectError extends Error {
  constructor(url: string, cause: unknown) {
    super(`cannot connect to Redis at ${redactUrl(url)}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RedisConnectError';
  }
}

/** The URL without its credentials, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
