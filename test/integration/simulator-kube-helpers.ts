/** Loopback HTTP helpers for the simulator's Kubernetes API tests: plain requests and watch streams read line by line. */
import { type IncomingHttpHeaders, request } from 'node:http';

// Kubernetes objects as the API writes them; tests read them loosely.
export type KubeObject = any;

/** namespace/name, as a cache keys objects. */
export const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // Parsed JSON; tests read Kubernetes objects loosely.
  json: any;
}

export function get(url: string, headers: Record<string, string> = {}, timeoutMs = 20_000): Promise<Reply> {
  return send('GET', url, undefined, headers, timeoutMs);
}

export function post(url: string, body: unknown): Promise<Reply> {
  return send('POST', url, JSON.stringify(body), { 'Content-Type': 'application/json' }, 10_000);
}

function send(
  method: string,
  url: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try {
          json = JSON.parse(text);
        } catch {
          // not JSON
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer from ${url} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export interface WatchLine {
  type: string;
  object: any;
}

export interface WatchReader {
  status: number;
  lines: WatchLine[];
  /** How the stream ended: a clean end of the chunked response, or an error (connection cut). */
  ended: Promise<'end' | 'error'>;
  /** Resolves once a line satisfies the predicate (checked on the lines so far and every new one). */
  until(predicate: (line: WatchLine, index: number) => boolean, timeoutMs?: number): Promise<WatchLine>;
  close(): void;
}

/** Opens a watch and reads its JSON lines as they arrive. */
export function openWatch(url: string, headers: Record<string, string> = {}): Promise<WatchReader> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const lines: WatchLine[] = [];
      const waiters = new Set<() => void>();
      let buffer = '';
      let settle: (how: 'end' | 'error') => void = () => undefined;
      const ended = new Promise<'end' | 'error'>((r) => (settle = r));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() !== '') {
            lines.push(JSON.parse(line) as WatchLine);
          }
        }
        waiters.forEach((w) => w());
      });
      res.on('end', () => {
        settle('end');
        waiters.forEach((w) => w());
      });
      res.on('error', () => settle('error'));
      res.on('aborted', () => settle('error'));
      res.on('close', () => {
        settle(res.complete ? 'end' : 'error');
        waiters.forEach((w) => w());
      });
      resolve({
        status: res.statusCode ?? 0,
        lines,
        ended,
        until(predicate, timeoutMs = 10_000) {
          return new Promise((done, fail) => {
            let finished = false;
            const check = (): void => {
              const index = lines.findIndex(predicate);
              if (index >= 0 && !finished) {
                finished = true;
                clearTimeout(timer);
                waiters.delete(check);
                done(lines[index]);
              }
            };
            const timer = setTimeout(() => {
              finished = true;
              waiters.delete(check);
              fail(
                new Error(
                  `watch line not seen within ${timeoutMs} ms; lines: ${JSON.stringify(lines.map((l) => l.type))}`
                )
              );
            }, timeoutMs);
            waiters.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => reject(error));
    req.end();
  });
}

export function rvOf(object: { metadata: { resourceVersion: string } }): number {
  return Number(object.metadata.resourceVersion);
}
