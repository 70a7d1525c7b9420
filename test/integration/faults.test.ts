/**
 * Faults at scale, over real sockets on loopback: 10% of the agents down, and others hanging past the timeout,
 * answering malformed, truncated, gzip-corrupt or oversized pages, or flapping; the operator gone. The exporter
 * keeps serving (API and /metrics answer quickly while a cycle waits on hanging agents), marks what failed and
 * what is stale, keeps every healthy node's data exact (against the simulator's ground truth), and recovers
 * without a restart once the faults are cleared.
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import { type Fault, type RunningSimulator, startSimulator } from '../../simulator';
import type { NodesResponse, QueryResponse, StatusResponse } from '../../src/contract';
import { testConfig } from '../support/config';
import { readExposition, seriesId } from '../support/exposition';

const NODES = 40;
const TIMEOUT_MS = 800;
/** Simulated seconds per tick; the exporter's clock is the simulator's, so one cycle is one tick. */
let tickMs = 0;
let sim: RunningSimulator;
let exporter: RunningExporter;

/** Fault by node: 4 down (10%), one of every other kind. */
const FAULTS = new Map<string, Fault>();

beforeAll(async () => {
  sim = await startSimulator({ nodes: NODES, seed: 23, autoTickMs: 0, pageKB: 24 });
  tickMs = sim.cluster.tickSeconds * 1000;
  const kinds: Fault[] = [
    'down',
    'down',
    'down',
    'down',
    'hang',
    'malformed',
    'truncated',
    'gzipCorrupt',
    { kind: 'oversized', sizeMB: 2 },
    'flapping',
  ];
  kinds.forEach((fault, i) => FAULTS.set(sim.nodes[3 + i * 3], fault));
  exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      operator: { node: '', url: sim.operatorUrl },
      scrapeIntervalMs: tickMs,
      scrapeTimeoutMs: TIMEOUT_MS,
      maxConcurrency: 8,
      maxBodyBytes: 1024 * 1024,
      staleAfterMs: 3 * tickMs,
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
});

afterAll(async () => {
  await exporter?.close();
  await sim?.close();
});

const healthy = () => sim.nodes.filter((n) => !FAULTS.has(n));

async function cycle() {
  sim.tick();
  const started = Date.now();
  const stats = await exporter.scrapeNow();
  return { stats, wallMs: Date.now() - started };
}

async function metrics(): Promise<Map<string, number>> {
  const res = await fetch(`${exporter.url}/metrics`);
  expect(res.status).toBe(200);
  return readExposition(await res.text());
}

async function nodes(): Promise<Map<string, NodesResponse['nodes'][number]>> {
  const body = (await (await fetch(`${exporter.url}/api/v1/nodes`)).json()) as NodesResponse;
  return new Map(body.nodes.map((n) => [n.name, n]));
}

/** Every healthy node's counters on /metrics equal what the simulator serves right now. */
async function expectHealthyExact(names: string[]) {
  const m = await metrics();
  const truth = sim.truth();
  for (const node of names) {
    const a = truth.nodes[node].agent!;
    expect([node, m.get(seriesId('ciliumscope_endpoints_total', { node }))]).toEqual([node, a.endpoints]);
    expect([node, m.get(seriesId('ciliumscope_target_up', { node, component: 'agent' }))]).toEqual([node, 1]);
    expect([node, m.get(seriesId('ciliumscope_target_stale', { node, component: 'agent' }))]).toEqual([node, 0]);
    for (const f of a.forwarded) {
      expect(m.get(seriesId('ciliumscope_forwarded_packets_total', { node, direction: f.direction }))).toBe(f.packets);
    }
    for (const d of a.dropped) {
      expect(
        m.get(seriesId('ciliumscope_dropped_packets_total', { node, direction: d.direction, reason: d.reason }))
      ).toBe(d.packets);
    }
    for (const [state, count] of Object.entries(a.endpointStates)) {
      expect(m.get(seriesId('ciliumscope_endpoints', { node, state }))).toBe(count);
    }
  }
}

