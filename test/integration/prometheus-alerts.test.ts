/**
 * End to end: a simulated cluster, the exporter in-process (1 s scrapes, a 30 s anomaly window, 10 s warm-up),
 * a real Prometheus scraping it every second with the Prometheus rule file loaded. Every provisioned Grafana alert
 * rule is evaluated through Prometheus's HTTP API (its queries, then its reduce/math/threshold expressions): all
 * are silent on the quiet baseline; after a drop spike on one node and reason, the drop-anomaly rule fires for
 * exactly that node, direction and reason (and the target-down rule for exactly the agent taken down at the same
 * time), and the Prometheus rules of the same names go pending for those series alone.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { startExporter, type RunningExporter } from '../../exporter/app';
import { defaultAnomalyConfig } from '../../exporter/anomaly/params';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { testConfig } from '../support/config';
import { type RunningPrometheus, startPrometheus } from '../support/prometheus';
import { ROOT, describeWith } from '../support/tools';
import { type ProvisionedRule, firingInstances } from '../unit/dashboards/grafana-rules';

const SPIKE = { node: 'node-002', direction: 'INGRESS', reason: 'Policy denied' };
/** An agent taken down at the same moment: the target-down rule must name it, and only it. */
const DOWN = { node: 'node-004', component: 'agent' };
const BASELINE_MS = 25_000;
const SPIKE_DEADLINE_MS = 30_000;

function grafanaRules(): ProvisionedRule[] {
  const file = parse(readFileSync(join(ROOT, 'provisioning/alerting/ciliumscope-rules.yaml'), 'utf8')) as {
    groups: Array<{ rules: ProvisionedRule[] }>;
  };
  return file.groups.flatMap((g) => g.rules);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeWith(
  [{ binary: '/usr/bin/prometheus' }],
  'Grafana and Prometheus alert rules against a real Prometheus',
  () => {
    jest.setTimeout(120_000);
    let sim: RunningSimulator;
    let exporter: RunningExporter;
    let prometheus: RunningPrometheus;
    let timer: NodeJS.Timeout | null = null;
    let ticking: Promise<unknown> = Promise.resolve();
    const rules = grafanaRules();
    const timings: Record<string, number> = {};
    const started = Date.now();

    /** Every Grafana rule's firing instances now, with its queries answered by Prometheus. */
    const evaluateAll = async () => {
      const out: Record<string, Array<Record<string, string>>> = {};
      for (const rule of rules) {
        out[rule.uid] = await firingInstances(rule, (entry) => prometheus.query(String(entry.model.expr)));
      }
      return out;
    };

    beforeAll(async () => {
      sim = await startSimulator({ nodes: 6, seed: 7, pageKB: 0, tickSeconds: 5 });
      exporter = await startExporter(
        testConfig({
          agents: sim.nodes.map((node) => ({ node, url: sim.agentUrl(node) })),
          operator: { node: '', url: sim.operatorUrl },
          scrapeIntervalMs: 1000,
          anomaly: { ...defaultAnomalyConfig(), windowMs: 30_000, spreadWindowMs: 60_000, warmupMs: 10_000 },
        }),
        { autoScrape: false }
      );
      // The rule file as shipped, evaluated every second instead of every minute.
      const shipped = parse(readFileSync(join(ROOT, 'prometheus/rules/ciliumscope.rules.yml'), 'utf8')) as {
        groups: Array<{ interval?: string }>;
      };
      shipped.groups.forEach((g) => (g.interval = '1s'));
      const ruleFile = join(process.env.TMPDIR ?? '/tmp', `ciliumscope-e2e-${process.pid}.rules.yml`);
      await writeFile(ruleFile, stringify(shipped));
      prometheus = await startPrometheus({ targets: [new URL(exporter.url).host], ruleFiles: [ruleFile] });
      timings.prometheusReadyMs = Date.now() - started;
      // One simulated tick and one exporter scrape per wall-clock second, in step.
      const step = () => {
        ticking = ticking.then(() => {
          sim.tick();
          return exporter.scrapeNow();
        });
      };
      step();
      timer = setInterval(step, 1000);
    });

    afterAll(async () => {
      if (timer) {
        clearInterval(timer);
      }
      await ticking.catch(() => undefined);
      await prometheus?.stop();
      await exporter?.close();
      await sim?.close();
      console.log(`prometheus-alerts timings (ms): ${JSON.stringify(timings)}`);
    });

    test('every rule is silent on the quiet baseline; after a drop spike and an agent going down, exactly those series alert', async () => {
      await sleep(Math.max(0, BASELINE_MS - (Date.now() - started)));
      // The baseline is not vacuous: Prometheus holds the series every rule reads.
      expect((await prometheus.query('count(ciliumscope_target_up == 1)'))[0]?.value).toBe(7);
      expect((await prometheus.query('count(ciliumscope_drop_anomaly_score)'))[0]?.value).toBeGreaterThan(3);
      expect((await prometheus.query('count(ciliumscope_endpoints)'))[0]?.value).toBeGreaterThan(6);
      const baseline = await evaluateAll();
      timings.baselineCheckedMs = Date.now() - started;
      for (const rule of rules) {
        expect({ rule: rule.uid, firing: baseline[rule.uid] }).toEqual({ rule: rule.uid, firing: [] });
      }

      sim.spike({ ...SPIKE, factor: 60, ticks: 1000 });
      sim.setFault(DOWN.node, 'down');
      const spikeAt = Date.now();
      let firing: Record<string, Array<Record<string, string>>> = {};
      while (Date.now() - spikeAt < SPIKE_DEADLINE_MS) {
        await sleep(1000);
        firing = await evaluateAll();
        if (firing['ciliumscope-drop-anomaly'].length > 0 && firing['ciliumscope-target-down'].length > 0) {
          break;
        }
      }
      timings.anomalyAndTargetDownFireAfterMs = Date.now() - spikeAt;
      expect(firing['ciliumscope-drop-anomaly']).toEqual([SPIKE]);
      expect(firing['ciliumscope-target-down']).toEqual([DOWN]);
      for (const rule of rules.filter(
        (r) => r.uid !== 'ciliumscope-drop-anomaly' && r.uid !== 'ciliumscope-target-down'
      )) {
        expect({ rule: rule.uid, firing: firing[rule.uid] }).toEqual({ rule: rule.uid, firing: [] });
      }

      // The Prometheus rules of the same alerts (for: 5m and 2m) are pending for those series and nothing else.
      const summary = (a: { labels: Record<string, string>; state: string }) => {
        const { alertname, node, direction, reason, component } = a.labels;
        return JSON.stringify({ alertname, node, direction, reason, component, state: a.state });
      };
      let active: string[] = [];
      const alertsDeadline = Date.now() + 10_000;
      do {
        active = (await prometheus.alerts()).map(summary).sort();
        if (active.length >= 2) {
          break;
        }
        await sleep(500);
      } while (Date.now() < alertsDeadline);
      timings.prometheusRulesPendingMs = Date.now() - spikeAt;
      expect(active).toEqual(
        [
          summary({ labels: { alertname: 'CiliumScopeDropAnomaly', ...SPIKE }, state: 'pending' }),
          summary({ labels: { alertname: 'CiliumScopeTargetDown', ...DOWN }, state: 'pending' }),
        ].sort()
      );
      timings.totalMs = Date.now() - started;
    });
  }
);
