/**
 * Bad Hubble input: a page with context labels the exporter does not know, a Hubble endpoint that fails, and a
 * spray of a million distinct workload names. The exporter says what is wrong in the status, keeps memory and
 * /metrics bounded, and the agents' numbers stay exact.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { HubbleStatus } from '../../src/contract';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { readExposition } from '../support/exposition';
import { hubbleSettings } from '../support/hubble';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function heapUsed(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function hubbleStatus(exporter: RunningExporter): Promise<HubbleStatus> {
  return (await (await fetch(`${exporter.url}/api/v1/status`)).json()).hubble;
}

function expectAgentsExact(sim: RunningSimulator, page: string): void {
  const m = readExposition(page);
  const truth = sim.truth();
  for (const node of sim.nodes) {
    const agent = truth.nodes[node].agent!;
    for (const d of agent.dropped) {
      expect(m.get(`ciliumscope_dropped_packets_total{direction="${d.direction}",node="${node}",reason="${d.reason}"}`)).toBe(d.packets);
    }
    expect(m.get(`ciliumscope_endpoints_total{node="${node}"}`)).toBe(agent.endpoints);
    expect(m.get(`ciliumscope_target_up{component="agent",node="${node}"}`)).toBe(1);
  }
}

describe('bad Hubble input', () => {
  let sim: RunningSimulator;
  let exporter: RunningExporter;
  const K = 50;
  const MAX_SERIES = 5000;
  beforeAll(async () => {
    sim = await startSimulator({ nodes: 3, seed: 9, autoTickMs: 0, pageKB: 20, hubbleContext: 'pod', kube: false });
    exporter = await startExporter(
      testConfig({
        agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
        // The sprayed page is tens of MB, rendered and parsed in this one process: room to do so.
        scrapeIntervalMs: 30_000,
        scrapeTimeoutMs: 30_000,
        staleAfterMs: 1_000_000,
        maxBodyBytes: 64 * 1024 * 1024,
        hubble: hubbleSettings(sim, { topK: K, maxSeries: MAX_SERIES }),
      }),
      { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
    );
    await exporter.scrapeNow();
  });
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('unknown context labels: a clear problem in the status, the labels on /metrics, the agents exact', async () => {
    const node = sim.nodes[1];
    sim.setHubble(node, { mode: 'unknownLabels' });
    sim.tick();
    expect((await exporter.scrapeNow()).failed).toBe(0);
    const status = await hubbleStatus(exporter);
    expect(status.metrics.problems).toEqual([
      {
        node,
        problem:
          'hubble_drop_total has no source/destination context: set sourceContext/destinationContext or labelsContext; unknown labels on hubble_drop_total, ignored: destination_cluster_id, source_cluster_id',
      },
    ]);
    expect(status.metrics.contexts).toContainEqual({ form: 'none', nodes: 1, example: node });
    const page = await (await fetch(`${exporter.url}/metrics`)).text();
    const m = readExposition(page);
    expect(m.get(`ciliumscope_hubble_unknown_labels{label="source_cluster_id",node="${node}"}`)).toBe(1);
    expect(m.get(`ciliumscope_hubble_context{form="none",node="${node}"}`)).toBe(1);
    expectAgentsExact(sim, page);
    sim.setHubble(node, { mode: 'normal' });
  });

  test('a failing Hubble endpoint: target down, the reason in the status, the agent up', async () => {
    const node = sim.nodes[2];
    sim.setHubbleFault(node, 'http500');
    sim.tick();
    const stats = await exporter.scrapeNow();
    expect(stats.failed).toBe(1);
    const status = await hubbleStatus(exporter);
    expect(status.metrics).toMatchObject({ targets: 3, up: 2, down: 1 });
    expect(status.metrics.problems).toContainEqual({ node, problem: 'scrape failed: HTTP 500' });
    const page = await (await fetch(`${exporter.url}/metrics`)).text();
    expect(readExposition(page).get(`ciliumscope_target_up{component="hubble",node="${node}"}`)).toBe(0);
    expectAgentsExact(sim, page);
    sim.setHubbleFault(node, 'none');
  });

  test('a million distinct workload names: memory, the model and /metrics stay bounded', async () => {
    const node = sim.nodes[0];
    const before = heapUsed();
    const metricsBefore = (await (await fetch(`${exporter.url}/metrics`)).text()).length;
    const PER_TICK = 40_000;
    sim.setHubble(node, { mode: 'spray', sprayPerTick: PER_TICK });
    for (let i = 0; i < 25; i++) {
      sim.tick();
      const stats = await exporter.scrapeNow();
      const errors = [...exporter.model.nodes().map((n) => n.agent), ...exporter.model.hubbleTargets()].filter((t) => t.error).map((t) => `${t.target.component} ${t.target.node}: ${t.error}`);
      expect([i, stats.failed, errors]).toEqual([i, 0, []]);
    }
    expect(sim.truth().hubble[node].sprayedNames).toBe(1_000_000);
    const page = await (await fetch(`${exporter.url}/metrics`)).text();
    const grown = heapUsed() - before;
    // The stated bound: per node at most --hubble-max-series series ids and 2K pairs per reason; nothing per name.
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    expect(page.length - metricsBefore).toBeLessThan(64 * 1024);
    const rows = page.split('\n').filter((l) => l.startsWith(`ciliumscope_workload_dropped_packets_total{node="${node}"`));
    const reasons = new Set(rows.map((l) => /reason="([^"]*)"/.exec(l)![1]));
    expect(rows.length).toBeLessThanOrEqual(reasons.size * (K + 3));
    const state = exporter.hubble!.drops.node(node)!;
    expect(state.pairs.heldPairs).toBeLessThanOrEqual(reasons.size * 2 * K);
    expect(state.page!.untrackedSeries).toBeGreaterThan(0);
    const status = await hubbleStatus(exporter);
    expect(status.metrics.problems.find((p) => p.node === node)?.problem).toMatch(/hubble_drop_total series beyond --hubble-max-series were not counted/);
    expectAgentsExact(sim, page);
    sim.setHubble(node, { mode: 'normal', sprayPerTick: 0 });
  }, 120_000);
});