/** Failed scrapes so far of every kind but `kind`, from /metrics. */
async function failuresBesides(kind: string): Promise<number> {
  let total = 0;
  for (const [id, value] of await metrics()) {
    if (id.startsWith('ciliumscope_target_scrape_errors_total{') && !id.includes(`kind="${kind}"`)) {
      total += value;
    }
  }
  return total;
}

test('a clean cycle first: every node up and exact', async () => {
  let { stats } = await cycle();
  if (stats.failed > 0) {
    // The in-process simulator renders and gzips each page on its first request; with other suites on the two
    // cores that can pass the 800 ms the hang fault below needs. A timeout then is the machine's: nothing else
    // may have failed, and the next cycle must be clean.
    expect(await failuresBesides('timeout')).toBe(0);
    ({ stats } = await cycle());
  }
  expect(stats.failed).toBe(0);
  await expectHealthyExact(sim.nodes);
});

describe('with faults on a quarter of the agents and the operator gone', () => {
  beforeAll(() => {
    for (const [node, fault] of FAULTS) {
      sim.setFault(node, fault);
    }
    sim.setOperatorFault('down');
  });

  test('a cycle ends shortly after the scrape timeout, and the API and /metrics answer while it waits', async () => {
    sim.tick();
    const started = Date.now();
    const running = exporter.scrapeNow();
    // While the cycle waits on the hanging agent, the HTTP surface stays responsive.
    await new Promise((r) => setTimeout(r, TIMEOUT_MS / 4));
    const during: number[] = [];
    for (const path of ['/metrics', '/api/v1/nodes', '/api/v1/status', '/healthz']) {
      const t = Date.now();
      const res = await fetch(exporter.url + path);
      await res.arrayBuffer();
      expect([path, res.status]).toEqual([path, 200]);
      during.push(Date.now() - t);
    }
    const query = await fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: sim.cluster.nowSeconds * 1000 - 3_600_000,
        to: sim.cluster.nowSeconds * 1000,
        queries: [{ refId: 'A', queryType: 'agentHealth' }],
      }),
    });
    expect(query.status).toBe(200);
    const stats = await running;
    const wallMs = Date.now() - started;
    expect(Math.max(...during)).toBeLessThan(500);
    expect(wallMs).toBeLessThan(TIMEOUT_MS + 2000);
    // Every faulted agent but the flapping one fails its first faulted scrape; the operator too.
    expect(stats.failed).toBeGreaterThanOrEqual(FAULTS.size - 1 + 1);
    expect(stats.succeeded).toBeGreaterThanOrEqual(healthy().length);
  });

  test('failed targets are marked down with the reason, then stale; healthy nodes stay exact', async () => {
    for (let i = 0; i < 4; i++) {
      await cycle();
    }
    const m = await metrics();
    const byNode = await nodes();
    const expectedKind: Record<string, RegExp> = {
      down: /cannot fetch|connection/,
      hang: /timed out/,
      malformed: /invalid metrics page/,
      truncated: /truncated|connection closed|cannot fetch/,
      gzipCorrupt: /corrupt gzip/,
      oversized: /larger than the 1 MiB limit/,
    };
    for (const [node, fault] of FAULTS) {
      const kind = typeof fault === 'string' ? fault : fault.kind;
      const info = byNode.get(node)!;
      if (kind === 'flapping') {
        // Up every other cycle: never stale, and its data is withdrawn never.
        expect(info.stale).toBe(false);
        expect(m.get(seriesId('ciliumscope_target_stale', { node, component: 'agent' }))).toBe(0);
        continue;
      }
      expect([node, kind, info.up, info.stale]).toEqual([node, kind, false, true]);
      expect(info.error).toMatch(expectedKind[kind]);
      expect(m.get(seriesId('ciliumscope_target_up', { node, component: 'agent' }))).toBe(0);
      expect(m.get(seriesId('ciliumscope_target_stale', { node, component: 'agent' }))).toBe(1);
      // Stale values are withdrawn, so Prometheus never alerts on frozen numbers.
      expect(m.has(seriesId('ciliumscope_endpoints_total', { node }))).toBe(false);
      const errors = [...m.entries()].filter(
        ([id]) => id.startsWith('ciliumscope_target_scrape_errors_total{') && id.includes(`node="${node}"`)
      );
      expect(errors.reduce((a, [, v]) => a + v, 0)).toBeGreaterThanOrEqual(4);
    }
    expect(m.get(seriesId('ciliumscope_target_up', { node: '', component: 'operator' }))).toBe(0);
    expect(m.get(seriesId('ciliumscope_target_stale', { node: '', component: 'operator' }))).toBe(1);
    const status = (await (await fetch(`${exporter.url}/api/v1/status`)).json()) as StatusResponse;
    expect(status.operator.up).toBe(false);
    expect(status.operator.error).toMatch(/cannot fetch/);
    expect(status.nodes.stale).toBe(FAULTS.size - 1);
    await expectHealthyExact(healthy());
  });

  test('the agent health table carries stale and error per node', async () => {
    const res = await fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: sim.cluster.nowSeconds * 1000 - 3_600_000,
        to: sim.cluster.nowSeconds * 1000,
        queries: [{ refId: 'A', queryType: 'agentHealth' }],
      }),
    });
    const body = (await res.json()) as QueryResponse;
    const frame = body.results.A.frames[0];
    const col = (name: string) => frame.data.values[frame.schema.fields.findIndex((f) => f.name === name)] as unknown[];
    const rows = new Map(
      (col('Node') as string[]).map((n, i) => [
        `${n}|${col('Component')[i]}`,
        { stale: col('Stale')[i], error: col('Error')[i] },
      ])
    );
    const down = [...FAULTS.keys()].find((n) => FAULTS.get(n) === 'down')!;
    expect(rows.get(`${down}|agent`)).toEqual({ stale: true, error: expect.stringMatching(/cannot fetch/) });
    expect(rows.get(`${healthy()[0]}|agent`)).toEqual({ stale: false, error: '' });
    expect(rows.get('|operator')?.stale).toBe(true);
  });
});

