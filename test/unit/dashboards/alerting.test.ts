/**
 * Alert provisioning and Prometheus rules: the Grafana rule file's structure (refIds, expressions, datasources,
 * durations, links to existing panels), promtool's check and unit tests of the Prometheus rules, the
 * PrometheusRule manifest carrying the same groups, and the example contact point and policy.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ALERTS } from '../../../tools/dashboards/alerts';
import { DASHBOARD_UIDS } from '../../../tools/dashboards/ids';
import { PATHS } from '../../../tools/dashboards/generate';
import { ROOT, describeWith, which } from '../../support/tools';
import { type Json, panelsOf, promtoolRejects, provisionedDatasources, readJson, readYaml } from './files';
import { evaluateMath, firingInstances, type ProvisionedRule } from './grafana-rules';

const grafana = readYaml(PATHS.grafanaAlerts) as {
  apiVersion: number;
  groups: Array<Json & { rules: Array<Json & ProvisionedRule> }>;
};
const rules = grafana.groups.flatMap((g) => g.rules);
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

describe('Grafana alert rule provisioning', () => {
  test('has the file-provisioning shape: apiVersion 1, groups with org, name, folder and interval', () => {
    expect(grafana.apiVersion).toBe(1);
    expect(grafana.groups.length).toBeGreaterThanOrEqual(3);
    for (const g of grafana.groups) {
      expect(g).toMatchObject({ orgId: 1, folder: 'Cilium Scope' });
      expect(String(g.name)).toMatch(/^ciliumscope-/);
      expect(String(g.interval)).toMatch(DURATION);
      expect(g.rules.length).toBeGreaterThan(0);
    }
  });

  test('covers drop anomalies, policy import errors, unmanaged pods, target down, regeneration time and endpoints not ready', () => {
    expect(rules.map((r) => r.uid).sort()).toEqual(
      expect.arrayContaining([
        'ciliumscope-drop-anomaly',
        'ciliumscope-endpoints-not-ready',
        'ciliumscope-policy-import-errors',
        'ciliumscope-regeneration-slow',
        'ciliumscope-target-down',
        'ciliumscope-unmanaged-pods',
      ])
    );
  });

  test.each(rules.map((r) => [r.uid, r] as const))(
    '%s: refIds, expressions, datasources and durations are consistent',
    (_uid, rule) => {
      const r = rule as Json & ProvisionedRule;
      expect(r.uid.length).toBeLessThanOrEqual(40);
      const refIds = r.data.map((d) => d.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(r.condition);
      const datasourceUids = new Set([...provisionedDatasources().map((d) => d.uid), '__expr__']);
      for (const d of r.data) {
        expect(datasourceUids.has(d.datasourceUid)).toBe(true);
        const range = (d as unknown as { relativeTimeRange: { from: number; to: number } }).relativeTimeRange;
        expect(range.from).toBeGreaterThanOrEqual(range.to);
        expect(d.model.refId).toBe(d.refId);
        if (d.datasourceUid === '__expr__') {
          expect(['reduce', 'math', 'threshold']).toContain(d.model.type);
          const refs =
            d.model.type === 'math'
              ? [...String(d.model.expression).matchAll(/\$\{?(\w+)\}?/g)].map((m) => m[1])
              : [String(d.model.expression)];
          for (const ref of refs) {
            // An expression reads only refIds defined before it.
            expect(refIds.slice(0, refIds.indexOf(d.refId))).toContain(ref);
          }
          if (d.model.type === 'threshold') {
            const evaluator = (d.model.conditions as Array<{ evaluator: { type: string; params: number[] } }>)[0]
              .evaluator;
            expect(['gt', 'lt', 'within_range', 'outside_range']).toContain(evaluator.type);
            expect(evaluator.params.every(Number.isFinite)).toBe(true);
          }
        } else {
          expect(d.model).toMatchObject({
            instant: true,
            range: false,
            datasource: { type: 'prometheus', uid: d.datasourceUid },
          });
          // The data the query reads must fit the time range Grafana gives it.
          const longest = Math.max(
            0,
            ...[...String(d.model.expr).matchAll(/\[(\d+)([mh])(?::\d+[smh])?\](?: offset (\d+)m)?/g)].map(
              (m) => Number(m[1]) * (m[2] === 'h' ? 3600 : 60) + Number(m[3] ?? 0) * 60
            )
          );
          expect(range.from).toBeGreaterThanOrEqual(longest);
        }
      }
      expect(r.data.find((d) => d.refId === r.condition)!.model.type).toBe('threshold');
      expect(String(r.for)).toMatch(DURATION);
      expect(['OK', 'NoData', 'Alerting', 'KeepLast']).toContain(r.noDataState);
      expect(['OK', 'Error', 'Alerting', 'KeepLast']).toContain(r.execErrState);
      expect(r.labels).toMatchObject({ severity: expect.stringMatching(/^(warning|critical)$/), service: 'cilium' });
    }
  );

  test.each(rules.map((r) => [r.uid, r] as const))(
    '%s: summary, description, runbook and a link to an existing panel',
    (_uid, rule) => {
      const a = (rule as Json).annotations as Record<string, string>;
      expect(a.summary.length).toBeGreaterThan(20);
      expect(a.description.length).toBeGreaterThan(40);
      expect(a.runbook.length).toBeGreaterThan(80);
      expect(a.__dashboardUid__).toBe(DASHBOARD_UIDS.scope);
      const dashboard = readJson(PATHS.pluginProvisioned);
      expect(dashboard.uid).toBe(a.__dashboardUid__);
      expect(panelsOf(dashboard).map((p) => String(p.id))).toContain(a.__panelId__);
    }
  );

  test('the drop-anomaly rule needs both an anomaly score of 1 and a minimum packet increase, per node × direction × reason', async () => {
    const rule = rules.find((r) => r.uid === 'ciliumscope-drop-anomaly')!;
    const labels = (node: string) => ({ node, direction: 'INGRESS', reason: 'Policy denied' });
    const answers: Record<string, Array<{ labels: Record<string, string>; value: number }>> = {
      A: [
        { labels: labels('a'), value: 2.5 },
        { labels: labels('b'), value: 3 },
        { labels: labels('c'), value: 0 },
      ],
      B: [
        { labels: labels('a'), value: 900 },
        { labels: labels('b'), value: 12 },
        { labels: labels('c'), value: 5000 },
      ],
    };
    await expect(firingInstances(rule, async (entry) => answers[entry.refId])).resolves.toEqual([labels('a')]);
  });

  test.each(rules.map((r) => [r.uid, r] as const))('%s: every query parses with promtool', (_uid, rule) => {
    const exprs = (rule as ProvisionedRule).data
      .filter((d) => d.datasourceUid !== '__expr__')
      .map((d) => String(d.model.expr));
    expect(exprs.length).toBeGreaterThan(0);
    if (which('promtool') || process.env.CI) {
      expect(promtoolRejects(exprs)).toBeNull();
    }
  });
});

describe("Grafana math evaluator (the test's model of Grafana's expressions)", () => {
  const v = (pairs: Array<[string, number]>) =>
    new Map(pairs.map(([node, value]) => [JSON.stringify([['node', node]]), { labels: { node }, value }]));
  test('follows precedence and matches series by labels', () => {
    expect(evaluateMath('1 + 2 * 3 > 6 && !(0)', () => 0)).toBe(1);
    const out = evaluateMath('$C > 10 && $C > 3 * $D', (r) =>
      r === 'C'
        ? v([
            ['a', 30],
            ['b', 12],
            ['c', 40],
          ])
        : v([
            ['a', 2],
            ['b', 5],
          ])
    );
    expect(
      [...(out as Map<string, { labels: Json; value: number }>).values()].map((s) => [s.labels.node, s.value])
    ).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    expect(() => evaluateMath('$A >', () => 1)).toThrow(/ends early/);
  });
});

describe('example contact point and notification policy', () => {
  const file = readYaml('provisioning/alerting/contact-points.yaml') as {
    apiVersion: number;
    contactPoints: Json[];
    policies: Json[];
  };
  test('route the Cilium Scope alerts to a receiver that is defined', () => {
    expect(file.apiVersion).toBe(1);
    const names = new Set(file.contactPoints.map((c) => c.name));
    const routes = (file.policies[0].routes as Json[]) ?? [];
    const receivers = (function collect(rs: Json[]): string[] {
      return rs.flatMap((r) => [String(r.receiver), ...collect((r.routes as Json[]) ?? [])]);
    })(routes);
    expect(receivers.length).toBeGreaterThan(0);
    receivers.forEach((r) => expect(names.has(r)).toBe(true));
    expect(routes[0].object_matchers).toEqual([['source', '=', 'ciliumscope']]);
    expect(rules.every((r) => ((r as Json).labels as Json).source === 'ciliumscope')).toBe(true);
  });
});

describe('PrometheusRule manifest', () => {
  test('embeds exactly the groups of the Prometheus rule file', () => {
    const manifest = readYaml(PATHS.prometheusRuleManifest);
    expect(manifest).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule' });
    expect(manifest.spec).toEqual(readYaml(PATHS.prometheusRules));
  });

  test('has an alert for every Grafana rule, with the same conditions', () => {
    const promRules = (readYaml(PATHS.prometheusRules).groups as Array<{ rules: Json[] }>).flatMap((g) => g.rules);
    expect(promRules.map((r) => r.alert).sort()).toEqual(ALERTS.map((a) => a.name).sort());
    expect(promRules.length).toBe(rules.length);
    for (const spec of ALERTS) {
      const prom = promRules.find((r) => r.alert === spec.name)!;
      const graf = rules.find((r) => r.uid === spec.uid)!;
      expect(prom.for).toBe((graf as Json).for);
      for (const d of graf.data.filter((x) => x.datasourceUid !== '__expr__')) {
        expect(String(prom.expr)).toContain(String(d.model.expr));
      }
    }
  });
});

describeWith([{ binary: 'promtool' }], 'Prometheus rules with promtool', () => {
  const run = (...args: string[]) =>
    execFileSync('promtool', args, { cwd: ROOT, stdio: 'pipe', timeout: 60_000 }).toString();

  test('promtool check rules accepts the rule file and the PrometheusRule groups', () => {
    expect(run('check', 'rules', PATHS.prometheusRules)).toMatch(/SUCCESS: \d+ rules found/);
    const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-rules-'));
    try {
      const spec = join(dir, 'spec.rules.yml');
      writeFileSync(spec, stringify(readYaml(PATHS.prometheusRuleManifest).spec));
      expect(run('check', 'rules', spec)).toMatch(/SUCCESS/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('promtool test rules: every alert fires on its synthetic series and stays silent on the normal ones', () => {
    expect(run('test', 'rules', PATHS.prometheusRuleTests)).toMatch(/SUCCESS/);
  });

  test('the unit tests catch a drop-anomaly rule without its minimum-increase guard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-mutant-'));
    try {
      const groups = parse(readFileSync(join(ROOT, PATHS.prometheusRules), 'utf8')) as {
        groups: Array<{ rules: Json[] }>;
      };
      const anomaly = groups.groups.flatMap((g) => g.rules).find((r) => r.alert === 'CiliumScopeDropAnomaly')!;
      anomaly.expr = String(anomaly.expr).split('\nand on')[0];
      mkdirSync(join(dir, 'rules'));
      mkdirSync(join(dir, 'tests'));
      writeFileSync(join(dir, 'rules', 'ciliumscope.rules.yml'), stringify(groups));
      writeFileSync(join(dir, 'tests', 'test.yml'), readFileSync(join(ROOT, PATHS.prometheusRuleTests)));
      expect(() =>
        execFileSync('promtool', ['test', 'rules', join(dir, 'tests', 'test.yml')], { stdio: 'pipe', timeout: 60_000 })
      ).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
