/**
 * A client of the Prometheus HTTP API (/api/v1/query and /api/v1/query_range, POSTed), as any compatible server
 * speaks it (Prometheus, Thanos, Mimir, VictoriaMetrics). Bounded everywhere: a timeout per
 * request, a cap on the answer's bytes and on its series, and at most MAX_IN_FLIGHT requests at once over the
 * whole process. Every failure becomes a HistoryBackendError naming the server and the cause, in words an operator
 * can act on (Prometheus's own `error` text when it sent one); the outcome of every request is kept for
 * /api/v1/status and /metrics.
 */
import { Agent, errors as undiciErrors, request } from 'undici';
import { discard, formatBytes, readCapped } from '../../scrape/client';
import { HistoryBackendError, type HistoryStatus } from '../backend';
import type { PrometheusSettings } from './settings';
import { Semaphore } from './semaphore';

export interface MatrixRow {
  metric: Record<string, string>;
  values: Array<[number, string]>;
}

export interface VectorRow {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RequestStats {
  outcomes: Readonly<Record<'success' | 'error', number>>;
  /** Unix ms. */
  lastSuccessAt: number | null;
}

/** Requests to Prometheus in flight over the whole process (each API request has its own, smaller, limit too). */
const MAX_IN_FLIGHT = 32;

export class PrometheusClient {
  readonly url: string;
  private readonly agent: Agent;
  private readonly headers: Record<string, string>;
  private readonly inFlight = new Semaphore(MAX_IN_FLIGHT);
  private lastSuccessAt: number | null = null;
  private lastError: { at: number; message: string } | null = null;
  private readonly outcomes = { success: 0, error: 0 };

