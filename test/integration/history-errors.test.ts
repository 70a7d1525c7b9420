/**
 * A query replica against a Prometheus that misbehaves, played by a local HTTP server: slow past the timeout,
 * answering 4xx with Prometheus's own error, 5xx with a proxy's HTML page, too many series, too many bytes. Every
 * panel query gets an error that names the backend and the cause, /api/v1/status reports it, the replica keeps
 * running and recovers. Also what the replica sends: POSTed PromQL with the request's values escaped, the token and
 * the tenant header, at most --prometheus-max-concurrency requests at once for one API request, one request for an
 * expression two queries of a request read, and one request for many identical panel queries asked together.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningExporter, queryReplicaConfig, startExporter } from '../../exporter/app';
import type { QueryRequest, QueryResponse, StatusResponse } from '../../src/contract';
import { type TestServer, startServer } from '../support/http';

type Mode = 'ok' | 'hang' | 'bad-query' | 'html-503' | 'many-series' | 'huge';

let mode: Mode = 'ok';
let server: TestServer;
let replica: RunningExporter;
let dir: string;
const seen: Array<{ method: string; path: string; headers: IncomingMessage['headers']; body: string }> = [];
let inFlight = 0;
let maxInFlight = 0;
let delayMs = 0;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function handle(req: IncomingMessage, res: ServerResponse) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
  }
  seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  try {
    await new Promise((r) => setTimeout(r, delayMs));
    const instant = req.url!.startsWith('/api/v1/query?') || req.url === '/api/v1/query';
    switch (mode) {
      case 'hang':
        return; // never answers: the replica's timeout ends it
      case 'bad-query':
        return json(res, 422, {
          status: 'error',
          errorType: 'execution',
          error: 'query processing would load too many samples into memory in query execution',
        });
      case 'html-503':
        res.writeHead(503, { 'content-type': 'text/html' });
        return res.end('<html><body><h1>503 Service Unavailable</h1>\n\nNo server is available.</body></html>');
      case 'many-series':
        return json(res, 200, {
          status: 'success',
          data: {
            resultType: instant ? 'vector' : 'matrix',
            result: Array.from({ length: 6 }, (_, i) => ({
              metric: { node: `n${i}` },
              ...(instant ? { value: [1, '1'] } : { values: [[1, '1']] }),
            })),
          },
        });
      case 'huge':
        return json(res, 200, {
          status: 'success',
          data: { resultType: 'matrix', result: [{ metric: { pad: 'x'.repeat(70_000) }, values: [] }] },
        });
      default:
        return json(res, 200, { status: 'success', data: { resultType: instant ? 'vector' : 'matrix', result: [] } });
    }
  } finally {
    inFlight--;
  }
}

beforeAll(async () => {
  server = await startServer((req, res) => void handle(req, res));
  dir = mkdtempSync(join(tmpdir(), 'ciliumscope-history-errors-'));
  writeFileSync(join(dir, 'token'), 'prom-token\n');
  replica = await startExporter(
    queryReplicaConfig(server.url, [
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
      '--scrape-interval',
      '30s',
      '--prometheus-timeout',
      '500ms',
      '--prometheus-max-series',
      '5',
      '--prometheus-max-response-bytes',
      '64KiB',
      '--prometheus-max-concurrency',
      '2',
      '--prometheus-bearer-token-file',
      join(dir, 'token'),
      '--prometheus-header',
      'X-Scope-OrgID=tenant-1',
    ])
  );
});

afterAll(async () => {
  await replica?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

let asked = 0;
/** Queries told apart by Grafana's own `key` field (ignored by the exporter), so no cached answer is served. */
async function query(queries: QueryRequest['queries']): Promise<QueryResponse> {
  const to = Date.now();
  asked++;
  const res = await fetch(`${replica.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      from: to - 3_600_000,
      to,
      maxDataPoints: 100,
      queries: queries.map((q) => ({ ...q, key: `ask-${asked}` })),
    }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as QueryResponse;
}

const status = async () => ((await (await fetch(`${replica.url}/api/v1/status`)).json()) as StatusResponse).history;
const backendName = () => `history backend prometheus (${server.url})`;

test.each([
  ['hang', 'timed out after 500ms (--prometheus-timeout)', 504],
  [
    'bad-query',
    'HTTP 422 (execution): query processing would load too many samples into memory in query execution',
    502,
  ],
  [
    'html-503',
    'HTTP 503: not a Prometheus API answer: <html><body><h1>503 Service Unavailable</h1> No server is available.</body></html>',
    502,
  ],
  [
    'many-series',
    'the answer has 6 series, more than --prometheus-max-series 5: narrow the query (nodes, directions, reasons) or raise the cap',
    422,
  ],
  ['huge', 'the answer is larger than 64 KiB (--prometheus-max-response-bytes): narrow the query', 422],
] as const)(
  '%s: the panel and /api/v1/status name the backend and the cause; then it recovers',
  async (m, cause, code) => {
    mode = m;
    const failed = await query([
      { refId: 'A', queryType: 'endpoints' },
      { refId: 'B', queryType: 'drops', view: 'topNodes' },
      { refId: 'C', queryType: 'unmanagedPods' },
    ]);
    const message = `${backendName()}: ${cause}`;
    expect(failed.results.A).toEqual({ frames: [], error: message, status: code });
    expect(failed.results.B).toEqual({ frames: [], error: message, status: code });
    // Not read from the history: unaffected.
    expect(failed.results.C.error).toBeUndefined();
    expect(await status()).toMatchObject({
      backend: 'prometheus',
      url: server.url,
      state: 'error',
      lastError: message,
    });
    const nodes = await fetch(`${replica.url}/api/v1/nodes`);
    expect([nodes.status, await nodes.json()]).toEqual([code, { error: message }]);

    mode = 'ok';
    const ok = await query([{ refId: 'A', queryType: 'endpoints' }]);
    expect(ok.results.A.error).toBeUndefined();
    expect(await status()).toMatchObject({ state: 'ok', lastError: message });
  }
);

test('what the replica sends: POSTed PromQL with escaped values, the token and the tenant header', async () => {
  mode = 'ok';
  seen.length = 0;
  await query([{ refId: 'A', queryType: 'endpoints', groupBy: 'node', node: ['a"}) or vector(1', 'n1'] }]);
  expect(seen).toHaveLength(1);
  const [r] = seen;
  expect(r.method).toBe('POST');
  expect(r.path).toBe('/api/v1/query_range');
  expect(r.headers.authorization).toBe('Bearer prom-token');
  expect(r.headers['x-scope-orgid']).toBe('tenant-1');
  expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
  const form = new URLSearchParams(r.body);
  expect(form.get('query')).toBe(
    'sum by (node, state) (last_over_time(ciliumscope_endpoints{node=~"a\\"\\\\}\\\\) or vector\\\\(1|n1"}[5m]))'
  );
  expect(Number(form.get('step'))).toBe(36);
  expect(Number(form.get('end')) % 36).toBe(0);
});

test('at most --prometheus-max-concurrency requests in flight for one API request; what its queries share and identical queries asked together cost one', async () => {
  mode = 'ok';
  delayMs = 100;
  try {
    maxInFlight = 0;
    seen.length = 0;
    // Six expressions in one API request (podEndpointDelta reads 3, packetFlow 2, endpoints 1).
    await query([
      { refId: 'A', queryType: 'podEndpointDelta' },
      { refId: 'B', queryType: 'packetFlow' },
      { refId: 'C', queryType: 'endpoints' },
    ]);
    expect(seen).toHaveLength(6);
    expect(maxInFlight).toBe(2);

    // Two queries of one API request reading the same expression on the same grid (every node's policy revision).
    seen.length = 0;
    await query([
      { refId: 'A', queryType: 'policy', view: 'revisionSkew' },
      { refId: 'B', queryType: 'policy', view: 'revisionSkew', groupBy: 'node' },
    ]);
    expect(seen.map((r) => new URLSearchParams(r.body).get('query'))).toEqual([
      'sum by (node) (last_over_time(ciliumscope_policy_max_revision[5m]))',
    ]);

    seen.length = 0;
    const to = Date.now();
    const body = JSON.stringify({
      from: to - 600_000,
      to,
      maxDataPoints: 100,
      queries: [{ refId: 'A', queryType: 'endpoints' }],
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        fetch(`${replica.url}/api/v1/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        }).then((r) => r.text())
      )
    );
    expect(new Set(answers).size).toBe(1);
    expect(seen).toHaveLength(1);
  } finally {
    delayMs = 0;
  }
});
