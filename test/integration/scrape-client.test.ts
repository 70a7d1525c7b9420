import { gzipSync } from 'node:zlib';
import { agentPageConsumer } from '../../exporter/cilium/consumers';
import { ACCEPT_HEADER, ScrapeClient } from '../../exporter/scrape/client';
import { type TestServer, startServer } from '../support/http';

const PAGE = [
  '# HELP cilium_endpoint Number of endpoints managed by this agent',
  '# TYPE cilium_endpoint gauge',
  'cilium_endpoint 7',
  '# TYPE cilium_drop_count_total counter',
  'cilium_drop_count_total{direction="INGRESS",reason="Policy denied"} 42',
  '',
].join('\n');

let server: TestServer;
let lastHeaders: Record<string, string | string[] | undefined> = {};
const routes: Record<string, (res: import('node:http').ServerResponse) => void> = {
  '/ok': (res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(PAGE);
  },
  '/gzip': (res) => {
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(PAGE));
  },
  '/gzip-corrupt': (res) => {
    res.setHeader('content-encoding', 'gzip');
    res.end(Buffer.concat([gzipSync(PAGE).subarray(0, 20), Buffer.from('not gzip at all')]));
  },
  '/gzip-bomb': (res) => {
    res.setHeader('content-encoding', 'gzip');
    res.end(gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x23)));
  },
  '/hang': () => undefined,
  '/503': (res) => {
    res.statusCode = 503;
    res.end('unavailable');
  },
  '/big': (res) => res.end(Buffer.alloc(300_000, 0x23)),
  '/big-chunked': (res) => {
    const chunk = Buffer.alloc(64 * 1024, 0x23);
    for (let i = 0; i < 10; i++) {
      res.write(chunk);
    }
    res.end();
  },
  '/malformed': (res) => res.end('cilium_endpoint 7\ncilium_endpoint{oops 3\n'),
  '/truncated': (res) => {
    res.setHeader('content-length', String(PAGE.length + 500));
    res.write(PAGE.slice(0, 60));
    setTimeout(() => res.socket?.destroy(), 10);
  },
};

beforeAll(async () => {
  server = await startServer((req, res) => {
    lastHeaders = req.headers;
    (routes[req.url ?? ''] ?? ((r) => ((r.statusCode = 404), r.end())))(res);
  });
});
afterAll(() => server.close());

const client = () => new ScrapeClient({ timeoutMs: 300, maxBodyBytes: 200_000 });

test('fetches, negotiates the text format and normalises', async () => {
  const c = client();
  const r = await c.scrape(`${server.url}/ok`, agentPageConsumer);
  await c.close();
  expect(lastHeaders.accept).toBe(ACCEPT_HEADER);
  expect(lastHeaders['accept-encoding']).toBe('gzip');
  expect(r.ok).toBe(true);
  if (r.ok) {
    expect(r.value.endpoints).toBe(7);
    expect(r.value.dropped).toEqual([{ direction: 'INGRESS', reason: 'Policy denied', packets: 42, bytes: null }]);
    expect(r.bytes).toBe(PAGE.length);
  }
});

test('decodes gzip', async () => {
  const c = client();
  const r = await c.scrape(`${server.url}/gzip`, agentPageConsumer);
  await c.close();
  expect(r.ok && r.value.endpoints).toBe(7);
});

test.each([
  ['/hang', 'timeout', /^timed out after 300 ms/],
  ['/503', 'http', /^HTTP 503$/],
  ['/big', 'too-large', /^page larger than the 200000 bytes limit/],
  ['/big-chunked', 'too-large', /limit \(--max-body-bytes\)$/],
  ['/gzip-bomb', 'too-large', /^page larger than/],
  ['/gzip-corrupt', 'decode', /^corrupt gzip body/],
  ['/malformed', 'parse', /^invalid metrics page: .*line 2/],
  ['/truncated', 'connect', /./],
])('%s fails with kind %s and a clear message', async (path, kind, message) => {
  const c = client();
  const r = await c.scrape(`${server.url}${path}`, agentPageConsumer);
  await c.close();
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.kind).toBe(kind);
    expect(r.error).toMatch(message);
    expect(r.durationMs).toBeLessThan(2000);
  }
});

test('connection refused is a connect error', async () => {
  const c = client();
  const r = await c.scrape('http://127.0.0.1:9/metrics', agentPageConsumer);
  await c.close();
  expect(r).toMatchObject({ ok: false, kind: 'connect', error: 'cannot fetch: ECONNREFUSED' });
});
