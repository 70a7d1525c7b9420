/**
 * Hubble Relay over gRPC on loopback: the exporter follows GetFlows (follow, DROPPED whitelist), its groups of
 * flows and the denying policies equal what the simulated Relay wrote, relay-only nodes get their pairs from the
 * flows, and Relay's faults (lost events, unavailable nodes, a cut stream, garbage, a stall) show in the status
 * and on /metrics while the agents' numbers stay exact.
 */
import { type RunningExporter, startExporter } from '../../exporter/app';
import type { HubbleStatus, QueryResponse } from '../../src/contract';
import { type RunningSimulator, startSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { readExposition } from '../support/exposition';
import {
  RELAY_SIMULATOR,
  agentDrops,
  hubbleSettings,
  increase,
  pairKeyOf,
  relaySettings,
  until,
  workloadRows,
} from '../support/hubble';

async function status(exporter: RunningExporter): Promise<NonNullable<HubbleStatus['relay']>> {
  const body = await (await fetch(`${exporter.url}/api/v1/status`)).json();
  return body.hubble.relay;
}

async function metrics(exporter: RunningExporter): Promise<string> {
  return (await fetch(`${exporter.url}/metrics`)).text();
}

/** Ticks, waits until every flow the Relay wrote has arrived, then scrapes (which settles relay-fed nodes). */
async function tickAndSettle(sim: RunningSimulator, exporter: RunningExporter, ticks: number): Promise<void> {
  for (let i = 0; i < ticks; i++) {
    sim.tick();
    const written = sim.relay!.truth().flows.reduce((s, f) => s + f.flows, 0);
    await until(async () => (await status(exporter)).flows >= written, 30_000, `${written} flows at the exporter`);
    expect((await exporter.scrapeNow()).failed).toBe(0);
  }
}

describe('Hubble Relay with Hubble metrics', () => {
  let sim: RunningSimulator;
  let exporter: RunningExporter;
  beforeAll(async () => {
    sim = await startSimulator(RELAY_SIMULATOR);
    exporter = await startExporter(
      testConfig({
        agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
        scrapeIntervalMs: 5000,
        scrapeTimeoutMs: 2000,
        staleAfterMs: 1_000_000,
        hubble: hubbleSettings(sim, { relay: relaySettings(sim, { timeoutMs: 2000 }) }),
      }),
      { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
    );
    await until(async () => (await status(exporter)).connected, 30_000, 'the relay stream');
    await exporter.scrapeNow();
  });
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('asks for a followed stream of drops; groups and denying policies equal what Relay wrote', async () => {
    await tickAndSettle(sim, exporter, 8);
    const truth = sim.relay!.truth();
    expect(truth.requests[0]).toEqual({ follow: true, whitelistVerdicts: ['DROPPED'] });
    expect(truth.flows.length).toBeGreaterThan(3);
    expect(truth.flows.some((f) => f.policies.length > 0)).toBe(true);

    const relay = exporter.hubble!.queries.relay!;
    const endpoint = (e: (typeof truth.flows)[number]['source']) =>
      e.reserved ? { namespace: '', workload: e.reserved } : { namespace: e.namespace, workload: e.workload };
    const pairs = new Map(
      truth.flows.map((f) => [
        JSON.stringify([f.node, f.reason, f.direction, endpoint(f.source), endpoint(f.destination)]),
        f,
      ])
    );
    const seen = new Map<string, number>();
    for (const f of pairs.values()) {
      for (const g of relay.groups(f.node, f.reason, f.direction, endpoint(f.source), endpoint(f.destination))) {
        const key = [
          f.node,
          g.reason,
          g.direction,
          g.source.namespace,
          g.source.workload,
          g.destination.namespace,
          g.destination.workload,
          g.protocol,
          g.port,
          g.policies.map((p) => `${p.kind}:${p.namespace}/${p.name}`).join(','),
        ].join('|');
        seen.set(key, g.flows);
      }
    }
    const expected = new Map<string, number>();
    for (const f of truth.flows) {
      const ep = (e: typeof f.source) => (e.reserved ? ['', e.reserved] : [e.namespace, e.workload]);
      const key = [
        f.node,
        f.reason,
        f.direction,
        ...ep(f.source),
        ...ep(f.destination),
        f.protocol,
        f.port ?? '',
        f.policies.map((p) => `${p.kind}:${p.namespace}/${p.name}`).join(','),
      ].join('|');
      expected.set(key, (expected.get(key) ?? 0) + f.flows);
    }
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected));
  });

  test('the workloadDrops table names the policies and ports Relay reported for each pair', async () => {
    // Policy denials on every node, so most pairs drop in the range.
    for (const direction of ['INGRESS', 'EGRESS']) {
      sim.spike({ node: '*', direction, reason: 'Policy denied', factor: 4, ticks: 8 });
    }
    const from = sim.cluster.nowSeconds * 1000;
    await tickAndSettle(sim, exporter, 8);
    const to = sim.cluster.nowSeconds * 1000;
    const res = await fetch(`${exporter.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        from,
        to,
        intervalMs: 5000,
        queries: [{ refId: 'A', queryType: 'workloadDrops', view: 'table', limit: 1000 }],
      }),
    });
    const [table] = ((await res.json()) as QueryResponse).results.A.frames;
    expect(table.schema.meta?.notices).toBeUndefined();
    const column = (name: string) =>
      table.data.values[table.schema.fields.findIndex((f) => f.name === name)] as string[];
    const [nodes, sources, destinations, reasons, directions, policies, ports] = [
      'Node',
      'Source',
      'Destination',
      'Reason',
      'Direction',
      'Denying policy',
      'Ports',
    ].map(column);
    expect(nodes.length).toBeGreaterThan(3);
    // Pages in pod context carry no direction (UNKNOWN): a row's flows are those of its pair either way.
    const text = (e: { namespace: string; workload: string; reserved: string }) =>
      e.reserved ? e.reserved : `${e.namespace}/${e.workload}`;
    let named = 0;
    nodes.forEach((node, i) => {
      const flows = sim
        .relay!.truth()
        .flows.filter(
          (f) =>
            f.node === node &&
            f.reason === reasons[i] &&
            (directions[i] === 'UNKNOWN' || f.direction === directions[i]) &&
            text(f.source) === sources[i] &&
            text(f.destination) === destinations[i]
        );
      const want = new Set(
        flows.flatMap((f) =>
          f.policies.map((p) => `${p.namespace ? `${p.namespace}/` : ''}${p.name}${p.kind ? ` (${p.kind})` : ''}`)
        )
      );
      const wantPorts = new Set(
        flows.filter((f) => f.protocol).map((f) => (f.port === null ? f.protocol : `${f.protocol}/${f.port}`))
      );
      const got = new Set(policies[i] ? policies[i].split(', ') : []);
      expect([node, sources[i], destinations[i], [...got].sort()]).toEqual([
        node,
        sources[i],
        destinations[i],
        [...want].sort(),
      ]);
      expect([node, sources[i], destinations[i], (ports[i] ? ports[i].split(', ') : []).sort()]).toEqual([
        node,
        sources[i],
        destinations[i],
        [...wantPorts].sort(),
      ]);
      named += got.size > 0 ? 1 : 0;
    });
    expect(named).toBeGreaterThan(0);
  });

  test('lost events and unavailable nodes show in the status and on /metrics', async () => {
    sim.setRelayFault('lostEvents', { count: 250 });
    sim.setRelayFault('unavailable', { nodes: [sim.nodes[1]] });
    await until(async () => (await status(exporter)).unavailableNodes.length === 1, 15_000, 'node_status');
    const s = await status(exporter);
    expect(s.lostEvents).toEqual({ HUBBLE_RING_BUFFER: 250 });
    expect(s.unavailableNodes).toEqual([sim.nodes[1]]);
    expect(s.nodeStates).toEqual({ NODE_CONNECTED: 2, NODE_UNAVAILABLE: 1 });
    const m = readExposition(await metrics(exporter));
    expect(m.get('ciliumscope_hubble_relay_lost_events_total{source="HUBBLE_RING_BUFFER"}')).toBe(250);
    expect(m.get(`ciliumscope_hubble_relay_node_unavailable{node="${sim.nodes[1]}"}`)).toBe(1);
    sim.setRelayFault('none');
    await until(async () => (await status(exporter)).unavailableNodes.length === 0, 15_000, 'the node back');
  });

  test.each(['cut', 'garbage', 'stall'] as const)(
    "a %s stream is opened again; the agents' numbers stay exact meanwhile",
    async (fault) => {
      const before = await status(exporter);
      sim.setRelayFault(fault);
      // A stall first cuts the open stream; the call opened after it then hears nothing.
      const kind = { cut: 'UNAVAILABLE', garbage: 'INTERNAL', stall: 'silent' }[fault];
      await until(
        async () => ((await status(exporter)).errors[kind] ?? 0) > (before.errors[kind] ?? 0),
        15_000,
        `a ${kind} fault`
      );
      const during = await status(exporter);
      expect(during.error).toMatch(
        fault === 'stall'
          ? /sent nothing within 2s/
          : fault === 'garbage'
            ? /INTERNAL/
            : /UNAVAILABLE: simulated stream cut/
      );
      sim.tick();
      expect((await exporter.scrapeNow()).failed).toBe(0);
      const page = await metrics(exporter);
      const truth = sim.truth();
      for (const node of sim.nodes) {
        for (const d of truth.nodes[node].agent!.dropped) {
          expect(
            readExposition(page).get(
              `ciliumscope_dropped_packets_total{direction="${d.direction}",node="${node}",reason="${d.reason}"}`
            )
          ).toBe(d.packets);
        }
      }
      if (fault !== 'cut') {
        expect(readExposition(page).get('ciliumscope_hubble_relay_up{}')).toBe(0);
      }
      sim.setRelayFault('none');
      await until(async () => (await status(exporter)).connected, 15_000, 'the stream back');
      expect((await status(exporter)).error).toBeNull();
    }
  );
});

describe('Hubble Relay alone', () => {
  let sim: RunningSimulator;
  let exporter: RunningExporter;
  afterAll(async () => {
    await exporter?.close();
    await sim?.close();
  });

  test('nodes without a Hubble metrics target get their pairs from the flows, with direction', async () => {
    sim = await startSimulator({ nodes: 2, seed: 8, autoTickMs: 0, pageKB: 20, hubbleRelay: {}, kube: false });
    exporter = await startExporter(
      testConfig({
        agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
        scrapeIntervalMs: 5000,
        staleAfterMs: 1_000_000,
        hubble: hubbleSettings(sim, { targets: [], relay: relaySettings(sim) }),
      }),
      { autoScrape: false, now: () => sim.cluster.nowSeconds * 1000 }
    );
    await until(async () => (await status(exporter)).connected, 30_000, 'the relay stream');
    const firstPage = await metrics(exporter);
    await exporter.scrapeNow();
    const agentBefore = agentDrops(await metrics(exporter));
    await tickAndSettle(sim, exporter, 6);
    const page = await metrics(exporter);
    const expected = new Map<string, number>();
    for (const f of sim.relay!.truth().flows) {
      const ep = (e: typeof f.source) =>
        e.reserved ? { namespace: '', workload: e.reserved } : { namespace: e.namespace, workload: e.workload };
      const key = pairKeyOf(f.node, f.reason, f.direction, ep(f.source), ep(f.destination));
      expected.set(key, (expected.get(key) ?? 0) + f.flows);
    }
    expect(firstPage).not.toContain('ciliumscope_workload_dropped_packets_total{');
    expect(Object.fromEntries(workloadRows(page).pairs)).toEqual(Object.fromEntries(expected));
    // Relay streams one flow per dropped packet: the same drops the agents counted since the stream opened.
    const agentIncrease = increase(agentDrops(page), agentBefore);
    const byReason = new Map<string, number>();
    for (const [key, v] of expected) {
      const [node, reason] = key.split('|');
      byReason.set(`${node}|${reason}`, (byReason.get(`${node}|${reason}`) ?? 0) + v);
    }
    expect(Object.fromEntries(byReason)).toEqual(Object.fromEntries(agentIncrease));
  });
});
