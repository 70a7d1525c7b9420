import type { BackendSrv, BackendSrvRequest, FetchError, FetchResponse } from '@grafana/runtime';
import { Observable } from 'rxjs';

/** What a fake route answers: a status and a JSON body, or a transport failure (status 0). */
export interface FakeAnswer {
  status: number;
  data?: unknown;
  statusText?: string;
  /** Milliseconds before answering; the request can be cancelled meanwhile. */
  delayMs?: number;
}

export type FakeHandler = (request: BackendSrvRequest) => FakeAnswer;

/**
 * A BackendSrv that answers `fetch` like Grafana's does: a FetchResponse for 2xx, a FetchError (status, statusText,
 * data, config) otherwise; unsubscribing cancels a delayed answer. Records every request.
 */
export class FakeBackendSrv implements BackendSrv {
  readonly requests: BackendSrvRequest[] = [];

  constructor(private handler: FakeHandler) {}

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  fetch<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
    this.requests.push(options);
    return new Observable<FetchResponse<T>>((subscriber) => {
      let answer: FakeAnswer;
      try {
        answer = this.handler(options);
      } catch (err) {
        subscriber.error(err);
        return undefined;
      }
      const deliver = () => {
        if (answer.status >= 200 && answer.status < 300) {
          subscriber.next({
            data: answer.data as T,
            status: answer.status,
            statusText: answer.statusText ?? 'OK',
            ok: true,
            headers: new Headers(),
            redirected: false,
            type: 'basic',
            url: options.url,
            config: options,
          });
          subscriber.complete();
        } else {
          const error: FetchError = {
            status: answer.status,
            statusText: answer.statusText ?? '',
            data: answer.data ?? {},
            config: options,
          };
          subscriber.error(error);
        }
      };
      if (answer.delayMs) {
        const timer = setTimeout(deliver, answer.delayMs);
        return () => clearTimeout(timer);
      }
      deliver();
      return undefined;
    });
  }

  get(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  delete(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  post(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  patch(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  put(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  request(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  datasourceRequest(): Promise<never> {
    throw new Error('the datasource must use fetch()');
  }
  chunked(): Observable<never> {
    throw new Error('the datasource must use fetch()');
  }
}

/** Routes by method and exporter path (the part after the datasource's proxy route). */
export function routes(table: Record<string, FakeAnswer | ((request: BackendSrvRequest) => FakeAnswer)>): FakeHandler {
  return (request) => {
    const path = request.url.replace(/^.*?\/api(?=\/api\/)/, '');
    const key = `${request.method ?? 'GET'} ${path}`;
    const entry = table[key];
    if (!entry) {
      return { status: 404, data: { error: `no route ${key}` } };
    }
    return typeof entry === 'function' ? entry(request) : entry;
  };
}
