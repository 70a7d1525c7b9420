/**
 * HTTP client for metrics pages: negotiates the Prometheus text format, accepts gzip, enforces a per-target
 * timeout and a size cap on the decoded body, and streams the body into a consumer (the parser) as it arrives,
 * so a page is never held whole in memory.
 */
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import { Agent, errors as undiciErrors, request } from 'undici';

/** Receives a page's decoded bytes; `end` returns the result of consuming them. Either may throw. */
export interface PageConsumer<T> {
  write(chunk: Buffer): void;
  end(): T;
}

export type ScrapeErrorKind = 'timeout' | 'connect' | 'tls' | 'http' | 'too-large' | 'decode' | 'parse' | 'other';

export type ScrapeOutcome<T> =
  | { ok: true; value: T; durationMs: number; bytes: number; contentType: string | undefined }
  | { ok: false; kind: ScrapeErrorKind; error: string; durationMs: number; statusCode?: number };

export interface TlsOptions {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Skip server certificate verification: only with an explicit flag. */
  insecureSkipVerify?: boolean;
}

export interface ScrapeClientOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  /** Upper bound on open connections per target origin. */
  connectionsPerOrigin?: number;
  tls?: TlsOptions;
  userAgent?: string;
}

export function mapOutcome<T, U>(outcome: ScrapeOutcome<T>, f: (value: T) => U): ScrapeOutcome<U> {
  return outcome.ok ? { ...outcome, value: f(outcome.value) } : outcome;
}

/** Text format first, OpenMetrics accepted, as Prometheus negotiates. */
export const ACCEPT_HEADER =
  'text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1';

export class ScrapeClient {
  private readonly agent: Agent;

  constructor(private readonly options: ScrapeClientOptions) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 2,
      keepAliveTimeout: 60_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connect: {
        timeout: options.timeoutMs,
        ca: options.tls?.ca,
        cert: options.tls?.cert,
        key: options.tls?.key,
        rejectUnauthorized: !options.tls?.insecureSkipVerify,
      },
    });
  }

  /** `makeConsumer` is called once the response headers arrived, with the page's Content-Type. */
  async scrape<T>(url: string, makeConsumer: (contentType: string | undefined) => PageConsumer<T>): Promise<ScrapeOutcome<T>> {
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 100) / 100;
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    let body: Readable | undefined;
    try {
      const res = await request(url, {
        dispatcher: this.agent,
        method: 'GET',
        signal,
        headers: {
          accept: ACCEPT_HEADER,
          'accept-encoding': 'gzip',
          'user-agent': this.options.userAgent ?? 'ciliumscope-exporter',
        },
      });
      body = res.body;
      if (res.statusCode !== 200) {
        discard(res.body);
        return { ok: false, kind: 'http', error: `HTTP ${res.statusCode}`, statusCode: res.statusCode, durationMs: elapsed() };
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > this.options.maxBodyBytes) {
        discard(res.body);
        return { ok: false, kind: 'too-large', error: this.tooLarge(), durationMs: elapsed() };
      }
      const contentType = header(res.headers['content-type']);
      const consumer = makeConsumer(contentType);
      const stream = decode(res.body, header(res.headers['content-encoding']));
      let bytes = 0;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        bytes += chunk.length;
        if (bytes > this.options.maxBodyBytes) {
          discard(stream);
          discard(res.body);
          return { ok: false, kind: 'too-large', error: this.tooLarge(), durationMs: elapsed() };
        }
        consumer.write(chunk);
      }
      const value = consumer.end();
      return { ok: true, value, durationMs: elapsed(), bytes, contentType };
    } catch (err) {
      if (body) {
        discard(body);
      }
      return { ok: false, ...describeError(err, signal, this.options.timeoutMs), durationMs: elapsed() };
    }
  }

  private tooLarge(): string {
    return `page larger than the ${formatBytes(this.options.maxBodyBytes)} limit (--max-body-bytes)`;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/** Ends a body we no longer read; the error destroying it emits is expected, not an unhandled event. */
function discard(stream: Readable): void {
  stream.on('error', () => undefined);
  stream.destroy();
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function decode(body: Readable, encoding: string | undefined): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case undefined:
    case '':
    case 'identity':
      return body;
    case 'gzip':
    case 'x-gzip':
      return body.pipe(createGunzip()).on('error', () => discard(body));
    case 'deflate':
      return body.pipe(createInflate()).on('error', () => discard(body));
    default:
      discard(body);
      throw new UnsupportedEncodingError(encoding);
  }
}

class UnsupportedEncodingError extends Error {
  constructor(encoding: string | undefined) {
    super(`unsupported Content-Encoding "${encoding}"`);
  }
}

/** Turns whatever failed into a short message an operator can act on. */
function describeError(
  err: unknown,
  signal: AbortSignal,
  timeoutMs: number
): { kind: ScrapeErrorKind; error: string } {
  const e = err as NodeJS.ErrnoException & { name?: string; line?: number };
  if (signal.aborted || e?.name === 'TimeoutError' || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return { kind: 'timeout', error: `timed out after ${timeoutMs} ms (--scrape-timeout)` };
  }
  if (e?.name === 'ParseError' && typeof e.line === 'number') {
    return { kind: 'parse', error: `invalid metrics page: ${e.message}` };
  }
  if (err instanceof UnsupportedEncodingError) {
    return { kind: 'decode', error: e.message };
  }
  if (e?.code && /^Z_|ERR_ZLIB|Z_DATA_ERROR/.test(e.code)) {
    return { kind: 'decode', error: `corrupt gzip body: ${e.message}` };
  }
  const code = e?.code ?? (e as { cause?: NodeJS.ErrnoException })?.cause?.code;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|ERR_TLS|EPROTO/.test(code)) {
    return { kind: 'tls', error: `TLS handshake failed: ${e.message} (see --tls-ca-file, --tls-cert-file)` };
  }
  if (code && /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|UND_ERR_CONNECT_TIMEOUT|UND_ERR_SOCKET|EPIPE)$/.test(code)) {
    const detail = code === 'UND_ERR_SOCKET' ? 'connection closed before the page was complete' : code;
    return { kind: 'connect', error: `cannot fetch: ${detail}` };
  }
  if (err instanceof undiciErrors.RequestContentLengthMismatchError || err instanceof undiciErrors.ResponseContentLengthMismatchError) {
    return { kind: 'connect', error: 'page truncated: fewer bytes than Content-Length' };
  }
  if (err instanceof undiciErrors.InvalidArgumentError) {
    return { kind: 'other', error: `invalid target URL: ${e.message}` };
  }
  return { kind: 'other', error: (e?.message ?? String(err)).slice(0, 300) };
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) {
    return `${n / 1024 ** 2} MiB`;
  }
  if (n >= 1024 && n % 1024 === 0) {
    return `${n / 1024} KiB`;
  }
  return `${n} bytes`;
}
