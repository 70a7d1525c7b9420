/**
 * Renders the alert catalogue three ways: Grafana alert-rule file provisioning (queries on the provisioned
 * Prometheus datasource, then `__expr__` reduce, math and threshold expressions), a Prometheus rule file, and the
 * same groups inside a PrometheusRule manifest for the Prometheus Operator.
 */
import { ALERTS, ALERT_DASHBOARD_UID, ALERT_GROUPS, type AlertSpec, type Condition, type RefId } from './alerts';
import type { Json } from './grafana';
import { DATASOURCE_UIDS, FOLDER } from './ids';

const EXPR_DATASOURCE = { type: '__expr__', uid: '__expr__' };
const PROMETHEUS_DATASOURCE = { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus };

/** Grafana rule evaluation interval; the Prometheus groups use the same. */
export const EVALUATION_INTERVAL = '1m';

const REF_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The query refIds an alert uses, in order. */
function queryRefs(alert: AlertSpec): RefId[] {
  return (Object.keys(alert.queries) as RefId[]).sort();
}

function needsMath(alert: AlertSpec): boolean {
  const only = alert.conditions[0];
  return alert.conditions.length > 1 || (only.op !== '>' && only.op !== '<') || typeof only.value !== 'number';
}

interface GrafanaPipeline {
  data: Json[];
  condition: string;
  /** refId of the reduce expression holding each query's value (for annotation templates). */
  reduced: Record<string, string>;
}

/** A → reduce → threshold for one plain comparison; A, B → reduce each → math (all conditions) → threshold otherwise. */
export function grafanaPipeline(alert: AlertSpec): GrafanaPipeline {
  const refs = queryRefs(alert);
  let next = refs.length;
  const letter = () => REF_LETTERS[next++];
  const data: Json[] = refs.map((ref) => ({
    refId: ref,
    relativeTimeRange: { from: alert.queries[ref]!.lookback, to: 0 },
    datasourceUid: DATASOURCE_UIDS.prometheus,
    model: {
      refId: ref,
      datasource: PROMETHEUS_DATASOURCE,
      editorMode: 'code',
      expr: alert.queries[ref]!.expr,
      instant: true,
      range: false,
      legendFormat: '__auto',
      intervalMs: 1000,
      maxDataPoints: 43200,
    },
  }));
  const reduced: Record<string, string> = {};
  for (const ref of refs) {
    const id = letter();
    reduced[ref] = id;
    data.push(expression(id, { type: 'reduce', expression: ref, reducer: 'last', settings: { mode: 'dropNN' } }));
  }
  let thresholdInput: string;
  let evaluator: { type: 'gt' | 'lt'; params: number[] };
  if (needsMath(alert)) {
    thresholdInput = letter();
    data.push(expression(thresholdInput, { type: 'math', expression: mathExpression(alert.conditions, reduced) }));
    evaluator = { type: 'gt', params: [0] };
  } else {
    const only = alert.conditions[0];
    thresholdInput = reduced[only.ref];
    evaluator = { type: only.op === '>' ? 'gt' : 'lt', params: [only.value as number] };
  }
  const condition = letter();
  data.push(expression(condition, { type: 'threshold', expression: thresholdInput, conditions: [{ evaluator }] }));
  return { data, condition, reduced };
}

function expression(refId: string, model: Json): Json {
  return {
    refId,
    relativeTimeRange: { from: 0, to: 0 },
    datasourceUid: '__expr__',
    model: { refId, datasource: EXPR_DATASOURCE, ...model },
  };
}

/** `$C >= 1 && $D >= 100`: 1 where every condition holds, 0 elsewhere, per label set. */
export function mathExpression(conditions: Condition[], reduced: Record<string, string>): string {
  return conditions
    .map((c) => {
      const right = typeof c.value === 'number' ? String(c.value) : `${c.value.factor} * $${reduced[c.value.ref]}`;
      return `$${reduced[c.ref]} ${c.op} ${right}`;
    })
    .join(' && ');
}

/** The same condition as one PromQL expression; its value is query A's. */
export function promqlExpression(alert: AlertSpec): string {
  const q = (ref: RefId) => `(${alert.queries[ref]!.expr})`;
  const parts = alert.conditions.map((c) => {
    const right = typeof c.value === 'number' ? String(c.value) : `${c.value.factor} * ${q(c.value.ref)}`;
    return `${q(c.ref)} ${c.op} ${right}`;
  });
  return parts.join(`\nand on (${alert.by.join(', ')})\n`);
}

function panelPath(alert: AlertSpec): string {
  return `/d/${ALERT_DASHBOARD_UID}?viewPanel=panel-${alert.panelId}`;
}

const labels = (alert: AlertSpec) => ({ severity: alert.severity, service: 'cilium', source: 'ciliumscope' });

/** Summary, description and runbook, with query A's value written as the alerting system writes it. */
const texts = (alert: AlertSpec, value: string) => ({
  summary: alert.summary.replace('{{VALUE}}', value),
  description: alert.description.replace('{{VALUE}}', value),
  runbook: alert.runbook,
});

function grafanaRule(alert: AlertSpec): Json {
  const pipeline = grafanaPipeline(alert);
  return {
    uid: alert.uid,
    title: alert.title,
    condition: pipeline.condition,
    data: pipeline.data,
    noDataState: alert.noData ?? 'OK',
    execErrState: 'Error',
    for: alert.for,
    isPaused: false,
    annotations: {
      ...texts(alert, `{{ printf "%.0f" $values.${pipeline.reduced.A}.Value }}`),
      __dashboardUid__: ALERT_DASHBOARD_UID,
      __panelId__: String(alert.panelId),
    },
    labels: labels(alert),
  };
}

/** provisioning/alerting/ciliumscope-rules.yaml */
export function grafanaAlertProvisioning(): Json {
  return {
    apiVersion: 1,
    groups: ALERT_GROUPS.map((g) => ({
      orgId: 1,
      name: g.name,
      folder: FOLDER.title,
      interval: EVALUATION_INTERVAL,
      rules: ALERTS.filter((a) => a.group === g.key).map(grafanaRule),
    })),
  };
}

function prometheusRule(alert: AlertSpec): Json {
  return {
    alert: alert.name,
    expr: promqlExpression(alert),
    for: alert.for,
    labels: labels(alert),
    annotations: { ...texts(alert, '{{ $value | printf "%.0f" }}'), dashboard: panelPath(alert) },
  };
}

/** prometheus/rules/ciliumscope.rules.yml */
export function prometheusRuleGroups(): { groups: Json[] } {
  return {
    groups: ALERT_GROUPS.map((g) => ({
      name: g.name,
      interval: EVALUATION_INTERVAL,
      rules: ALERTS.filter((a) => a.group === g.key).map(prometheusRule),
    })),
  };
}

/** deploy/base/prometheusrule.yaml: the same groups for the Prometheus Operator. */
export function prometheusRuleManifest(): Json {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'ciliumscope',
      namespace: 'kube-system',
      labels: {
        'app.kubernetes.io/name': 'ciliumscope',
        'app.kubernetes.io/component': 'alerting',
        release: 'prometheus',
      },
    },
    spec: prometheusRuleGroups(),
  };
}