describe('after the faults are cleared', () => {
  beforeAll(() => {
    for (const node of FAULTS.keys()) {
      sim.setFault(node, 'none');
    }
    sim.setOperatorFault('none');
  });

  test('every target recovers within one cycle, without a restart, with exact data', async () => {
    const { stats, wallMs } = await cycle();
    expect(stats.failed).toBe(0);
    expect(wallMs).toBeLessThan(TIMEOUT_MS);
    await expectHealthyExact(sim.nodes);
    const byNode = await nodes();
    expect([...byNode.values()].filter((n) => !n.up || n.stale || n.error !== null)).toEqual([]);
    const m = await metrics();
    expect(m.get(seriesId('ciliumscope_target_up', { node: '', component: 'operator' }))).toBe(1);
  });

  test('rates resume on the recovered nodes once their rate window holds only fresh samples', async () => {
    // The rate window is 4 scrape intervals (the step here is one): after 4 good cycles it starts at a good sample.
    const truths = [sim.truth()];
    for (let k = 0; k < 4; k++) {
      await cycle();
      truths.push(sim.truth());
    }
    const [before, after] = [truths[0], truths[4]];
    const node = [...FAULTS.keys()][0];
    const res = await fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from: before.timeSeconds * 1000,
        to: after.timeSeconds * 1000,
        intervalMs: tickMs,
        queries: [{ refId: 'A', queryType: 'packetFlow', node, direction: 'INGRESS' }],
      }),
    });
    const body = (await res.json()) as QueryResponse;
    const frame = body.results.A.frames.find((f) => f.schema.fields[1].labels?.verdict === 'forwarded')!;
    const [times, values] = frame.data.values as [number[], number[]];
    const fwd = (t: typeof before) => t.nodes[node].agent!.forwarded.find((f) => f.direction === 'INGRESS')!.packets;
    // Samples at both ends of the window: Prometheus's rate is the plain increase over the window.
    const expected = (fwd(after) - fwd(before)) / ((4 * tickMs) / 1000);
    const got = values[times.indexOf(after.timeSeconds * 1000)];
    expect(Math.abs(got - expected)).toBeLessThanOrEqual(Math.max(1e-6, expected * 1e-12));
  });
});
