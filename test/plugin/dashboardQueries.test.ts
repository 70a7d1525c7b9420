/**
 * The shipped dashboards speak the plugin's query model: every panel query, variable and annotation that uses this
 * datasource is one the editors can show and the datasource can run.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';

import { ANNOTATION_KINDS, QUERY_TYPE_INFO, type FilterName, type QueryOption } from '../../src/queryCatalog';
import { queryOptions } from '../../src/queryTypes';
import type { ScopeDataQuery } from '../../src/types';
import { parseVariableQuery } from '../../src/variableQuery';

const PLUGIN_ID = 'ciliumscope-cilium-datasource';
const DASHBOARDS = join(__dirname, '..', '..', 'dashboards');
const FILTERS: FilterName[] = ['node', 'namespace', 'direction', 'reason', 'state'];
const OPTIONS: QueryOption[] = ['groupBy', 'unit', 'quantiles', 'limit', 'topN'];

interface Panel {
  title?: string;
  datasource?: { type?: string };
  targets?: Array<ScopeDataQuery & { datasource?: { type?: string } }>;
  panels?: Panel[];
}

function* allPanels(panels: Panel[] = []): Generator<Panel> {
  for (const panel of panels) {
    yield panel;
    yield* allPanels(panel.panels);
  }
}

/** What is wrong with one panel query, or nothing. */
function queryProblems(query: ScopeDataQuery): string[] {
  const info = query.queryType ? QUERY_TYPE_INFO[query.queryType] : undefined;
  if (!info) {
    return [`unknown queryType ${JSON.stringify(query.queryType)}`];
  }
  const problems: string[] = [];
  if (query.view !== undefined && !info.views?.[query.view]) {
    problems.push(`view ${query.view} is not a view of ${query.queryType}`);
  }
  for (const filter of FILTERS) {
    if (query[filter] !== undefined && !info.filters.includes(filter)) {
      problems.push(`${query.queryType} does not read ${filter}`);
    }
  }
  const options = queryOptions(query.queryType, query.view);
  for (const option of OPTIONS) {
    if (query[option] !== undefined && !options.includes(option)) {
      problems.push(`${query.queryType}${query.view ? `/${query.view}` : ''} does not read ${option}`);
    }
  }
  return problems;
}

const files = existsSync(DASHBOARDS) ? readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json')) : [];

describe('the query check', () => {
  it('finds what the editors would not show', () => {
    expect(queryProblems({ refId: 'A', queryType: 'endpoints', groupBy: 'node', state: 'ready' })).toEqual([]);
    expect(queryProblems({ refId: 'A', queryType: 'unmanagedPods', reason: 'x', groupBy: 'node' })).toEqual([
      'unmanagedPods does not read reason',
      'unmanagedPods does not read groupBy',
    ]);
    expect(queryProblems({ refId: 'A', queryType: 'drops', view: 'topNodes', limit: 5, quantiles: [0.5] })).toEqual([
      'drops/topNodes does not read quantiles',
    ]);
    expect(queryProblems({ refId: 'A', queryType: 'policy', view: 'bands' as never })).toEqual([
      'view bands is not a view of policy',
    ]);
    expect(queryProblems({ refId: 'A', queryType: 'nope' as never })).toEqual(['unknown queryType "nope"']);
  });
});

describe.each(files)('dashboards/%s', (file) => {
  const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
  const usesPlugin = (ds: { type?: string } | undefined) => ds?.type === PLUGIN_ID;

  it('has panel queries the plugin can edit and run', () => {
    const problems: string[] = [];
    let count = 0;
    for (const panel of allPanels(dashboard.panels)) {
      for (const target of panel.targets ?? []) {
        if (usesPlugin(target.datasource) || (!target.datasource && usesPlugin(panel.datasource))) {
          count++;
          problems.push(...queryProblems(target).map((p) => `"${panel.title}" ${target.refId}: ${p}`));
        }
      }
    }
    expect(problems).toEqual([]);
    if (file === 'cilium-scope.json') {
      expect(count).toBeGreaterThan(0);
    }
  });

  it('has variable and annotation queries the plugin understands', () => {
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type === 'query' && usesPlugin(variable.datasource)) {
        expect(() => parseVariableQuery(variable.query)).not.toThrow();
      }
    }
    for (const annotation of dashboard.annotations?.list ?? []) {
      if (usesPlugin(annotation.datasource)) {
        expect(Object.keys(ANNOTATION_KINDS)).toContain(annotation.target?.annotationKind);
      }
    }
  });
});
