/** The watch stream itself: events across chunk boundaries, HTTP errors with their Status, bounds, abort. */
import { KubeConfig } from '@kubernetes/client-node';
import { WatchHttpError, openWatchStream } from '../../../exporter/kube/watch-stream';
import { describeKubeError } from '../../../exporter/kube/errors';
import { type TestServer, startServer } from '../../support/http';

let server: TestServer;
let respond: (url: URL, res: import('node:http').ServerResponse, auth: string | undefined) => void;
const seen: string[] = [];

beforeAll(async () => {
  server = await startServer((req, res) => {
    seen.push(req.url ?? '');
    respond(new URL(req.url ?? '/', 'http://x'), res, req.headers.authorization);
  });
});
afterAll(() => server.close());

function kubeConfig(user: { token?: string; username?: string; password?: string }): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: server.url + '/', skipTLSVerify: true }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

function run(
  kc: KubeConfig,
  limits = { answerTimeoutMs: 2000, maxLineBytes: 1024 },
  controller = new AbortController()
) {
  const events: Array<[string, unknown]> = [];
  let opened = false;
  const ended = new Promise<Error | null>((resolve) => {
    void openWatchStream(
      kc,
      '/api/v1/pods',
      { resourceVersion: '7', labelSelector: 'a=b', skip: undefined },
      limits,
      controller,
      {
        onOpen: () => (opened = true),
        onEvent: (type, object) => events.push([type, object]),
        onEnd: resolve,
      }
    );
  });
  return { events, ended, opened: () => opened };
}

test('events split across chunks arrive whole; a clean end is null; the query and token are sent', async () => {
  let auth: string | undefined;
  respond = (_url, res, a) => {
    auth = a;
    res.writeHead(200);
    res.write('{"type":"ADDED","object":{"n":1}}\n{"type":"MOD');
    setTimeout(() => res.end('IFIED","object":{"n":2}}\n\n{"type":"BOOKMARK","object":{}}\n'), 20);
  };
  const r = run(kubeConfig({ token: 'tok' }));
  expect(await r.ended).toBeNull();
  expect(r.opened()).toBe(true);
  expect(r.events).toEqual([
    ['ADDED', { n: 1 }],
    ['MODIFIED', { n: 2 }],
    ['BOOKMARK', {}],
  ]);
  expect(auth).toBe('Bearer tok');
  expect(seen[seen.length - 1]).toBe('/api/v1/pods?watch=true&resourceVersion=7&labelSelector=a%3Db');
});

test('basic auth from the kubeconfig is sent', async () => {
  let auth: string | undefined;
  respond = (_url, res, a) => {
    auth = a;
    res.end();
  };
  expect(await run(kubeConfig({ username: 'me', password: 'pw' })).ended).toBeNull();
  expect(auth).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
});

test('a non-200 answer ends with its status and Status message', async () => {
  respond = (_url, res) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'Status', code: 403, message: 'pods is forbidden' }));
  };
  const err = await run(kubeConfig({ token: 't' })).ended;
  expect(err).toBeInstanceOf(WatchHttpError);
  expect((err as WatchHttpError).statusCode).toBe(403);
  expect(describeKubeError(err)).toMatch(/^HTTP 403 .*: pods is forbidden$/);
});

test('an oversized event line, a non-JSON line and a cut connection end the watch with an error', async () => {
  respond = (_url, res) => {
    res.writeHead(200);
    res.write('{"type":"ADDED","object":"' + 'x'.repeat(4096));
  };
  expect((await run(kubeConfig({ token: 't' })).ended)?.message).toMatch(/larger than 1024 bytes/);
  respond = (_url, res) => {
    res.writeHead(200);
    res.write('not json\n');
  };
  expect((await run(kubeConfig({ token: 't' })).ended)?.message).toMatch(/not JSON/);
  respond = (_url, res) => {
    res.writeHead(200);
    res.write('{"type":"ADDED","object":{}}\n');
    setTimeout(() => res.socket?.destroy(), 20);
  };
  const cut = run(kubeConfig({ token: 't' }));
  expect((await cut.ended)?.message).toMatch(/connection was lost|ECONNRESET|aborted/);
  expect(cut.events).toHaveLength(1);
});

test('no answer within the limit, or an abort before the answer, ends the watch', async () => {
  respond = () => undefined;
  expect((await run(kubeConfig({ token: 't' }), { answerTimeoutMs: 100, maxLineBytes: 1024 }).ended)?.message).toMatch(
    /did not answer the watch within 0.1s/
  );
  const controller = new AbortController();
  const r = run(kubeConfig({ token: 't' }), { answerTimeoutMs: 10_000, maxLineBytes: 1024 }, controller);
  setTimeout(() => controller.abort(), 50);
  const started = Date.now();
  expect(await r.ended).toHaveProperty('name', 'AbortError');
  expect(Date.now() - started).toBeLessThan(2000);
});
