/** The labelled anomaly scenarios of the simulator: labels that are reproducible and match what the agents drop. */
import { SimulatedCluster } from '../../../simulator/cluster';
import { SCENARIOS, createScenario } from '../../../simulator/scenarios';
import { type LabelledScenario, SETTLE_SECONDS, isLabelledScenario } from '../../../simulator/scenarios/anomaly-labels';

const ANOMALY_SCENARIOS = Object.keys(SCENARIOS).filter((n) => n.startsWith('anomaly-'));

function run(scenario: string, nodes: number, hours: number, seed = 5) {
  const cluster = new SimulatedCluster({ nodes, seed, scenario, tickSeconds: 5 });
  const ticks = Math.round((hours * 3600) / 5);
  /** Packets dropped per tick per "node|direction|reason", recorded for the ticks asked. */
  const perTick = new Map<string, Float64Array>();
  const last = new Map<string, number>();
  for (let tick = 1; tick <= ticks; tick++) {
    cluster.tick();
    for (const node of cluster.nodes) {
      for (const d of node.agent!.dropSeries()) {
        const key = `${node.name}|${d.direction}|${d.reason}`;
        let series = perTick.get(key);
        if (!series) {
          series = new Float64Array(ticks + 1);
          perTick.set(key, series);
        }
        series[tick] = Math.max(0, d.packets - (last.get(key) ?? 0));
        last.set(key, d.packets);
      }
    }
  }
  return { cluster, scenario: cluster.scenario as LabelledScenario, perTick };
}

const mean = (a: Float64Array, from: number, to: number) => {
  let sum = 0;
  for (let i = from; i < to; i++) {
    sum += a[i];
  }
  return sum / Math.max(1, to - from);
};

describe('anomaly scenarios', () => {
  test('all seven are registered and labelled; the default scenario is not', () => {
    expect(ANOMALY_SCENARIOS.sort()).toEqual([
      'anomaly-cluster-spike',
      'anomaly-level-shift',
      'anomaly-noisy',
      'anomaly-quiet',
      'anomaly-ramp',
      'anomaly-resets',
      'anomaly-seasonal',
    ]);
    for (const name of ANOMALY_SCENARIOS) {
      expect(isLabelledScenario(createScenario(name))).toBe(true);
    }
    expect(isLabelledScenario(createScenario('default'))).toBe(false);
  });

  test('spikes: labelled after the settle period, reproducible from the seed, and visible in the drops', () => {
    const a = run('anomaly-quiet', 12, 4);
    const b = run('anomaly-quiet', 12, 4);
    const labels = a.scenario.labels();
    expect(labels.length).toBeGreaterThan(10);
    expect(b.scenario.labels()).toEqual(labels);
    expect(new Set(labels.map((l) => l.factor))).toEqual(new Set([2, 5, 20]));
    for (const l of labels) {
      expect(l.kind).toBe('spike');
      expect(l.startTick).toBeGreaterThanOrEqual(SETTLE_SECONDS / 5);
      expect(l.endTick).toBeGreaterThan(l.startTick);
      const series = a.perTick.get(`${l.node}|${l.direction}|${l.reason}`)!;
      const end = Math.min(l.endTick, series.length);
      // The spike adds (factor - 1) × at least 5 packets per 5 s tick on average.
      const during = mean(series, l.startTick, end);
      const before = mean(series, Math.max(1, l.startTick - 360), l.startTick);
      expect(during - before).toBeGreaterThan(0.5 * (l.factor - 1) * 5);
    }
  });

  test('cluster-wide spikes are labelled on every node, with a shared group', () => {
    const { scenario, cluster } = run('anomaly-cluster-spike', 6, 3);
    const labels = scenario.labels();
    expect(labels.length).toBeGreaterThan(0);
    const groups = new Map<number, string[]>();
    for (const l of labels) {
      expect(l.kind).toBe('cluster-spike');
      groups.set(l.group, [...(groups.get(l.group) ?? []), l.node]);
    }
    for (const nodes of groups.values()) {
      expect(nodes.sort()).toEqual(cluster.nodeNames().sort());
    }
  });

  test('level shifts stay after their labelled hour, one per series', () => {
    const { scenario, perTick } = run('anomaly-level-shift', 16, 4);
    const labels = scenario.labels();
    expect(labels.length).toBeGreaterThan(0);
    expect(new Set(labels.map((l) => `${l.node}|${l.direction}|${l.reason}`)).size).toBe(labels.length);
    for (const l of labels) {
      expect(l.endTick - l.startTick).toBe(3600 / 5);
      const series = perTick.get(`${l.node}|${l.direction}|${l.reason}`)!;
      const after = mean(series, l.endTick, series.length);
      const before = mean(series, Math.max(1, l.startTick - 720), l.startTick);
      expect(after).toBeGreaterThan(before + 0.5 * (l.factor - 1) * 5);
    }
  });

  test('ramps are due once their factor reaches 5', () => {
    const { scenario } = run('anomaly-ramp', 8, 5);
    const labels = scenario.labels();
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) {
      expect(l.dueTick).toBeGreaterThan(l.startTick);
      expect(l.dueTick).toBeLessThan(l.endTick);
      expect(l.factor).toBeGreaterThanOrEqual(10);
    }
  });

  test("agent restarts are recorded and reset the agent's counters", () => {
    const { scenario, cluster } = run('anomaly-resets', 8, 3);
    const resets = scenario.resets();
    expect(resets.length).toBeGreaterThan(3);
    expect(scenario.labels()).toEqual([]);
    const restarted = new Set(resets.map((r) => r.node));
    for (const node of cluster.nodes) {
      expect(node.agent!.restarts > 0).toBe(restarted.has(node.name));
    }
  });
});
