// Plain HTTP routes next to socket.io (which handles its own /socket.io/ path before this runs).

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface HealthReport {
  ok: true;
  rooms: number;
  peers: number;
}

export function createHttpHandler(health: () => HealthReport, corsOrigin: string | string[]) {
  const allowOrigin = typeof corsOrigin === 'string' ? corsOrigin : null;
  return (request: IncomingMessage, response: ServerResponse): void => {
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      const body = JSON.stringify(health());
      response.writeHead(200, {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        'content-length': Buffer.byteLength(body),
        ...(allowOrigin ? { 'access-control-allow-origin': allowOrigin } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ ok: false, error: 'not-found' }));
  };
}