  constructor(
    private readonly settings: PrometheusSettings,
    private readonly userAgent: string,
    private readonly now: () => number = Date.now
  ) {
    this.url = settings.url;
    this.agent = new Agent({
      connections: MAX_IN_FLIGHT,
      keepAliveTimeout: 60_000,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connect: { timeout: settings.timeoutMs, ca: settings.ca ?? undefined },
    });
    this.headers = {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': userAgent,
      ...Object.fromEntries(settings.headers),
    };
    if (settings.bearerToken) {
      this.headers.authorization = `Bearer ${settings.bearerToken}`;
    } else if (settings.basicAuth) {
      const { username, password } = settings.basicAuth;
      this.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
  }

  /** A range query; times in Unix ms, the step in ms. */
  async queryRange(
    expr: string,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<MatrixRow[]> {
    const form = { query: expr, start: seconds(startMs), end: seconds(endMs), step: seconds(stepMs) };
    return this.call<MatrixRow[]>('query_range', form, signal, (data) => this.capped(this.result(data, 'matrix')));
  }

  /** An instant query at `timeMs`. */
  async query(expr: string, timeMs: number, signal?: AbortSignal): Promise<VectorRow[]> {
    return this.call<VectorRow[]>('query', { query: expr, time: seconds(timeMs) }, signal, (data) =>
      this.capped(this.result(data, 'vector'))
    );
  }

  status(): Pick<HistoryStatus, 'state' | 'lastSuccessAt' | 'lastError' | 'lastErrorAt'> {
    const failedLast =
      this.lastError !== null && (this.lastSuccessAt === null || this.lastError.at >= this.lastSuccessAt);
    return {
      state: this.lastSuccessAt === null && this.lastError === null ? 'unknown' : failedLast ? 'error' : 'ok',
      lastSuccessAt: this.lastSuccessAt,
      lastError: this.lastError?.message ?? null,
      lastErrorAt: this.lastError?.at ?? null,
    };
  }

  /** Requests by outcome and the time of the last success (for /metrics). */
  requestStats(): RequestStats {
    return { outcomes: this.outcomes, lastSuccessAt: this.lastSuccessAt };
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private result<T>(data: unknown, type: 'matrix' | 'vector'): T[] {
    const d = data as { resultType?: string; result?: T[] } | null;
    if (!d || d.resultType !== type) {
      throw this.failure(`expected a ${type} answer, got ${d?.resultType ?? 'nothing'}`, 502);
    }
    return d.result as T[];
  }

  private capped<T>(rows: T[]): T[] {
    if (!Array.isArray(rows)) {
      throw this.failure('the answer has no result list', 502);
    }
    if (rows.length > this.settings.maxSeries) {
      throw this.failure(
        `the answer has ${rows.length} series, more than --prometheus-max-series ${this.settings.maxSeries}: narrow the query (nodes, directions, reasons) or raise the cap`,
        422
      );
    }
    return rows;
  }

  private failure(reason: string, status: number): HistoryBackendError {
    return new HistoryBackendError(`prometheus (${this.url})`, reason, status);
  }

  /**
   * One API call: what `check` makes of the answer's `data` (its shape and size checked), or a HistoryBackendError
   * (recorded, unless the caller gave up).
   */
  private async call<T>(
    path: string,
    form: Record<string, string> | null,
    signal: AbortSignal | undefined,
    check: (data: unknown) => T
  ): Promise<T> {
    let release: (() => void) | null = null;
    try {
      release = await this.inFlight.acquire(signal);
      const data = check(await this.send<unknown>(path, form, signal));
      this.lastSuccessAt = this.now();
      this.outcomes.success++;
      return data;
    } catch (err) {
      // Given up by the API request (its client left, or its deadline passed): not the server's failure.
      const abandoned = signal?.aborted === true;
      const e =
        err instanceof HistoryBackendError
          ? err
          : this.failure(
              abandoned ? `request abandoned: ${(signal!.reason as Error)?.message ?? 'cancelled'}` : describe(err),
              abandoned ? 504 : 502
            );
      if (!abandoned) {
        this.lastError = { at: this.now(), message: e.message };
        this.outcomes.error++;
      }
      throw e;
    } finally {
      release?.();
    }
  }

  private async send<T>(path: string, form: Record<string, string> | null, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.settings.timeoutMs);
    const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res;
    try {
      res = await request(`${this.url}/api/v1/${path}`, {
        dispatcher: this.agent,
        method: form ? 'POST' : 'GET',
        headers: this.headers,
        body: form ? new URLSearchParams(form).toString() : undefined,
        signal: both,
      });
    } catch (err) {
      throw timeout.aborted ? this.timedOut() : err;
    }
    const chunks: Buffer[] = [];
    let size: number | null;
    try {
      size = await readCapped(res.body, this.settings.maxResponseBytes, (c) => chunks.push(c));
    } catch (err) {
      discard(res.body);
      throw timeout.aborted ? this.timedOut() : err;
    }
    if (size === null) {
      throw this.failure(
        `the answer is larger than ${formatBytes(this.settings.maxResponseBytes)} (--prometheus-max-response-bytes): narrow the query`,
        422
      );
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    let body: { status?: string; data?: T; errorType?: string; error?: string } | null = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not the API's JSON: a proxy's page, or not Prometheus at all.
    }
    if (res.statusCode >= 200 && res.statusCode < 300 && body?.status === 'success') {
      return body.data as T;
    }
    if (body && typeof body.error === 'string') {
      throw this.failure(
        `HTTP ${res.statusCode}${body.errorType ? ` (${body.errorType})` : ''}: ${body.error.slice(0, 500)}`,
        502
      );
    }
    const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
    throw this.failure(`HTTP ${res.statusCode}: not a Prometheus API answer${snippet ? `: ${snippet}` : ''}`, 502);
  }

  private timedOut(): HistoryBackendError {
    return this.failure(`timed out after ${formatSeconds(this.settings.timeoutMs)} (--prometheus-timeout)`, 504);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** A transport failure in words: cannot connect, TLS, connection closed. */
function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e?.code ?? e?.cause?.code;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_SSL|ERR_TLS|EPROTO/.test(code)) {
    return `TLS handshake failed: ${e.message} (see --prometheus-ca-file)`;
  }
  if (
    code === 'ECONNREFUSED' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH' ||
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return `cannot connect: ${code}`;
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || err instanceof undiciErrors.SocketError) {
    return 'the connection closed before the answer was complete';
  }
  return (e?.message ?? String(err)).slice(0, 300);
}
