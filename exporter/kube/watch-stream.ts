/**
 * One watch request: GET with watch=true, its newline-delimited JSON events handed over one by one. The client
 * library's own Watch cannot be aborted before the server answers, has no timeout for that answer and reads event
 * lines without a bound, so the exporter opens the stream itself, with the same authentication: the KubeConfig's
 * applyToHTTPSOptions supplies the headers (tokens, exec and OIDC plugins) and the agent (CA, client certificates,
 * proxies, insecure-skip-tls-verify).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export type WatchQuery = Record<string, string | number | boolean | undefined>;

export interface WatchStreamLimits {
  /** Time allowed until the response headers arrive. */
  answerTimeoutMs: number;
  /** Longest event line accepted; a longer one ends the watch with an error. */
  maxLineBytes: number;
}

const MAX_ERROR_BODY = 64 * 1024;

/** An error carrying the HTTP status and Status body, as the client library's errors do. */
export class WatchHttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string
  ) {
    super(http.STATUS_CODES[statusCode] ?? `HTTP ${statusCode}`);
    this.name = 'WatchHttpError';
  }
}

export interface WatchStreamHandlers {
  /** The server accepted the watch (200). */
  onOpen(): void;
  onEvent(type: string, object: unknown, raw: unknown): void;
  /** Called exactly once: null when the server ended the stream cleanly, an error otherwise (also on abort). */
  onEnd(err: Error | null): void;
}

export async function openWatchStream(
  kc: KubeConfig,
  path: string,
  query: WatchQuery,
  limits: WatchStreamLimits,
  controller: AbortController,
  handlers: WatchStreamHandlers
): Promise<void> {
  const { onEvent, onEnd } = handlers;
  let ended = false;
  const end = (err: Error | null) => {
    if (!ended) {
      ended = true;
      onEnd(err);
    }
  };
  let url: URL;
  const options: https.RequestOptions = {};
  try {
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new Error('the kubeconfig has no current cluster');
    }
    url = new URL(cluster.server.replace(/\/+$/, '') + path);
    url.searchParams.set('watch', 'true');
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    await kc.applyToHTTPSOptions(options);
  } catch (err) {
    end(err as Error);
    return;
  }
  if (controller.signal.aborted) {
    end(new Error('watch aborted'));
    return;
  }
  const headers: http.OutgoingHttpHeaders = {
    ...(options.headers as http.OutgoingHttpHeaders),
    accept: 'application/json',
  };
  if (options.auth) {
    headers.authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`;
  }
  const send = url.protocol === 'https:' ? https.request : http.request;
  const req = send(url, { method: 'GET', headers, agent: options.agent, signal: controller.signal });
  const answerTimer = setTimeout(
    () => req.destroy(new Error(`the API server did not answer the watch within ${limits.answerTimeoutMs / 1000}s`)),
    limits.answerTimeoutMs
  );
  req.on('error', (err) => {
    clearTimeout(answerTimer);
    end(err);
  });
  req.on('response', (res) => {
    clearTimeout(answerTimer);
    res.setEncoding('utf8');
    if (res.statusCode !== 200) {
      let body = '';
      res.on('data', (chunk: string) => {
        if (body.length < MAX_ERROR_BODY) {
          body += chunk.slice(0, MAX_ERROR_BODY - body.length);
        }
      });
      res.on('end', () => end(new WatchHttpError(res.statusCode ?? 0, body)));
      res.on('close', () => end(new WatchHttpError(res.statusCode ?? 0, body)));
      return;
    }
    handlers.onOpen();
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let newline = buffer.indexOf('\n', buffer.length - chunk.length);
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line !== '') {
          let parsed: { type?: unknown; object?: unknown };
          try {
            parsed = JSON.parse(line);
          } catch {
            req.destroy(new Error('the API server sent a watch event that is not JSON'));
            return;
          }
          if (typeof parsed?.type === 'string') {
            onEvent(parsed.type, parsed.object, parsed);
          }
        }
        newline = buffer.indexOf('\n');
      }
      if (buffer.length > limits.maxLineBytes) {
        req.destroy(new Error(`a watch event is larger than ${limits.maxLineBytes} bytes`));
      }
    });
    res.on('end', () => end(null));
    res.on('error', (err) => end(err));
    res.on('close', () => end(res.complete ? null : new Error('the watch connection was lost')));
  });
  req.end();
}
