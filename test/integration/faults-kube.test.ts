/**
 * Everything failing at once, with Kubernetes wired in: the API server away, a fifth of the agents down and the
 * operator gone. The exporter keeps serving quickly, keeps the agents it discovered, marks the failed agents and
 * the Kubernetes data stale, keeps healthy nodes exact, and recovers by itself when everything is back.
 */
import type { NodesResponse, StatusResponse } from '../../src/contract';
import { seriesId } from '../support/exposition';
import { type Pair, converged, getJson, metrics, startPair, unmanaged, waitFor } from './kube-support';

const STALE_MS = 1500;
let pair: Pair;

beforeAll(async () => {
  pair = await startPair({ nodes: 10, scenario: 'kube-hard-cases' }, { staleAfterMs: STALE_MS });
  await pair.exporter.kube!.whenSynced(10_000);
  await pair.exporter.scrapeNow();
  await converged(pair);
});
afterAll(() => pair?.close());

const quick = async (path: string) => {
  const t = Date.now();
  const res = await fetch(pair.exporter.url + path);
  await res.arrayBuffer();
  return { status: res.status, ms: Date.now() - t };
};

test('the API server, agents and the operator down together: served, marked, exact where healthy, recovered', async () => {
  const nodes = (await getJson<NodesResponse>(`${pair.exporter.url}/api/v1/nodes`)).nodes.map((n) => n.name);
  expect(nodes.length).toBeGreaterThanOrEqual(8);
  const down = nodes.slice(0, 2);
  const healthy = nodes.slice(2);

  pair.sim.setKubeFault({ kind: 'down', reset: false });
  for (const n of down) {
    pair.sim.setFault(n, 'down');
  }
  pair.sim.setOperatorFault('down');
  pair.sim.tick();
  await new Promise((r) => setTimeout(r, STALE_MS + 200));
  const stats = await pair.exporter.scrapeNow();
  // The discovered agents are kept while the API server is away: the two down ones and the operator fail.
  expect(stats.targets).toBe(nodes.length + 1);
  expect(stats.failed).toBe(down.length + 1);

  for (const path of ['/metrics', '/api/v1/nodes', '/api/v1/status', '/api/v1/unmanaged-pods', '/healthz', '/readyz']) {
    const r = await quick(path);
    expect([path, r.status]).toEqual([path, 200]);
    expect(r.ms).toBeLessThan(1000);
  }
  const away = await waitFor(
    'Kubernetes staleness',
    () => unmanaged(pair.exporter),
    (a) => a.stale,
    6000
  );
  expect(away.notice).toMatch(/stale/);
  const m = await metrics(pair.exporter);
  const truth = pair.sim.truth();
  for (const n of down) {
    expect(m.get(seriesId('ciliumscope_target_up', { node: n, component: 'agent' }))).toBe(0);
    expect(m.get(seriesId('ciliumscope_target_stale', { node: n, component: 'agent' }))).toBe(1);
    expect(m.has(seriesId('ciliumscope_endpoints_total', { node: n }))).toBe(false);
  }
  for (const n of healthy) {
    expect(m.get(seriesId('ciliumscope_endpoints_total', { node: n }))).toBe(truth.nodes[n].agent!.endpoints);
    expect(m.get(seriesId('ciliumscope_target_stale', { node: n, component: 'agent' }))).toBe(0);
  }
  const status = await getJson<StatusResponse>(`${pair.exporter.url}/api/v1/status`);
  expect(status.operator.up).toBe(false);
  expect(status.nodes.down).toBe(down.length);
  expect(status.kubernetes.synced).toBe(true);

  // Everything back: no restart, the next cycle and the watches bring it all back.
  for (const n of down) {
    pair.sim.setFault(n, 'none');
  }
  pair.sim.setOperatorFault('none');
  pair.sim.setKubeFault({ kind: 'down', reset: true });
  await new Promise((r) => setTimeout(r, 300));
  pair.sim.setKubeFault('none');
  pair.sim.tick();
  const back = await pair.exporter.scrapeNow();
  expect(back.failed).toBe(0);
  const recovered = await converged(pair, 10_000);
  expect(recovered.stale).toBe(false);
  const after = await metrics(pair.exporter);
  const now = pair.sim.truth();
  for (const n of nodes) {
    expect(after.get(seriesId('ciliumscope_target_up', { node: n, component: 'agent' }))).toBe(1);
    expect(after.get(seriesId('ciliumscope_endpoints_total', { node: n }))).toBe(now.nodes[n].agent!.endpoints);
  }
});
