/**
 * Hubble metrics pages in each context form, scraped with the agents: the workload pairs on /metrics equal the
 * simulator's ground truth, they add up to the same drops the agents count, and a small top K keeps the heaviest
 * pairs with an (other) row.
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { BareValueReading } from '../../exporter/hubble/context';
import { type RunningSimulator, type SimContextForm, type SimulatorTruth, startSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { agentDrops, expectedPairs, hubbleSettings, increase, workloadRows } from '../support/hubble';

const TICKS = 10;

async function run(form: SimContextForm, reading: BareValueReading, topK = 1000) {
  const sim = await startSimulator({ nodes: 3, seed: 21, autoTickMs: 0, pageKB: 20, hubbleContext: form, kube: false });
  const exporter = await startExporter(
    testConfig({
      agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
      scrapeIntervalMs: 5000,
      scrapeTimeoutMs: 2000,
      staleAfterMs: 1_000_000,
      hubble: hubbleSettings(sim, { context: reading, topK }),
    }),
    { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
  );
  return { sim, exporter };
}

async function scrapeTicks(
  sim: RunningSimulator,
  exporter: RunningExporter
): Promise<{ first: SimulatorTruth; last: SimulatorTruth; page: string; firstPage: string }> {
  const first = sim.truth();
  expect((await exporter.scrapeNow()).failed).toBe(0);
  const firstPage = await (await fetch(`${exporter.url}/metrics`)).text();
  for (let i = 0; i < TICKS; i++) {
    sim.tick();
    expect((await exporter.scrapeNow()).failed).toBe(0);
  }
  return { first, last: sim.truth(), page: await (await fetch(`${exporter.url}/metrics`)).text(), firstPage };
}

describe.each<[SimContextForm, BareValueReading]>([
  ['pod', 'auto'],
  ['namespace', 'auto'],
  ['workload', 'workload-name'],
  ['labels', 'auto'],
])('Hubble pages in %s context', (form, reading) => {
  let sim: RunningSimulator;
  let exporter: RunningExporter;
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test("pairs on /metrics equal the truth; per node and reason they add up to the agents' drops", async () => {
    ({ sim, exporter } = await run(form, reading));
    const { first, last, page, firstPage } = await scrapeTicks(sim, exporter);
    const expected = increase(expectedPairs(last, sim.nodes), expectedPairs(first, sim.nodes));
    expect(expected.size).toBeGreaterThan(3);
    const { pairs, other } = workloadRows(page);
    expect(other.size).toBe(0);
    expect(Object.fromEntries(pairs)).toEqual(Object.fromEntries(expected));

    // The same drops as the agents': per node and reason, the pairs' increase is the agent counter's increase.
    const agentIncrease = increase(agentDrops(page), agentDrops(firstPage));
    const hubbleByReason = new Map<string, number>();
    for (const [key, v] of pairs) {
      const [node, reason] = key.split('|');
      hubbleByReason.set(`${node}|${reason}`, (hubbleByReason.get(`${node}|${reason}`) ?? 0) + v);
    }
    expect(Object.fromEntries(hubbleByReason)).toEqual(Object.fromEntries(agentIncrease));

    const status = await (await fetch(`${exporter.url}/api/v1/status`)).json();
    const expectedForm = { pod: 'pod', namespace: 'namespace', workload: 'workload-name', labels: 'labels' }[form];
    expect(status.hubble.metrics).toMatchObject({ targets: 3, up: 3, down: 0, stale: 0, problems: [] });
    expect(status.hubble.metrics.contexts).toEqual([{ form: expectedForm, nodes: 3, example: sim.nodes[0] }]);
  });
});

describe('a small top K', () => {
  let sim: RunningSimulator;
  let exporter: RunningExporter;
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('keeps at most K pairs per node and reason, the heaviest among them, and the rest adds up in (other)', async () => {
    const K = 2;
    ({ sim, exporter } = await run('pod', 'auto', K));
    const { first, last, page } = await scrapeTicks(sim, exporter);
    const expected = increase(expectedPairs(last, sim.nodes), expectedPairs(first, sim.nodes));
    const { pairs, other } = workloadRows(page);
    const perReason = new Map<string, Array<[string, number]>>();
    for (const [key, v] of expected) {
      const [node, reason] = key.split('|');
      const list = perReason.get(`${node}|${reason}`) ?? [];
      list.push([key, v]);
      perReason.set(`${node}|${reason}`, list);
    }
    for (const [nodeReason, list] of perReason) {
      const exported = [...pairs.keys()].filter((k) => k.startsWith(nodeReason + '|'));
      expect(exported.length).toBeLessThanOrEqual(K);
      const total = list.reduce((s, [, v]) => s + v, 0);
      const [heaviest, heaviestPackets] = list.sort((a, b) => b[1] - a[1])[0];
      // Space-Saving holds every pair above N / capacity (capacity 2K); one well above it must be exported.
      if (heaviestPackets > total / 2) {
        expect(pairs.get(heaviest)).toBe(heaviestPackets);
      }
    }
    expect(other.size).toBeGreaterThan(0);
    // Every packet is in one counter: exported, resting in the summary, evicted, or (other).
    for (const node of sim.nodes) {
      const routed = exporter.hubble!.drops.node(node)!.pairs.routedPackets();
      const nodeTotal = [...expected].filter(([k]) => k.startsWith(node + '|')).reduce((s, [, v]) => s + v, 0);
      expect(routed.held + routed.evicted + routed.other).toBe(nodeTotal);
    }
  });
});
