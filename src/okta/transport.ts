/**
 * The client's HTTP transport: one request, one whole answer, over `node:http`/`node:https` with
 * one keep-alive agent per org. fetch (undici) spent most of a read's CPU on its own machinery
 * (Request objects, abort signals, web streams); this asks for exactly what the client needs.
 *
 * Invariants: one deadline covers the connection, the headers and the whole body; a body over the
 * cap (counted decompressed, as fetch did) is not read further; redirects are never followed (a 3xx is an answer like any other); TLS is
 * Node's default verification; idle sockets never keep the process alive (the agent unrefs them).
 */
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

/** An answer bigger than the client reads; never retried (the server would send it again). */
export class AnswerTooLarge extends Error {}

/** The exchange's deadline passed before the whole answer was read. */
export class TimedOut extends Error {
  constructor(readonly ms: number) {
    super(`no complete answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** The exchange was cut off by its abort signal (Ctrl-C). */
export class Aborted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Aborted';
  }
}

/** An answer's headers, read by name (case-insensitive); repeated ones joined by ", " as fetch does. */
export class AnswerHeaders {
  constructor(private readonly raw: IncomingHttpHeaders = {}) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
}

/** What the client reads of headers (the page chain's Link, the rate-limit headers, the request id). */
export type HeaderReader = Pick<AnswerHeaders, 'get' | 'has'>;

export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payload?: string;
  timeoutMs: number;
  maxBytes: number;
  /** Cuts the exchange off (its socket destroyed) when aborted: Ctrl-C doesn't wait for a hung answer. */
  signal?: AbortSignal;
  /** Told the status and headers as soon as they are in, before the body is read. */
  onHeaders?: (status: number, headers: AnswerHeaders) => void;
}

export interface Reply {
  status: number;
  headers: AnswerHeaders;
  text: string;
}

export interface Transport {
  send(exchange: Exchange): Promise<Reply>;
}

/** Idle sockets are closed before a typical server's keep-alive timeout (Node's is 5 s) closes them under a request. */
const IDLE_SOCKET_MS = 4_000;

/** A transport for one origin; `maxSockets` at least the client's in-flight ceiling. */
export function createTransport(origin: URL, maxSockets: number): Transport {
  const secure = origin.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets, timeout: IDLE_SOCKET_MS, scheduling: 'lifo' as const };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = secure ? httpsRequest : httpRequest;
  return { send: (exchange) => send((options) => request(exchange.url, { ...options, agent }), exchange) };
}

function send(open: (options: RequestOptions) => ClientRequest, ex: Exchange): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    // Compressed as fetch asked for it: a page of users is several times smaller over a real network.
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...ex.headers };
    if (ex.payload !== undefined) headers['content-length'] = String(Buffer.byteLength(ex.payload));
    if (ex.signal?.aborted) return reject(new Aborted());
    const req = open({ method: ex.method, headers });
    let settled = false;
    const onAbort = (): void => fail(new Aborted());
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ex.signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const fail = (err: unknown): void =>
      settle(() => {
        req.destroy();
        reject(err);
      });
    const timer = setTimeout(() => fail(new TimedOut(ex.timeoutMs)), ex.timeoutMs);
    ex.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.on('response', (res) => readAnswer(res, ex, fail, (reply) => settle(() => resolve(reply))));
    req.end(ex.payload);
  });
}

/** Reads one answer whole, or fails it: too large, closed before its end, or the headers callback threw. */
function readAnswer(res: IncomingMessage, ex: Exchange, fail: (err: unknown) => void, done: (reply: Reply) => void): void {
  const status = res.statusCode ?? 0;
  const headers = new AnswerHeaders(res.headers);
  res.on('error', fail);
  const declared = Number(res.headers['content-length']);
  if (Number.isFinite(declared) && declared > ex.maxBytes) return fail(new AnswerTooLarge());
  try {
    ex.onHeaders?.(status, headers);
  } catch (err) {
    return fail(err);
  }
  const body = decoded(res, fail);
  const chunks: Buffer[] = [];
  let size = 0;
  body.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > ex.maxBytes) fail(new AnswerTooLarge());
    else chunks.push(chunk);
  });
  body.on('end', () => done({ status, headers, text: Buffer.concat(chunks, size).toString('utf8') }));
  res.on('close', () => {
    if (!res.complete) fail(Object.assign(new Error('the connection closed before the whole answer was read'), { code: 'ECONNRESET' }));
  });
}

/** The body as sent, or through the decompressor its Content-Encoding names. */
function decoded(res: IncomingMessage, fail: (err: unknown) => void): Readable {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!decoder) return res;
  decoder.on('error', fail);
  return res.pipe(decoder);
}
