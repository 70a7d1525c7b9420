/**
 * Bad Hubble input: a page with context labels the exporter does not know, a Hubble endpoint that fails, and a
 * spray of a million distinct workload names. The exporter says what is wrong in the status, keeps memory and
 * /metrics bounded, and the agents' numbers stay exact.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { HubbleStatus } from '../../src/contract';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { readExposition } from '../support/exposition';
import { hubbleSettings, until } from '../support/hubble';
import { BUILT_EXPORTER, ROOT, describeWith } from '../support/tools';

/** The stated bound on the exporter's resident memory growth while 10⁶ distinct names go through one node's page. */
const HUBBLE_SPRAY_RSS_GROWTH_MIB = 160;

async function hubbleStatus(exporter: RunningExporter): Promise<HubbleStatus> {
  return (await (await fetch(`${exporter.url}/api/v1/status`)).json()).hubble;
}

function expectAgentsExact(sim: RunningSimulator, page: string): void {
  const m = readExposition(page);
  const truth = sim.truth();
  for (const node of sim.nodes) {
    const agent = truth.nodes[node].agent!;
    for (const d of agent.dropped) {
      expect(
        m.get(`ciliumscope_dropped_packets_total{direction="${d.direction}",node="${node}",reason="${d.reason}"}`)
      ).toBe(d.packets);
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
        scrapeIntervalMs: 5000,
        scrapeTimeoutMs: 5000,
        staleAfterMs: 1_000_000,
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
});

/**
 * The exporter runs as its own process (the built command) so its memory is measured alone, from /proc: a spray of
 * 10⁶ distinct workload names on one node's Hubble page must leave it within the stated bound.
 */
describeWith([BUILT_EXPORTER], 'a million distinct workload names', () => {
  let sim: RunningSimulator;
  let child: ChildProcess | null = null;
  afterAll(async () => {
    child?.kill('SIGTERM');
    await sim?.close();
  });

  test('memory, the model and /metrics stay within the bound; the status says what was not counted', async () => {
    sim = await startSimulator({ nodes: 3, seed: 9, autoTickMs: 0, pageKB: 20, hubbleContext: 'pod', kube: false });
    const node = sim.nodes[0];
    const args = [
      '--listen',
      '127.0.0.1:0',
      '--scrape-interval',
      '1s',
      '--stale-after',
      '5m',
      '--max-body-bytes',
      '64MiB',
      '--log-level',
      'warn',
    ];
    for (const n of sim.nodes) {
      args.push('--agent', `${n}=${sim.agentUrl(n)}`, '--hubble', `${n}=${sim.hubbleUrl(n)}`);
    }
    child = spawn(process.execPath, [join(ROOT, 'bin', 'ciliumscope-exporter.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await listeningUrl(child);
    const cycles = async () =>
      readExposition(await (await fetch(`${url}/metrics`)).text()).get('ciliumscope_scrape_cycles_total{}') ?? 0;
    await until(async () => (await cycles()) >= 2, 60_000, 'two scrape cycles');
    const before = memory(child.pid!);
    const metricsBefore = (await (await fetch(`${url}/metrics`)).text()).length;
    const cyclesBefore = await cycles();
    // 40,000 new names a tick, each on the page for two ticks. The next tick waits for a scrape cycle that ended after
    // this one: the cycle after it then starts while this tick's names are still on the page, so the exporter reads
    // every name, however slow a loaded machine makes its cycles (they run one after the other, every second at most).
    sim.setHubble(node, { mode: 'spray', sprayPerTick: 40_000 });
    const TICKS = 25;
    // Every workload series of the node that /metrics (and so Prometheus and the embedded history) ever carried.
    const series = new Set<string>();
    const nodeRows = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('ciliumscope_workload_dropped_packets_total{') && l.includes(`node="${node}"`));
    for (let i = 0; i < TICKS; i++) {
      sim.tick();
      const seen = await cycles();
      await until(async () => (await cycles()) > seen, 60_000, `a scrape cycle after spray tick ${i}`);
      nodeRows(await (await fetch(`${url}/metrics`)).text()).forEach((l) =>
        series.add(l.slice(0, l.lastIndexOf('}') + 1))
      );
    }
    sim.setHubble(node, { mode: 'spray', sprayPerTick: 0 });
    sim.tick();
    const target = (await cycles()) + 2;
    await until(async () => (await cycles()) >= target, 60_000, 'the last sprayed page read');
    expect((await cycles()) - cyclesBefore).toBeGreaterThanOrEqual(TICKS + 2);
    expect(sim.truth().hubble[node].sprayedNames).toBe(TICKS * 40_000);
    const after = memory(child.pid!);
    const page = await (await fetch(`${url}/metrics`)).text();
    // The stated bound (README, Hubble): the model keeps per node at most --hubble-max-series series ids and 2 × K
    // pairs per reason, nothing per name seen; what the process grows by is the parsing of a 6 MB page.
    expect(after.rssMiB - before.rssMiB).toBeLessThan(HUBBLE_SPRAY_RSS_GROWTH_MIB);
    expect(page.length - metricsBefore).toBeLessThan(64 * 1024);
    const rows = nodeRows(page);
    const reasons = new Set(rows.map((l) => /reason="([^"]*)"/.exec(l)![1]));
    expect(rows.length).toBeLessThanOrEqual(reasons.size * (50 + 3));
    // Not a different set of sprayed names at every cycle: only the pairs that entered the summary before it was
    // full (2K per reason, told apart from nothing) and pairs heavier than all it forgot are ever exported.
    expect(series.size).toBeLessThanOrEqual(reasons.size * (2 * 50 + 3));
    const m = readExposition(page);
    expect(m.get(`ciliumscope_workload_drop_pairs{node="${node}"}`)).toBeLessThanOrEqual(reasons.size * 100);
    expect(m.get(`ciliumscope_hubble_untracked_series{node="${node}"}`)).toBeGreaterThan(0);
    const status = (await (await fetch(`${url}/api/v1/status`)).json()).hubble as HubbleStatus;
    expect(status.metrics.problems.find((p) => p.node === node)?.problem).toMatch(
      /hubble_drop_total series beyond --hubble-max-series were not counted/
    );
    expect(status.metrics.up).toBe(3);
    for (const n of sim.nodes) {
      expect(m.get(`ciliumscope_target_up{component="agent",node="${n}"}`)).toBe(1);
    }
    process.stdout.write(
      `10⁶ sprayed names: exporter RSS ${before.rssMiB.toFixed(0)} → ${after.rssMiB.toFixed(0)} MiB (peak ${after.peakMiB.toFixed(0)} MiB), /metrics ${metricsBefore} → ${page.length} bytes\n`
    );
  }, 300_000);
});

async function listeningUrl(child: ChildProcess): Promise<string> {
  let stderr = '';
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 15_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /metrics at (http:\/\/\S+)\/metrics/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
}

function memory(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { rssMiB: kb('VmRSS'), peakMiB: kb('VmHWM') };
}
