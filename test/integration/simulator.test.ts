/**
 * The simulator over loopback HTTP: pages, truth, gzip negotiation, control endpoints and every fault.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { agentSampleFromPage, operatorSampleFromPage, parsePage } from '../unit/simulator/page-parser';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Set when the response started but did not complete. */
  error?: Error;
}

/** One request on a fresh connection; rejects when no response arrives (reset, refused, client timeout). */
function call(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = (error?: Error): void => {
        if (!settled) {
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error });
        }
      };
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => finish());
      res.on('error', (error) => finish(error));
      res.on('close', () => finish(res.complete ? undefined : new Error('incomplete response')));
    });
    req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(options.body);
  });
}

const post = (url: string, body: unknown): Promise<Reply> =>
  call(url, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

const json = (reply: Reply): Record<string, unknown> =>
  JSON.parse(reply.body.toString('utf8')) as Record<string, unknown>;

/** HTTP truth has "+Inf" where the programmatic truth has Infinity. */
const viaJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v) => (v === Infinity ? '+Inf' : v)));

describe('simulator HTTP server', () => {
  let sim: RunningSimulator;

  beforeAll(async () => {
    sim = await startSimulator({ nodes: 4, seed: 12, pageKB: 80, ciliumVersion: '1.18' });
  });

  afterAll(async () => {
    await sim.close();
  });

  afterEach(() => {
    sim.setFault('*', 'none');
    sim.setOperatorFault('none');
  });

  test('serves every agent, the operator and the truth, and they agree', async () => {
    sim.tick(5);
    const truth = sim.truth();
    expect(sim.nodes).toEqual(['node-000', 'node-001', 'node-002', 'node-003']);
    for (const node of sim.nodes) {
      const reply = await call(sim.agentUrl(node));
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(Number(reply.headers['content-length'])).toBe(reply.body.length);
      expect(agentSampleFromPage(parsePage(reply.body.toString('utf8')))).toEqual(truth.nodes[node].agent);
    }
    const operator = await call(sim.operatorUrl);
    expect(operator.status).toBe(200);
    expect(operatorSampleFromPage(parsePage(operator.body.toString('utf8')))).toEqual(truth.operator.sample);
    const remote = await call(`${sim.url}/truth`);
    expect(remote.headers['content-type']).toMatch(/^application\/json/);
    expect(json(remote)).toEqual(viaJson(truth));
    const one = json(await call(`${sim.url}/truth?node=node-002`));
    expect(Object.keys(one.nodes as object)).toEqual(['node-002']);
  });

  test('gzip when the client accepts it, identity otherwise', async () => {
    const plain = await call(sim.agentUrl('node-001'));
    const zipped = await call(sim.agentUrl('node-001'), { headers: { 'Accept-Encoding': 'br, gzip;q=0.8' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toBe('Accept-Encoding');
    expect(zipped.body.length).toBeLessThan(plain.body.length / 4);
    expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
    const refused = await call(sim.agentUrl('node-001'), { headers: { 'Accept-Encoding': 'gzip;q=0' } });
    expect(refused.headers['content-encoding']).toBeUndefined();
    // fetch (undici) negotiates gzip and decodes it.
    const viaFetch = await fetch(sim.agentUrl('node-001'));
    expect(await viaFetch.text()).toBe(plain.body.toString('utf8'));
    const head = await call(sim.agentUrl('node-001'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers['content-length'])).toBe(plain.body.length);
    expect(head.body.length).toBe(0);
  });

  test('with gzip off, a client that accepts gzip gets the plain page', async () => {
    const plainSim = await startSimulator({ nodes: 1, seed: 7, gzip: false, kube: false });
    try {
      const reply = await call(plainSim.agentUrl(plainSim.nodes[0]), { headers: { 'Accept-Encoding': 'gzip' } });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-encoding']).toBeUndefined();
      expect(reply.body.toString('utf8')).toMatch(/^# HELP /);
    } finally {
      await plainSim.close();
    }
  });

  test('pages change at ticks and only then', async () => {
    const a = await call(sim.agentUrl('node-000'));
    const b = await call(sim.agentUrl('node-000'));
    expect(b.body.equals(a.body)).toBe(true);
    const tick = json(await post(`${sim.url}/control/tick`, { n: 2 }));
    expect(tick.tick).toBe(sim.cluster.tickCount);
    const c = await call(sim.agentUrl('node-000'));
    expect(c.body.equals(a.body)).toBe(false);
  });

  test('clear errors for unknown nodes, routes, methods and bad control requests', async () => {
    const unknown = await call(`${sim.url}/agents/node-999/metrics`);
    expect(unknown.status).toBe(404);
    expect(json(unknown).error).toBe('no agent on node "node-999"');
    // Hubble is off unless the simulator is started with it.
    const hubble = await call(`${sim.url}/hubble/node-000/metrics`);
    expect(hubble.status).toBe(404);
    expect(json(hubble).error).toMatch(/^Hubble is off in this simulator: start it with --hubble/);
    expect((await post(`${sim.url}/control/hubble`, { node: 'node-000', mode: 'spray' })).status).toBe(404);
    expect((await call(`${sim.url}/nope`)).status).toBe(404);
    expect((await call(`${sim.url}/control/tick`)).status).toBe(405);
    const badFault = await post(`${sim.url}/control/fault`, { node: 'node-000', fault: 'explode' });
    expect(badFault.status).toBe(400);
    expect(json(badFault)).toMatchObject({
      field: 'fault',
      error: expect.stringMatching(/^fault must be one of none, down/),
    });
    const badNode = await post(`${sim.url}/control/fault`, { node: 'node-42', fault: 'down' });
    expect(json(badNode)).toEqual({ error: 'unknown node "node-42"' });
    const badTicks = await post(`${sim.url}/control/tick`, { n: -1 });
    expect(json(badTicks)).toMatchObject({ field: 'n' });
    const notJson = await call(`${sim.url}/control/tick`, { method: 'POST', body: '{oops' });
    expect(notJson.status).toBe(400);
    expect(json(notJson).error).toBe('request body is not valid JSON');
    const huge = await call(`${sim.url}/control/tick`, {
      method: 'POST',
      body: JSON.stringify({ pad: 'x'.repeat(70_000) }),
    });
    expect(huge.status).toBe(413);
    const badSpike = await post(`${sim.url}/control/spike`, {
      node: 'node-000',
      direction: 'INGRESS',
      reason: 'Policy denied',
      factor: 'big',
      ticks: 2,
    });
    expect(json(badSpike)).toMatchObject({ field: 'factor' });
  });

  test('down resets the connection; http500 answers 500', async () => {
    await post(`${sim.url}/control/fault`, { node: 'node-001', fault: 'down' });
    await expect(call(sim.agentUrl('node-001'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await call(sim.agentUrl('node-000'))).status).toBe(200);
    sim.setFault('node-001', 'http500');
    const reply = await call(sim.agentUrl('node-001'));
    expect(reply.status).toBe(500);
    expect(sim.truth().nodes['node-001'].fault).toBe('http500');
  });

  test('slow answers after delayMs; hang never answers before the client gives up', async () => {
    await post(`${sim.url}/control/fault`, { node: 'node-002', fault: 'slow', delayMs: 300 });
    const started = Date.now();
    const slow = await call(sim.agentUrl('node-002'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(slow.status).toBe(200);
    sim.setFault('node-002', 'hang');
    const hangStarted = Date.now();
    await expect(call(sim.agentUrl('node-002'), { timeoutMs: 300 })).rejects.toThrow('client timeout');
    expect(Date.now() - hangStarted).toBeGreaterThanOrEqual(290);
    sim.setFault('node-002', 'none');
    expect((await call(sim.agentUrl('node-002'))).status).toBe(200);
  });

  test('malformed puts one broken line in the middle of an otherwise complete page', async () => {
    const healthy = (await call(sim.agentUrl('node-003'))).body.toString('utf8');
    sim.setFault('node-003', { kind: 'malformed' });
    const broken = (await call(sim.agentUrl('node-003'))).body.toString('utf8');
    expect(() => parsePage(broken)).toThrow(/invalid sample line "cilium_endpoint_state\{broken="unterminated 1"/);
    const lines = broken.split('\n');
    const bad = lines.findIndex((l) => l.startsWith('cilium_endpoint_state{broken'));
    expect(bad / lines.length).toBeGreaterThan(0.1);
    expect(bad / lines.length).toBeLessThan(0.9);
    expect([...lines.slice(0, bad), ...lines.slice(bad + 1)].join('\n')).toBe(healthy);
  });

  test('truncated announces the whole length, sends part of it cut mid-line, then closes', async () => {
    const healthy = (await call(sim.agentUrl('node-003'))).body;
    sim.setFault('node-003', 'truncated');
    const reply = await call(sim.agentUrl('node-003'));
    expect(reply.error).toBeDefined();
    expect(Number(reply.headers['content-length'])).toBe(healthy.length);
    expect(reply.body.length).toBeGreaterThan(healthy.length * 0.3);
    expect(reply.body.length).toBeLessThan(healthy.length * 0.7);
    expect(healthy.subarray(0, reply.body.length).equals(reply.body)).toBe(true);
    expect(reply.body[reply.body.length - 1]).not.toBe(10);
  });

  test('oversized streams a valid page of sizeMB', async () => {
    sim.setFault('node-000', { kind: 'oversized', sizeMB: 3 });
    const reply = await call(sim.agentUrl('node-000'), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.error).toBeUndefined();
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(reply.body.length).toBe(Number(reply.headers['content-length']));
    expect(reply.body.length).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(reply.body.length).toBeLessThan(3 * 1024 * 1024 + 100);
    const families = parsePage(reply.body.toString('utf8'));
    expect(agentSampleFromPage(families)).toEqual(sim.truth().nodes['node-000'].agent);
  });

  test('gzipCorrupt sends a gzip body no decoder accepts', async () => {
    sim.setFault('node-000', 'gzipCorrupt');
    const reply = await call(sim.agentUrl('node-000'), { headers: { 'Accept-Encoding': 'gzip' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(reply.body.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(true);
    expect(() => gunzipSync(reply.body)).toThrow();
  });

  test('flapping alternates answers and resets, per request', async () => {
    sim.setFault('node-001', 'flapping');
    const outcomes: string[] = [];
    for (let i = 0; i < 4; i++) {
      outcomes.push(
        await call(sim.agentUrl('node-001')).then(
          (r) => String(r.status),
          (e: NodeJS.ErrnoException) => e.code ?? 'error'
        )
      );
    }
    expect(outcomes).toEqual(['200', 'ECONNRESET', '200', 'ECONNRESET']);
  });

  test('restart resets the counters once and changes the process start time', async () => {
    const before = sim.truth().nodes['node-002'].agent!;
    await post(`${sim.url}/control/fault`, { node: 'node-002', fault: 'restart' });
    const page = agentSampleFromPage(parsePage((await call(sim.agentUrl('node-002'))).body.toString('utf8')));
    expect(page.processStartTimeSeconds!).toBeGreaterThan(before.processStartTimeSeconds!);
    expect(page.forwarded.map((f) => f.packets)).toEqual([0, 0]);
    expect(page).toEqual(sim.truth().nodes['node-002'].agent);
    expect(sim.truth().nodes['node-002'].fault).toBe('none');
    sim.tick();
    const after = sim.truth().nodes['node-002'].agent!;
    expect(after.processStartTimeSeconds).toBe(page.processStartTimeSeconds);
    expect(after.forwarded[0].packets).toBeGreaterThan(0);
  });

  test('operator faults leave the agents alone', async () => {
    await post(`${sim.url}/control/operator`, { fault: 'http500' });
    expect((await call(sim.operatorUrl)).status).toBe(500);
    expect((await call(sim.agentUrl('node-000'))).status).toBe(200);
    expect(sim.truth().operator.fault).toBe('http500');
    const start = sim.truth().operator.sample.processStartTimeSeconds!;
    await post(`${sim.url}/control/operator`, { fault: 'restart' });
    expect((await call(sim.operatorUrl)).status).toBe(200);
    expect(sim.truth().operator.sample.processStartTimeSeconds!).toBeGreaterThan(start);
  });

  test('a spike multiplies one drop series for a number of ticks', async () => {
    const series = (): number =>
      sim
        .truth()
        .nodes['node-003'].agent!.dropped.find(
          (d) => d.direction === 'EGRESS' && d.reason === 'CT: Map insertion failed'
        )?.packets ?? 0;
    const before = series();
    const reply = await post(`${sim.url}/control/spike`, {
      node: 'node-003',
      direction: 'EGRESS',
      reason: 'CT: Map insertion failed',
      factor: 40,
      ticks: 2,
    });
    expect(reply.status).toBe(200);
    expect(sim.truth().spikes).toEqual([expect.objectContaining({ node: 'node-003', factor: 40, remainingTicks: 2 })]);
    await post(`${sim.url}/control/tick`, { n: 3 });
    expect(series() - before).toBeGreaterThan(39 * 5 * 2 * 0.7);
    expect(sim.truth().spikes).toEqual([]);
  });
});

describe('simulator lifecycle', () => {
  test('close() ends hanging requests and slow timers promptly', async () => {
    const sim = await startSimulator({ nodes: 2, pageKB: 20 });
    sim.setFault('node-000', 'hang');
    sim.setFault('node-001', { kind: 'slow', delayMs: 60_000 });
    const hanging = call(sim.agentUrl('node-000'), { timeoutMs: 10_000 }).then(
      () => 'answered',
      (e: Error) => e.message
    );
    const slow = call(sim.agentUrl('node-001'), { timeoutMs: 10_000 }).then(
      () => 'answered',
      (e: Error) => e.message
    );
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBe('socket hang up');
    expect(await slow).toBe('socket hang up');
    await expect(call(sim.agentUrl('node-000'))).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('connections beyond maxConnections are refused', async () => {
    const sim = await startSimulator({ nodes: 1, pageKB: 20, maxConnections: 2 });
    sim.setFault('node-000', 'hang');
    const held = [
      call(sim.agentUrl('node-000'), { timeoutMs: 5000 }).catch(() => 'closed'),
      call(sim.agentUrl('node-000'), { timeoutMs: 5000 }).catch(() => 'closed'),
    ];
    await new Promise((r) => setTimeout(r, 100));
    await expect(call(`${sim.url}/healthz`)).rejects.toThrow();
    await sim.close();
    expect(await Promise.all(held)).toEqual(['closed', 'closed']);
  });

  test('auto ticks advance the cluster', async () => {
    const sim = await startSimulator({ nodes: 1, pageKB: 20, autoTickMs: 20 });
    await new Promise((r) => setTimeout(r, 150));
    expect(sim.cluster.tickCount).toBeGreaterThanOrEqual(3);
    await sim.close();
    const stopped = sim.cluster.tickCount;
    await new Promise((r) => setTimeout(r, 60));
    expect(sim.cluster.tickCount).toBe(stopped);
  });

  test('bad options are reported before listening', async () => {
    await expect(startSimulator({ nodes: 2, pageKB: -5 })).rejects.toThrow(/pageKB must be from 0 to 8192/);
    await expect(startSimulator({ nodes: 2, ciliumVersion: '1.3' })).rejects.toThrow(/unsupported Cilium version/);
    await expect(startSimulator({ nodes: 2, autoTickMs: -1 })).rejects.toThrow(/autoTickMs/);
  });
});
