/**
 * The alert provisioning files against the fields Grafana's file provisioning reads, per release: Grafana 10.4 is
 * the oldest the project supports, so every field written must be one 10.4 reads. The field lists come from the
 * structs Grafana decodes these files into (pkg/services/provisioning/alerting/: AlertRuleGroupV1, AlertRuleV1,
 * QueryV1 in rules_types.go; contact points and notification policies beside them). Grafana decodes with
 * yaml.Unmarshal, which ignores fields a release does not know: a newer field would be dropped silently on 10.4, so
 * none is written (NEWER_FIELDS_WRITTEN documents any that ever are, and why 10.4 may ignore them).
 */
import { PATHS } from '../../../tools/dashboards/generate';
import { type Json, readYaml } from './files';

/** What 10.4's structs read; every field here is still read by 13.1 (fields are added, never dropped). */
const GRAFANA_10_4 = {
  file: ['apiVersion', 'groups', 'deleteRules', 'contactPoints', 'deleteContactPoints', 'policies', 'resetPolicies'],
  group: ['orgId', 'name', 'folder', 'interval', 'rules'],
  rule: [
    'uid',
    'title',
    'condition',
    'data',
    'dashboardUid',
    'panelId',
    'noDataState',
    'execErrState',
    'for',
    'annotations',
    'labels',
    'isPaused',
  ],
  query: ['refId', 'queryType', 'relativeTimeRange', 'datasourceUid', 'model'],
  relativeTimeRange: ['from', 'to'],
  contactPoint: ['orgId', 'name', 'receivers'],
  receiver: ['uid', 'type', 'settings', 'disableResolveMessage'],
  route: [
    'orgId',
    'receiver',
    'group_by',
    'object_matchers',
    'matchers',
    'continue',
    'mute_time_intervals',
    'group_wait',
    'group_interval',
    'repeat_interval',
    'routes',
  ],
  noDataState: ['NoData', 'Alerting', 'OK'],
  execErrState: ['Alerting', 'Error'],
} as const;

/**
 * Rule fields of Grafana 13.1's AlertRuleV1 that 10.4's lacks: `dasboardUid` (the old misspelling, read as well),
 * `notification_settings` (simplified routing), `record` (recording rules), `keepFiringFor` and
 * `missing_series_evals_to_resolve`. 11.6 and 12.4 read 10.4's fields and some of these.
 */
const GRAFANA_13_1_RULE_ONLY = [
  'dasboardUid',
  'notification_settings',
  'record',
  'keepFiringFor',
  'missing_series_evals_to_resolve',
] as const;

/** State values 10.4 lacks: KeepLast (both states) and OK for execution errors came later. */
const GRAFANA_13_1_STATES_ONLY = { noDataState: ['KeepLast'], execErrState: ['OK', 'KeepLast'] } as const;

/** Newer fields the files write anyway, each with why 10.4 may ignore it. None today. */
const NEWER_FIELDS_WRITTEN: Record<string, string> = {};

type Fields = keyof typeof GRAFANA_10_4;

/** Every field of a provisioning file that Grafana 10.4 would not read, as `path: field`. */
function fieldsUnknownTo104(file: Json): string[] {
  const out: string[] = [];
  const check = (value: unknown, kind: Fields, path: string) => {
    const known = GRAFANA_10_4[kind] as readonly string[];
    for (const key of Object.keys((value as Json) ?? {})) {
      if (!known.includes(key) && !(key in NEWER_FIELDS_WRITTEN)) {
        out.push(`${path}: ${key}`);
      }
    }
  };
  check(file, 'file', '');
  for (const [g, group] of ((file.groups as Json[]) ?? []).entries()) {
    check(group, 'group', `groups[${g}]`);
    for (const [r, rule] of ((group.rules as Json[]) ?? []).entries()) {
      const path = `groups[${g}].rules[${r}]`;
      check(rule, 'rule', path);
      for (const state of ['noDataState', 'execErrState'] as const) {
        if (rule[state] !== undefined && !(GRAFANA_10_4[state] as readonly string[]).includes(String(rule[state]))) {
          out.push(`${path}.${state}: ${String(rule[state])}`);
        }
      }
      for (const [q, query] of ((rule.data as Json[]) ?? []).entries()) {
        check(query, 'query', `${path}.data[${q}]`);
        check(query.relativeTimeRange, 'relativeTimeRange', `${path}.data[${q}].relativeTimeRange`);
      }
    }
  }
  for (const [c, contactPoint] of ((file.contactPoints as Json[]) ?? []).entries()) {
    check(contactPoint, 'contactPoint', `contactPoints[${c}]`);
    ((contactPoint.receivers as Json[]) ?? []).forEach((receiver, i) =>
      check(receiver, 'receiver', `contactPoints[${c}].receivers[${i}]`)
    );
  }
  const routes = (route: Json, path: string) => {
    check(route, 'route', path);
    ((route.routes as Json[]) ?? []).forEach((child, i) => routes(child, `${path}.routes[${i}]`));
  };
  ((file.policies as Json[]) ?? []).forEach((policy, p) => routes(policy, `policies[${p}]`));
  return out;
}

const FILES = [PATHS.grafanaAlerts, 'provisioning/alerting/contact-points.yaml'];

describe("alert provisioning that Grafana 10.4's file provisioning reads", () => {
  test.each(FILES)('%s: apiVersion 1 and only fields 10.4 reads', (path) => {
    const file = readYaml(path);
    expect(file.apiVersion).toBe(1);
    expect(fieldsUnknownTo104(file)).toEqual([]);
  });

  test('the rules use the fields every release from 10.4 to 13.1 reads, and each rule has its required ones', () => {
    const rules = (readYaml(PATHS.grafanaAlerts).groups as Json[]).flatMap((g) => g.rules as Json[]);
    for (const rule of rules) {
      expect(Object.keys(rule)).toEqual(
        expect.arrayContaining(['uid', 'title', 'condition', 'data', 'for', 'noDataState', 'execErrState'])
      );
      for (const field of GRAFANA_13_1_RULE_ONLY) {
        expect([rule.uid, field, field in rule]).toEqual([rule.uid, field, false]);
      }
    }
    expect(Object.keys(NEWER_FIELDS_WRITTEN)).toEqual([]);
  });

  test('the check fails on fields and values that came after 10.4', () => {
    const file = readYaml(PATHS.grafanaAlerts);
    const rule = ((file.groups as Json[])[0].rules as Json[])[0];
    rule.keepFiringFor = '5m';
    rule.notification_settings = { receiver: 'ciliumscope-oncall' };
    rule.noDataState = GRAFANA_13_1_STATES_ONLY.noDataState[0];
    ((rule.data as Json[])[0] as Json).relativeTimeRange = { from: 600, to: 0, step: 15 };
    expect(fieldsUnknownTo104(file)).toEqual([
      'groups[0].rules[0]: keepFiringFor',
      'groups[0].rules[0]: notification_settings',
      'groups[0].rules[0].noDataState: KeepLast',
      'groups[0].rules[0].data[0].relativeTimeRange: step',
    ]);
  });
});
