/**
 * The exporter's security properties, each over real sockets on loopback: the bearer token (read from a file) on
 * /api and optionally /metrics, open health probes, no request-controlled outbound traffic (SSRF), request limits,
 * header timeouts against slowloris clients, and an image that runs unprivileged.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type RunningExporter, startExporter } from '../../exporter/app';
import { loadConfig } from '../../exporter/config/config';
import { tokenMatches } from '../../exporter/http/auth';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { QUERY_TYPE_ORDER } from '../../src/queryCatalog';
import { testConfig } from '../support/config';
import { type TestServer, startServer } from '../support/http';
import { ROOT } from '../support/tools';

const TOKEN = 'c2VjcmV0LXRva2VuLWZvci10ZXN0cw';
let dir: string;
let sim: RunningSimulator;
let exporter: RunningExporter;
let metricsExporter: RunningExporter;
/** Counts every request the exporter sends to its (only) agent, to prove that API calls send none. */
let agentRequests = 0;
let agent: TestServer;
/** A server no request should ever reach: its address is planted in every API input. */
let canaryHits = 0;
let canary: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ciliumscope-security-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  sim = await startSimulator({ nodes: 2, seed: 5, autoTickMs: 0, pageKB: 8 });
  agent = await startServer(async (req, res) => {
    agentRequests++;
    const page = await fetch(sim.agentUrl(sim.nodes[0]));
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(Buffer.from(await page.arrayBuffer()));
  });
  canary = await startServer((_req, res) => {
    canaryHits++;
    res.end('never');
  });
  const loaded = loadConfig({
    argv: [
      '--token-file',
      join(dir, 'token'),
      '--agent',
      `node-a=${agent.url}/metrics`,
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
    ],
    env: {},
  });
  if (loaded.kind !== 'config') {
    throw new Error('expected a configuration');
  }
  expect(loaded.config.token).toBe(TOKEN);
  exporter = await startExporter(loaded.config, { autoScrape: false });
  await exporter.scrapeNow();
  metricsExporter = await startExporter(testConfig({ token: TOKEN, protectMetrics: true }), { autoScrape: false });
});

