import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

import type { Filter, ScopeQuery } from './contract';
import type { ScopeDataQuery } from './types';

/**
 * Joins the values of a multi-value variable so they can be split again after `TemplateSrv.replace`, which only
 * returns strings. A control character no node name, namespace or drop reason contains.
 */
const VALUE_SEPARATOR = '\u001f';

/** Grafana's value for "All", and the custom all values a dashboard may set meaning "every value". */
const ALL_VALUES = new Set(['$__all', '*', '.*']);

/** `$var`, `${var}`, `${var:format}`, `[[var]]`: a filter value that is exactly one variable reference. */
const SINGLE_VARIABLE = /^(?:\$(\w+)|\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\])$/;

function joinValues(value: unknown): string {
  if (Array.isArray(value)) {
    return value.map((v) => String(v)).join(VALUE_SEPARATOR);
  }
  return value === undefined || value === null ? '' : String(value);
}

function includesAll(value: unknown): boolean {
  if (Array.isArray(value)) {
    return value.some((v) => ALL_VALUES.has(String(v)));
  }
  return typeof value === 'string' && ALL_VALUES.has(value);
}

/**
 * True when `text` is a single variable reference whose current value is "All". Grafana replaces "All" with the
 * list of every option (or the variable's custom all value), which would turn "no filter" into a long, soon stale
 * list; the exporter is told "no filter" instead. Scoped variables (repeated panels, rows) win over the dashboard's.
 */
function isAllSelected(text: string, scopedVars: ScopedVars | undefined, templateSrv: TemplateSrv): boolean {
  const match = SINGLE_VARIABLE.exec(text.trim());
  if (!match) {
    return false;
  }
  const name = match[1] ?? match[2] ?? match[3];
  const scoped = scopedVars?.[name];
  if (scoped) {
    return includesAll(scoped.value);
  }
  const variable = templateSrv.getVariables().find((v) => v.name === name);
  if (!variable || !('current' in variable) || !variable.current) {
    return false;
  }
  return includesAll((variable.current as { value?: unknown }).value);
}

/**
 * Resolves the template variables in one filter. Every value may be literal or a variable; multi-value variables
 * expand to several values. Returns undefined for "no filter": nothing set, an empty result, or "All" selected.
 */
export function interpolateFilter(
  filter: Filter | undefined,
  scopedVars: ScopedVars | undefined,
  templateSrv: TemplateSrv
): Filter | undefined {
  if (filter === undefined || filter === null) {
    return undefined;
  }
  const values: string[] = [];
  for (const raw of Array.isArray(filter) ? filter : [filter]) {
    if (typeof raw !== 'string' || raw.trim() === '') {
      continue;
    }
    if (isAllSelected(raw, scopedVars, templateSrv)) {
      return undefined;
    }
    const replaced = templateSrv.replace(raw, scopedVars, joinValues);
    for (const value of replaced.split(VALUE_SEPARATOR)) {
      const trimmed = value.trim();
      if (ALL_VALUES.has(trimmed)) {
        return undefined;
      }
      if (trimmed !== '' && !values.includes(trimmed)) {
        values.push(trimmed);
      }
    }
  }
  if (values.length === 0) {
    return undefined;
  }
  return values.length === 1 ? values[0] : values;
}

function interpolateText<T extends string>(
  value: T | undefined,
  scopedVars: ScopedVars | undefined,
  templateSrv: TemplateSrv
): T | undefined {
  if (value === undefined) {
    return undefined;
  }
  const replaced = templateSrv.replace(value, scopedVars).trim();
  return replaced === '' ? undefined : (replaced as T);
}

/**
 * A number option that may be a template variable (`$topn`): the variable's value as a number. Text that is not a
 * number is passed on as it is, so the exporter's validation names the field instead of the option vanishing.
 */
function interpolateNumber(
  value: number | string | undefined,
  scopedVars: ScopedVars | undefined,
  templateSrv: TemplateSrv
): number | string | undefined {
  if (typeof value !== 'string') {
    return value;
  }
  const replaced = templateSrv.replace(value, scopedVars).trim();
  if (replaced === '') {
    return undefined;
  }
  const number = Number(replaced);
  return Number.isFinite(number) ? number : replaced;
}

/** Removes undefined fields so the request body carries only what is set. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The panel query with every variable resolved: filters (single, multi-value, All) and the text options
 * (groupBy, unit and view may be driven by a variable too). Numbers pass through.
 */
export function applyTemplateVariables(
  query: ScopeDataQuery,
  scopedVars: ScopedVars | undefined,
  templateSrv: TemplateSrv
): ScopeDataQuery {
  return compact({
    ...query,
    node: interpolateFilter(query.node, scopedVars, templateSrv),
    namespace: interpolateFilter(query.namespace, scopedVars, templateSrv),
    workload: interpolateFilter(query.workload, scopedVars, templateSrv),
    direction: interpolateFilter(query.direction, scopedVars, templateSrv),
    reason: interpolateFilter(query.reason, scopedVars, templateSrv),
    state: interpolateFilter(query.state, scopedVars, templateSrv),
    groupBy: interpolateText(query.groupBy, scopedVars, templateSrv),
    unit: interpolateText(query.unit, scopedVars, templateSrv),
    view: interpolateText(query.view, scopedVars, templateSrv),
    topN: interpolateNumber(query.topN, scopedVars, templateSrv),
  });
}

/** The contract's query from a panel query: Grafana's own fields (hide, datasource, key, ...) stay behind. */
export function toScopeQuery(query: ScopeDataQuery, defaultType: ScopeQuery['queryType']): ScopeQuery {
  return compact({
    refId: query.refId,
    queryType: query.queryType ?? defaultType,
    node: query.node,
    namespace: query.namespace,
    workload: query.workload,
    direction: query.direction,
    reason: query.reason,
    state: query.state,
    groupBy: query.groupBy,
    unit: query.unit,
    view: query.view,
    quantiles: query.quantiles,
    limit: query.limit,
    // A number once applyTemplateVariables has run; anything else is the exporter's to refuse, naming the field.
    topN: query.topN as number | undefined,
    others: query.others,
  });
}

/** Whether any string field of the query refers to a template variable. */
export function queryContainsTemplate(query: ScopeDataQuery, templateSrv: TemplateSrv): boolean {
  const texts: Array<string | undefined> = [
    query.groupBy,
    query.unit,
    query.view,
    typeof query.topN === 'string' ? query.topN : undefined,
  ];
  for (const filter of [query.node, query.namespace, query.workload, query.direction, query.reason, query.state]) {
    texts.push(...(Array.isArray(filter) ? filter : [filter]));
  }
  return texts.some((t) => typeof t === 'string' && templateSrv.containsTemplate(t));
}
