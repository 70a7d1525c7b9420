/** The simulator's Kubernetes API under faults: 410 Expired in its two forms, dropped watches, down and slow. */
import { type RunningSimulator, startSimulator } from '../../simulator';
import { get, openWatch, post } from './simulator-kube-helpers';

describe('simulator Kubernetes API: 410 Expired and faults', () => {
  let sim: RunningSimulator;

  beforeEach(async () => {
    sim = await startSimulator({
      nodes: 3,
      seed: 8,
      pageKB: 20,
      podsPerNode: 10,
      kube: { eventLogSize: 20, bookmarkIntervalMs: 0 },
    });
  });

  afterEach(() => sim.close());

  test('a watch from a resourceVersion older than the event log gets one ERROR 410 Expired event', async () => {
    const rv0 = Number((await get(`${sim.url}/api/v1/pods`)).json.metadata.resourceVersion);
    let guard = 0;
    while (sim.kubeStats().resourceVersion - rv0 < 200 && guard++ < 200) {
      sim.tick(1);
      await get(`${sim.url}/api/v1/pods?limit=1`);
    }
    const watch = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv0}`);
    expect(watch.status).toBe(200);
    expect(await watch.ended).toBe('end');
    expect(watch.lines).toEqual([
      {
        type: 'ERROR',
        object: expect.objectContaining({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'Expired',
          code: 410,
        }),
      },
    ]);
    expect(watch.lines[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
    const fresh = Number((await get(`${sim.url}/api/v1/pods`)).json.metadata.resourceVersion);
    const again = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${fresh}&timeoutSeconds=1`);
    expect(await again.ended).toBe('end');
    expect(again.lines.some((l) => l.type === 'ERROR')).toBe(false);
  });

  test('gone: open watches get ERROR 410 and end, old resourceVersions expire, http410 answers the next LIST with HTTP 410', async () => {
    const rv0 = Number((await get(`${sim.url}/api/v1/pods`)).json.metadata.resourceVersion);
    const open = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv0}`);
    sim.tick(2);
    const lists = sim.kubeStats().requests['list pods'];
    const state = sim.setKubeFault({ kind: 'gone', http410: 1 });
    expect(state).toMatchObject({ kind: 'gone', pendingHttp410: 1 });
    expect(await open.ended).toBe('end');
    expect(open.lines[open.lines.length - 1]).toMatchObject({
      type: 'ERROR',
      object: { code: 410, reason: 'Expired' },
    });

    const refused = await get(`${sim.url}/api/v1/pods`);
    expect(refused.status).toBe(410);
    expect(refused.json).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    const relisted = await get(`${sim.url}/api/v1/pods`);
    expect(relisted.status).toBe(200);
    expect(sim.kubeStats().requests['list pods']).toBe(lists + 2);
    expect(sim.kubeStats().responses['410']).toBe(1);

    const old = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv0}`);
    expect(await old.ended).toBe('end');
    expect(old.lines).toEqual([{ type: 'ERROR', object: expect.objectContaining({ code: 410 }) }]);
  });

  test('watchDrop cuts open watches cleanly or abruptly, and with afterEvents ends each later watch after N events', async () => {
    const rv = Number((await get(`${sim.url}/api/v1/pods`)).json.metadata.resourceVersion);
    const a = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
    const b = await openWatch(`${sim.url}/apis/cilium.io/v2/ciliumendpoints?watch=1&resourceVersion=${rv}`);
    expect(sim.kubeStats().watches).toEqual({ pods: 1, ciliumendpoints: 1 });
    sim.setKubeFault('watchDrop');
    expect(await a.ended).toBe('end');
    expect(await b.ended).toBe('end');
    expect(sim.kubeStats().watches).toEqual({});

    const c = await openWatch(`${sim.url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
    sim.setKubeFault({ kind: 'watchDrop', abrupt: true });
    expect(await c.ended).toBe('error');

    sim.setKubeFault({ kind: 'watchDrop', afterEvents: 3 });
    const d = await openWatch(`${sim.url}/api/v1/pods?watch=1`);
    expect(await d.ended).toBe('end');
    expect(d.lines.map((l) => l.type)).toEqual(['ADDED', 'ADDED', 'ADDED']);
    sim.setKubeFault('none');
    const e = await openWatch(`${sim.url}/api/v1/pods?watch=1&timeoutSeconds=1`);
    expect(await e.ended).toBe('end');
    expect(e.lines.length).toBe(sim.cluster.listPods().length);
  });

  test('down answers 503 (or resets connections) and cuts watches; slow delays answers; none restores', async () => {
    const w = await openWatch(`${sim.url}/api/v1/pods?watch=1`);
    sim.setKubeFault('down');
    expect(await w.ended).toBe('error');
    const down = await get(`${sim.url}/api/v1/pods`);
    expect(down.status).toBe(503);
    expect(down.json).toMatchObject({ kind: 'Status', reason: 'ServiceUnavailable', code: 503 });
    expect((await get(`${sim.url}/agents/node-000/metrics`)).status).toBe(200);
    sim.setKubeFault({ kind: 'down', reset: true });
    await expect(get(`${sim.url}/api/v1/pods`)).rejects.toThrow(/ECONNRESET|socket hang up/);
    sim.setKubeFault({ kind: 'slow', delayMs: 400 });
    const started = Date.now();
    expect((await get(`${sim.url}/api/v1/pods?limit=1`)).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    sim.setKubeFault('none');
    expect((await get(`${sim.url}/api/v1/pods?limit=1`)).status).toBe(200);
    expect(sim.kubeStats().responses['503']).toBe(1);
  });

  test('POST /control/kube sets faults, GET returns the stats; bad faults are 400', async () => {
    const set = await post(`${sim.url}/control/kube`, { fault: 'slow', delayMs: 10 });
    expect(set.json).toEqual({ fault: expect.objectContaining({ kind: 'slow', delayMs: 10 }) });
    const stats = (await get(`${sim.url}/control/kube`)).json;
    expect(stats).toMatchObject({ fault: { kind: 'slow' }, resourceVersion: expect.any(Number) });
    const bad = await post(`${sim.url}/control/kube`, { fault: 'meltdown' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/fault must be one of none, down, watchDrop, gone, slow/);
    expect((await post(`${sim.url}/control/kube`, { fault: 'slow', delayMs: -1 })).status).toBe(400);
    expect((await post(`${sim.url}/control/kube`, { fault: 'none' })).json.fault.kind).toBe('none');
  });
});
