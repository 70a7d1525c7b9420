/**
 * Grafana's BackendSrv.fetch as the host pages need it: real HTTP to the page's own server, whose data proxy
 * forwards to the exporter as Grafana's would. Shared by the plugin test page and the dashboard preview.
 */
import type { BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

export function fetchResponse<T>(
  options: BackendSrvRequest,
  status: number,
  data: T,
  statusText = 'OK'
): FetchResponse<T> {
  return {
    data,
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers: new Headers(),
    redirected: false,
    type: 'basic',
    url: options.url,
    config: options,
  };
}

/** The answer as Grafana's BackendSrv gives it: parsed JSON (or the text), a FetchError for a failed status. */
export function fetchOverHttp<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable((subscriber) => {
    const controller = new AbortController();
    const headers: Record<string, string> = { Accept: 'application/json', ...(options.headers ?? {}) };
    if (options.data !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    const body = options.data === undefined ? undefined : JSON.stringify(options.data);
    fetch(options.url, { method: options.method ?? 'GET', headers, body, signal: controller.signal })
      .then(async (response) => {
        const text = await response.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : {};
        } catch {
          // not JSON: keep the text, as Grafana's BackendSrv does
        }
        if (response.ok) {
          subscriber.next(fetchResponse(options, response.status, data as T, response.statusText));
          subscriber.complete();
        } else {
          const error: FetchError = { status: response.status, statusText: response.statusText, data, config: options };
          subscriber.error(error);
        }
      })
      .catch((err: Error) => {
        if (err.name !== 'AbortError') {
          const error: FetchError = { status: 0, statusText: err.message, data: {}, config: options };
          subscriber.error(error);
        }
      });
    return () => controller.abort();
  });
}
