import { getBackendSrv, isFetchError, type FetchResponse } from '@grafana/runtime';
import { catchError, map, Observable, throwError, timeout, TimeoutError } from 'rxjs';

import type { ApiError } from './contract';

/** The route in plugin.json: `<datasource proxy URL>/api/...` is forwarded to `<jsonData.url>/...`. */
export const ROUTE_PATH = 'api';

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A failed exporter request, with a message a user can act on. */
export class ExporterError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    /** The offending query field when the exporter rejected the input (HTTP 400). */
    readonly field?: string
  ) {
    super(message);
    this.name = 'ExporterError';
  }
}

export interface ExporterClientOptions {
  /** The datasource's proxy URL, `/api/datasources/proxy/uid/<uid>`; undefined before the datasource is saved. */
  proxyUrl: string | undefined;
  /** jsonData.url, only used to name the target in error messages. */
  exporterUrl: string | undefined;
  timeoutMs: number;
}

function errorBody(data: unknown): { error?: string; field?: string; message?: string } {
  if (data && typeof data === 'object') {
    const body = data as Partial<ApiError> & { message?: unknown };
    return {
      error: typeof body.error === 'string' ? body.error : undefined,
      field: typeof body.field === 'string' ? body.field : undefined,
      message: typeof body.message === 'string' ? body.message : undefined,
    };
  }
  if (typeof data === 'string' && data.trim() !== '' && data.length < 500 && !data.trimStart().startsWith('<')) {
    return { error: data.trim() };
  }
  return {};
}

/**
 * Talks to the exporter through Grafana's data proxy with `getBackendSrv().fetch`, and turns every failure into an
 * ExporterError whose message says what to fix. The exporter's own messages (400 `{error, field}`, 401) are shown
 * as they are; the proxy's (502 unreachable, 504 timeout) are explained.
 */
export class ExporterClient {
  constructor(private readonly options: ExporterClientOptions) {}

  get<T>(path: string, requestId?: string): Observable<T> {
    return this.request<T>('GET', path, undefined, requestId);
  }

  post<T>(path: string, body: unknown, requestId?: string): Observable<T> {
    return this.request<T>('POST', path, body, requestId);
  }

  /** The URL the browser calls for an exporter path such as `/api/v1/query`. */
  url(path: string): string {
    if (!this.options.proxyUrl) {
      throw new ExporterError('This datasource has no proxy URL yet: save it first (Save & test).');
    }
    return `${this.options.proxyUrl}/${ROUTE_PATH}${path}`;
  }

  private request<T>(method: 'GET' | 'POST', path: string, data: unknown, requestId?: string): Observable<T> {
    let url: string;
    try {
      url = this.url(path);
    } catch (err) {
      return throwError(() => err);
    }
    return getBackendSrv()
      .fetch<T>({
        url,
        method,
        data,
        requestId,
        headers: method === 'POST' ? { 'Content-Type': 'application/json' } : undefined,
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(
        timeout({ first: this.options.timeoutMs }),
        map((response: FetchResponse<T>) => response.data),
        catchError((err: unknown) => throwError(() => this.toExporterError(err)))
      );
  }

  toExporterError(err: unknown): ExporterError {
    if (err instanceof ExporterError) {
      return err;
    }
    const target = this.options.exporterUrl ? `the exporter at ${this.options.exporterUrl}` : 'the exporter';
    if (err instanceof TimeoutError) {
      return new ExporterError(
        `No answer from ${target} within ${Number((this.options.timeoutMs / 1000).toFixed(2))} s. ` +
          'Raise the timeout in the datasource settings or narrow the query (fewer nodes, a shorter range).'
      );
    }
    if (!isFetchError(err)) {
      return new ExporterError(err instanceof Error ? err.message : String(err));
    }
    if (err.cancelled) {
      return new ExporterError('Request cancelled', err.status);
    }
    const body = errorBody(err.data);
    const status = err.status;
    switch (true) {
      case status === 400: {
        const message = body.error ?? body.message ?? 'Invalid query';
        // The exporter names the field in its message already ("queries[1].limit must be ..."); say it once.
        const withField = body.field && !message.includes(body.field) ? `${message} (field: ${body.field})` : message;
        return new ExporterError(withField, status, body.field);
      }
      case status === 401: {
        const said = body.error ?? body.message;
        if (said && /^unauthorized/i.test(said)) {
          return new ExporterError(said, status);
        }
        return new ExporterError(
          'Unauthorized: check the token. The exporter requires a bearer token; set the one it was started with ' +
            `under Authentication in the datasource settings${said ? ` (the exporter said: ${said})` : ''}.`,
          status
        );
      }
      case status === 403:
        return new ExporterError(body.error ?? body.message ?? 'Forbidden by Grafana or the exporter', status);
      case status === 404:
        return new ExporterError(
          `${capitalize(target)} has no ${this.exporterPath(err.config?.url)}: check that the URL points at a Cilium Scope exporter ` +
            '(its base URL, without /api/v1), not at Prometheus or a Cilium agent.',
          status
        );
      case status === 502:
        return new ExporterError(
          `Grafana could not reach ${target} (502 Bad Gateway from the data proxy). The URL must be reachable from ` +
            'the Grafana server, not only from your browser: check the host name, the port (9967 by default) and ' +
            'that the exporter is running.',
          status
        );
      case status === 504:
        return new ExporterError(
          `${capitalize(target)} did not answer in time (504 Gateway Timeout from the data proxy). Raise the timeout in the ` +
            'datasource settings or check the exporter, which may be overloaded.',
          status
        );
      case status === 0 || status === undefined:
        return new ExporterError(
          body.message ?? 'Network error: the browser could not reach Grafana. Check your connection and reload.',
          status
        );
      default:
        return new ExporterError(
          body.error ??
            body.message ??
            `${capitalize(target)} answered HTTP ${status}${err.statusText ? ` ${err.statusText}` : ''}`,
          status
        );
    }
  }

  /** The exporter path of a proxied URL: `/api/v1/status` from `<proxy URL>/api/api/v1/status`. */
  private exporterPath(url: string | undefined): string {
    const prefix = `${this.options.proxyUrl}/${ROUTE_PATH}`;
    if (!url) {
      return 'such endpoint';
    }
    return url.startsWith(prefix) ? url.slice(prefix.length) : url;
  }
}
