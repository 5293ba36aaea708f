/** Small loopback HTTP servers for client tests: each records what it received. */
import { createServer as createNetServer } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Secret, type OrgAuth } from '../../src/credentials.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface TestServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export type Handler = (req: Received, res: ServerResponse, index: number) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<TestServer> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      void handler(r, res, received.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A server whose answers never end: a 200 and `[`, then a space every 20 ms until the client hangs
 * up. `close` stops the drips first.
 */
export async function startDrippingServer(): Promise<TestServer> {
  const timers = new Set<NodeJS.Timeout>();
  const srv = await startServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('[');
    const t = setInterval(() => res.write(' '), 20);
    timers.add(t);
    res.on('close', () => clearInterval(t));
  });
  return {
    ...srv,
    close: () => {
      for (const t of timers) clearInterval(t);
      return srv.close();
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(payload);
}

export function oktaError(
  res: ServerResponse,
  status: number,
  errorCode: string,
  errorSummary: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { errorCode, errorSummary, errorLink: errorCode, errorId: 'oae-test-1', errorCauses: [] }, headers);
}

/** An obviously fake token that is easy to search for in output. */
export const CANARY = 'canary-token-DO-NOT-PRINT-7f3a';

export function tokenAuth(value = CANARY, envVar = 'OKTA_TEST_TOKEN'): OrgAuth {
  return { kind: 'token', token: new Secret(envVar, value) };
}

/** A loopback port nothing listens on (bound, then closed): connections to it are refused. */
export async function closedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
