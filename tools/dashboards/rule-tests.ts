/**
 * promtool unit tests of the Prometheus rules (prometheus/tests/ciliumscope.rules.test.yml): for every alert a
 * synthetic series that must fire and normal ones that must stay silent, evaluated by `promtool test rules`.
 * Expected annotations are the rule's templates filled with the expected labels and value.
 */
import { ALERTS, type AlertSpec } from './alerts';
import type { Json } from './grafana';

interface Expected {
  labels: Record<string, string>;
  /** What `{{ $value | printf "%.0f" }}` prints, for alerts whose text shows the value. */
  value?: string;
}

interface Series {
  series: string;
  /** promtool's series notation. */
  values: string;
}

interface RuleTest {
  alert: string;
  description: string;
  series: Series[];
  checks: Array<{ at: string; firing: Expected[] }>;
}

/** Series of `metric` with a node label only: { node: values }. */
const perNode = (metric: string, values: Record<string, string>): Series[] =>
  Object.entries(values).map(([node, v]) => ({ series: `${metric}{node="${node}"}`, values: v }));

/** Series of `metric` by node and one more label: { node: { label's value: values } }. */
const perNodeAnd = (metric: string, label: string, values: Record<string, Record<string, string>>): Series[] =>
  Object.entries(values).flatMap(([node, byLabel]) =>
    Object.entries(byLabel).map(([value, v]) => ({
      series: `${metric}{node="${node}", ${label}="${value}"}`,
      values: v,
    }))
  );

const drop = (node: string, direction: string, reason: string) =>
  `{node="${node}", direction="${direction}", reason="${reason}"}`;
/** Values a, b, a, b, ... (count of them) in promtool's series notation. */
const alternating = (a: number, b: number, count: number) =>
  Array.from({ length: count }, (_, i) => (i % 2 ? b : a)).join(' ');
const bucket = (node: string, le: string) =>
  `ciliumscope_endpoint_regeneration_seconds_bucket{node="${node}", le="${le}"}`;

export const RULE_TESTS: RuleTest[] = [
  {
    alert: 'CiliumScopeDropAnomaly',
    description:
      'node-a spikes above its band with hundreds of packets: fires after 5m. node-b is above its band with a trickle of ' +
      'packets (quiet series must not page). node-c drops a lot but inside its band.',
    series: [
      { series: `ciliumscope_drop_anomaly_score${drop('node-a', 'INGRESS', 'Policy denied')}`, values: '0x10 3x20' },
      {
        series: `ciliumscope_dropped_packets_total${drop('node-a', 'INGRESS', 'Policy denied')}`,
        values: '0+2x10 20+150x20',
      },
      {
        series: `ciliumscope_drop_anomaly_score${drop('node-b', 'EGRESS', 'Stale or unroutable IP')}`,
        values: '0x10 5x20',
      },
      {
        series: `ciliumscope_dropped_packets_total${drop('node-b', 'EGRESS', 'Stale or unroutable IP')}`,
        values: '0+1x30',
      },
      { series: `ciliumscope_drop_anomaly_score${drop('node-c', 'INGRESS', 'Policy denied')}`, values: '0x30' },
      { series: `ciliumscope_dropped_packets_total${drop('node-c', 'INGRESS', 'Policy denied')}`, values: '0+1000x30' },
    ],
    checks: [
      { at: '9m', firing: [] },
      { at: '13m', firing: [] },
      { at: '20m', firing: [{ labels: { node: 'node-a', direction: 'INGRESS', reason: 'Policy denied' } }] },
    ],
  },
  {
    alert: 'CiliumScopePolicyImportErrors',
    description:
      'node-a fails one import at 11m: fires, then clears once the error leaves the 10m window. node-b carries old errors only.',
    series: perNode('ciliumscope_policy_import_errors_total', { 'node-a': '0x10 1x30', 'node-b': '3x40' }),
    checks: [
      { at: '8m', firing: [] },
      { at: '14m', firing: [{ labels: { node: 'node-a' } }] },
      { at: '30m', firing: [] },
    ],
  },
  {
    alert: 'CiliumScopeUnmanagedPods',
    description: 'node-a keeps 2 unmanaged pods: fires after 15m. node-c has one for 10 minutes only; node-b none.',
    series: perNode('ciliumscope_unmanaged_pods', { 'node-a': '2x30', 'node-b': '0x30', 'node-c': '1x10 0x20' }),
    checks: [
      { at: '10m', firing: [] },
      { at: '20m', firing: [{ labels: { node: 'node-a' }, value: '2' }] },
    ],
  },
  {
    alert: 'CiliumScopeNodeWithoutAgent',
    description: 'node-x has pods but no agent for 30m: fires after 15m; node-y is fine.',
    series: perNode('ciliumscope_node_without_agent', { 'node-x': '4x30', 'node-y': '0x30' }),
    checks: [
      { at: '5m', firing: [] },
      { at: '20m', firing: [{ labels: { node: 'node-x' } }] },
    ],
  },
  {
    alert: 'CiliumScopeTargetDown',
    description:
      'The agent of node-a stops answering at 6m: fires after 2m. node-b misses one scrape only; the operator is up.',
    series: perNodeAnd('ciliumscope_target_up', 'component', {
      'node-a': { agent: '1x5 0x20' },
      'node-b': { agent: '1x5 0 1x19', operator: '1x25' },
    }),
    checks: [
      { at: '7m', firing: [] },
      { at: '12m', firing: [{ labels: { node: 'node-a', component: 'agent' } }] },
    ],
  },
  {
    alert: 'CiliumScopeRegenerationSlow',
    description:
      'node-a regenerates in under 1s for 3 hours, then takes 10-30s: fires after 10m. node-b stays fast. node-c is ' +
      'always slow (chronic, not a spike: the dashboards show it).',
    series: [
      ...['1', '10'].map((le) => ({ series: bucket('node-a', le), values: '0+100x180 18000x30' })),
      ...['30', '+Inf'].map((le) => ({ series: bucket('node-a', le), values: '0+100x210' })),
      ...['1', '10', '30', '+Inf'].map((le) => ({ series: bucket('node-b', le), values: '0+100x210' })),
      { series: bucket('node-c', '1'), values: '0x210' },
      { series: bucket('node-c', '10'), values: '0x210' },
      ...['30', '+Inf'].map((le) => ({ series: bucket('node-c', le), values: '0+100x210' })),
    ],
    checks: [
      { at: '170m', firing: [] },
      { at: '200m', firing: [{ labels: { node: 'node-a' } }] },
    ],
  },
  {
    alert: 'CiliumScopeEndpointsNotReady',
    description:
      'node-a has 5 of 25 endpoints regenerating for 30m: fires after 5m. node-b has 2 of 102; node-c has endpoints ' +
      'disconnecting (a normal part of pod deletion); node-d has 5 of 25 out of ready every other minute (churn).',
    series: perNodeAnd('ciliumscope_endpoints', 'state', {
      'node-a': { ready: '20x30', regenerating: '5x30' },
      'node-b': { ready: '100x30', regenerating: '2x30' },
      'node-c': { ready: '20x30', disconnecting: '10x30' },
      'node-d': { ready: '20x30', regenerating: alternating(5, 0, 31) },
    }),
    checks: [
      { at: '3m', firing: [] },
      { at: '15m', firing: [{ labels: { node: 'node-a' }, value: '5' }] },
    ],
  },
];