afterAll(async () => {
  await exporter?.close();
  await metricsExporter?.close();
  await agent?.close();
  await canary?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

const bearer = { authorization: `Bearer ${TOKEN}` };

describe('bearer token', () => {
  test.each([
    ['missing', {}, /missing bearer token/],
    ['wrong', { authorization: 'Bearer not-the-token' }, /invalid bearer token/],
    ['a prefix of the token', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, /invalid bearer token/],
    ['the token and more', { authorization: `Bearer ${TOKEN}x` }, /invalid bearer token/],
    [
      'another scheme',
      { authorization: `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}` },
      /invalid bearer token/,
    ],
    ['no token after the scheme', { authorization: 'Bearer' }, /invalid bearer token/],
    ['two tokens', { authorization: `Bearer ${TOKEN} ${TOKEN}` }, /invalid bearer token/],
    ['the bare token', { authorization: TOKEN }, /invalid bearer token/],
  ])('%s → 401 with WWW-Authenticate and a JSON error', async (_name, headers, message) => {
    for (const [method, path] of [
      ['GET', '/api/v1/nodes'],
      ['GET', '/api/v1/status'],
      ['POST', '/api/v1/query'],
      ['GET', '/api/v1/does-not-exist'],
    ]) {
      const res = await fetch(exporter.url + path, {
        method,
        headers: { ...headers, 'content-type': 'application/json' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect([path, res.status]).toEqual([path, 401]);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="ciliumscope"');
      const body = (await res.json()) as { error: string };
      expect(body.error).toMatch(message);
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    }
  });

  test('the right token opens the API, case-insensitive scheme', async () => {
    for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`, `Bearer   ${TOKEN}  `]) {
      const res = await fetch(`${exporter.url}/api/v1/nodes`, { headers: { authorization } });
      expect(res.status).toBe(200);
    }
  });

  test('/healthz, /readyz and (unprotected) /metrics stay open', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      const res = await fetch(exporter.url + path);
      expect([path, res.status]).toEqual([path, 200]);
    }
  });

  test('--protect-metrics puts /metrics behind the token, the probes stay open', async () => {
    const open = await fetch(`${metricsExporter.url}/metrics`);
    expect(open.status).toBe(401);
    expect(open.headers.get('www-authenticate')).toBe('Bearer realm="ciliumscope"');
    expect((await fetch(`${metricsExporter.url}/metrics`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${metricsExporter.url}/healthz`)).status).toBe(200);
    expect([200, 503]).toContain((await fetch(`${metricsExporter.url}/readyz`)).status);
  });

  test('the comparison takes any length and never throws', () => {
    for (const presented of ['', 'x', TOKEN, TOKEN + TOKEN, 'é'.repeat(1000)]) {
      expect(tokenMatches(TOKEN, presented)).toBe(presented === TOKEN);
    }
  });

  test('token files: read and trimmed; empty or spaced ones refused with a message', () => {
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const load = (file: string) => () => loadConfig({ argv: ['--token-file', file], env: {} });
    expect(load(write('empty', '\n'))).toThrow(/is empty/);
    expect(load(write('spaced', 'two words\n'))).toThrow(/single token/);
    expect(load(join(dir, 'missing'))).toThrow(/cannot read/);
    expect(() => loadConfig({ argv: ['--protect-metrics'], env: {} })).toThrow(/needs --token-file/);
  });
});

describe('no server-side request forgery', () => {
  /** Source files that serve requests: nothing in them may open a connection. */
  const routeFiles = () => {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
          walk(p);
        } else if (p.endsWith('.ts')) {
          out.push(p);
        }
      }
    };
    walk(join(ROOT, 'exporter', 'http'));
    return out;
  };

  test('the HTTP layer imports no client and builds no URL from a request', () => {
    const files = routeFiles();
    expect(files.length).toBeGreaterThan(5);
    const forbidden = [
      /from ['"]undici['"]/,
      /from ['"](node:)?(http|https|net|tls|dns|http2)['"]/,
      /require\(['"](node:)?(http|https|net|tls|dns|undici)['"]\)/,
      /\bfetch\s*\(/,
      /\bScrapeClient\b/,
      /\.scrape\s*\(/,
      /new URL\(\s*req/,
      /req\.(hostname|host)\b/,
      /req\.get\(['"](host|x-forwarded-host|referer|origin)['"]\)/i,
    ];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of forbidden) {
        expect([relative(ROOT, file), pattern.source, pattern.test(text)]).toEqual([
          relative(ROOT, file),
          pattern.source,
          false,
        ]);
      }
    }
  });

  test('targets come only from configuration and discovery, never from the query layer', () => {
    const scrapeUsers: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
          walk(p);
        } else if (p.endsWith('.ts') && /\bmakeTarget\(|\bclient\.scrape\(/.test(readFileSync(p, 'utf8'))) {
          scrapeUsers.push(relative(ROOT, p));
        }
      }
    };
    walk(join(ROOT, 'exporter'));
    expect(scrapeUsers.every((f) => /^exporter\/(app\.ts|scrape\/|kube\/)/.test(f))).toBe(true);
  });

  test('URLs and hosts planted in every input cause no outbound request', async () => {
    const target = canary.url;
    const host = new URL(target).host;
    const planted = [target, `${target}/metrics`, host, `//${host}/x`, `file:///etc/passwd`, `gopher://${host}/`];
    const before = agentRequests;
    const statuses = new Set<number>();
    for (const value of planted) {
      const headers = {
        ...bearer,
        'content-type': 'application/json',
        'x-forwarded-host': host,
        'x-forwarded-for': host,
        referer: target,
        origin: target,
      };
      const body = {
        from: Date.now() - 3_600_000,
        to: Date.now(),
        queries: QUERY_TYPE_ORDER.map((queryType, i) => ({
          refId: `R${i}`,
          queryType,
          node: value,
          namespace: [value],
          direction: value,
          reason: value,
          state: value,
          url: value,
          target: value,
        })),
      };
      for (const [method, path, payload] of [
        ['POST', '/api/v1/query', body],
        [
          'POST',
          '/api/v1/annotations',
          { from: Date.now() - 3_600_000, to: Date.now(), kind: 'agentRestarts', node: value, url: value },
        ],
        ['GET', `/api/v1/nodes?url=${encodeURIComponent(value)}&target=${encodeURIComponent(value)}`, undefined],
        [
          'GET',
          `/api/v1/unmanaged-pods?node=${encodeURIComponent(value)}&namespace=${encodeURIComponent(value)}`,
          undefined,
        ],
        ['GET', `/api/v1/status?host=${encodeURIComponent(value)}`, undefined],
        ['GET', `/api/v1/drop-reasons?reason=${encodeURIComponent(value)}`, undefined],
        ['GET', `/metrics?target=${encodeURIComponent(value)}&url=${encodeURIComponent(value)}`, undefined],
      ] as const) {
        const res = await fetch(exporter.url + path, {
          method,
          headers,
          body: payload ? JSON.stringify(payload) : undefined,
        });
        await res.arrayBuffer();
        statuses.add(res.status);
      }
    }
    // Absolute-form request targets ("GET http://host/ HTTP/1.1") are not proxied either.
    const raw = await rawRequest(
      exporter.port,
      `GET ${target}/metrics HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TOKEN}\r\nConnection: close\r\n\r\n`
    );
    expect(raw).toMatch(/^HTTP\/1\.1 (200|404)/);
    await new Promise((r) => setTimeout(r, 200));
    expect(canaryHits).toBe(0);
    expect(agentRequests).toBe(before);
    expect([...statuses].every((s) => s < 500)).toBe(true);
  });
});

describe('request limits', () => {
  const post = (body: string) =>
    fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { ...bearer, 'content-type': 'application/json' },
      body,
    });
  const query = (over: Record<string, unknown>, queries: unknown[] = [{ refId: 'A', queryType: 'endpoints' }]) =>
    post(JSON.stringify({ from: 0, to: 60_000, queries, ...over }));

  test('a body over 256 kB is refused with 413 before it is parsed', async () => {
    const res = await post(
      JSON.stringify({ from: 0, to: 1, queries: [{ refId: 'A', queryType: 'endpoints', node: 'n'.repeat(270_000) }] })
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: 'body larger than 256kb', field: 'body' });
  });

  test('ranges over 31 days, too many points or queries are refused naming the field', async () => {
    const day = 86_400_000;
    const cases: Array<[Promise<Response>, string]> = [
      [query({ from: 0, to: 31 * day + 1 }), 'to'],
      [query({ maxDataPoints: 11_001 }), 'maxDataPoints'],
      [
        query(
          {},
          Array.from({ length: 51 }, (_, i) => ({ refId: `Q${i}`, queryType: 'endpoints' }))
        ),
        'queries',
      ],
      [
        query({}, [{ refId: 'A', queryType: 'endpoints', node: Array.from({ length: 1001 }, (_, i) => `n${i}`) }]),
        'queries[0].node',
      ],
      [query({}, [{ refId: 'A', queryType: 'endpoints', node: 'x'.repeat(257) }]), 'queries[0].node'],
      [query({}, [{ refId: 'A', queryType: 'drops', view: 'topNodes', limit: 1001 }]), 'queries[0].limit'],
    ];
    for (const [pending, field] of cases) {
      const res = await pending;
      expect([field, res.status]).toEqual([field, 400]);
      const body = (await res.json()) as { error: string; field: string };
      expect(body.field).toBe(field);
    }
    expect((await query({ from: 0, to: 31 * day })).status).toBe(200);
    expect(
      (
        await query(
          {},
          Array.from({ length: 50 }, (_, i) => ({ refId: `Q${i}`, queryType: 'endpoints' }))
        )
      ).status
    ).toBe(200);
  });
});

describe('slow clients', () => {
  test('a client trickling its headers is cut after the header timeout while others are served', async () => {
    const socket = connect(exporter.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const started = Date.now();
    let closed = false;
    const closedAt = new Promise<number>((resolve) =>
      socket.once('close', () => {
        closed = true;
        resolve(Date.now() - started);
      })
    );
    socket.on('error', () => undefined);
    socket.write('GET /api/v1/nodes HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => !closed && socket.write('X-Slow: a\r\n'), 500);
    try {
      // Meanwhile the server answers everyone else.
      const t = Date.now();
      expect((await fetch(`${exporter.url}/healthz`)).status).toBe(200);
      expect(Date.now() - t).toBeLessThan(1000);
      const after = await closedAt;
      expect(after).toBeGreaterThanOrEqual(9_000);
      expect(after).toBeLessThan(14_000);
    } finally {
      clearInterval(trickle);
      socket.destroy();
    }
  }, 20_000);
});

describe('the image and what it writes', () => {
  test('the exporter image runs as an unprivileged user', () => {
    const dockerfile = readFileSync(join(ROOT, 'Dockerfile.exporter'), 'utf8');
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    const user = /^USER\s+(\S+)/m.exec(finalStage)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(finalStage).not.toMatch(/^VOLUME/m);
  });

  test('the Deployment keeps the root filesystem read-only, without privileges', () => {
    const text = readFileSync(join(ROOT, 'deploy', 'base', 'deployment.yaml'), 'utf8');
    for (const line of [
      'readOnlyRootFilesystem: true',
      'runAsNonRoot: true',
      'allowPrivilegeEscalation: false',
      "drop: ['ALL']",
    ]) {
      expect(text).toContain(line);
    }
    const rbac = readFileSync(join(ROOT, 'deploy', 'base', 'rbac.yaml'), 'utf8')
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .join('\n');
    const verbs = [...rbac.matchAll(/verbs:\s*\[([^\]]*)\]/g)].flatMap((m) =>
      m[1].split(',').map((v) => v.trim().replace(/'/g, ''))
    );
    expect(verbs.length).toBeGreaterThan(0);
    expect(verbs.every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
    expect(rbac).not.toMatch(/secrets|\*/);
  });

  test('at run time the exporter writes files only where asked (the anomaly state file)', () => {
    const writers: string[] = [];
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) {
          walk(p);
        } else if (
          p.endsWith('.ts') &&
          /\b(writeFile|writeFileSync|appendFile|createWriteStream|mkdir|rename)\w*\s*\(/.test(readFileSync(p, 'utf8'))
        ) {
          writers.push(relative(ROOT, p));
        }
      }
    };
    walk(join(ROOT, 'exporter'));
    expect(writers.every((f) => f.startsWith('exporter/anomaly/'))).toBe(true);
  });
});

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (c) => (data += c));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(data);
    });
  });
}