/** Fills `{{ $labels.x }}` and the value placeholder the way Prometheus renders these simple templates. */
function fill(template: string, labels: Record<string, string>, value: string | undefined): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_m, name: string) => labels[name] ?? '')
    .replace(/\{\{ \$value \| printf "%\.0f" \}\}/g, () => {
      if (value === undefined) {
        throw new Error(`an expected alert needs a value for: ${template}`);
      }
      return value;
    });
}

function expectedAlert(spec: AlertSpec, rule: Json, e: Expected): Json {
  const annotations = rule.annotations as Record<string, string>;
  return {
    exp_labels: { ...(rule.labels as Record<string, string>), ...e.labels },
    exp_annotations: Object.fromEntries(Object.entries(annotations).map(([k, v]) => [k, fill(v, e.labels, e.value)])),
  };
}

/** The promtool test file for the rendered rule groups. */
export function ruleTestFile(groups: { groups: Json[] }, ruleFile: string): Json {
  const rules = new Map<string, Json>();
  for (const g of groups.groups) {
    for (const r of g.rules as Json[]) {
      rules.set(String(r.alert), r);
    }
  }
  const missing = ALERTS.filter((a) => !RULE_TESTS.some((t) => t.alert === a.name));
  if (missing.length) {
    throw new Error(`alerts without a promtool test: ${missing.map((a) => a.name).join(', ')}`);
  }
  return {
    rule_files: [ruleFile],
    evaluation_interval: '1m',
    tests: RULE_TESTS.map((t) => {
      const spec = ALERTS.find((a) => a.name === t.alert);
      const rule = rules.get(t.alert);
      if (!spec || !rule) {
        throw new Error(`no rule named ${t.alert}`);
      }
      return {
        name: `${t.alert}: ${t.description}`,
        interval: '1m',
        input_series: t.series,
        alert_rule_test: t.checks.map((c) => ({
          eval_time: c.at,
          alertname: t.alert,
          exp_alerts: c.firing.map((e) => expectedAlert(spec, rule, e)),
        })),
      };
    }),
  };
}
