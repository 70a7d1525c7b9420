import { setTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../../src/datasource';
import { applyTemplateVariables, interpolateFilter, queryContainsTemplate } from '../../src/interpolate';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { instanceSettings } from './support/settings';

const NODES = ['node-a', 'node-b', 'node-c'];

describe('template variables', () => {
  const templateSrv = new FakeTemplateSrv([
    { name: 'single', current: 'node-a', options: NODES },
    { name: 'multi', current: ['node-a', 'node-b'], options: NODES, multi: true },
    { name: 'all', current: '$__all', options: NODES, multi: true },
    { name: 'allInList', current: ['$__all'], options: NODES, multi: true },
    { name: 'allCustom', current: '$__all', options: NODES, allValue: '.*', multi: true },
    { name: 'reason', current: ['Policy denied', 'Stale or unroutable IP'], options: [], multi: true },
    { name: 'grouping', current: 'node', options: ['cluster', 'node'] },
    { name: 'topn', current: '20', options: ['5', '10', '20'] },
    { name: 'word', current: 'many', options: ['many'] },
  ]);

  it.each([
    ['a literal value', 'node-a', 'node-a'],
    ['a single-value variable', '$single', 'node-a'],
    ['a multi-value variable', '$multi', ['node-a', 'node-b']],
    ['the ${} form', '${multi}', ['node-a', 'node-b']],
    ['an explicit ${var:format} as one value, as written', '${multi:csv}', 'node-a,node-b'],
    ['the [[var]] form', '[[multi]]', ['node-a', 'node-b']],
    ['values with spaces and commas intact', '$reason', ['Policy denied', 'Stale or unroutable IP']],
    ['a list of variables and literals, deduplicated', ['$multi', 'node-c', 'node-a'], ['node-a', 'node-b', 'node-c']],
    ['an unknown variable, left as typed', '$nope', '$nope'],
  ])('resolves %s', (_name, filter, expected) => {
    expect(interpolateFilter(filter, {}, templateSrv)).toEqual(expected);
  });

  it.each([
    ['All', '$all'],
    ['All stored as a list', '${allInList}'],
    ['All with a custom all value', '$allCustom'],
    ['All next to other values', ['node-c', '$all']],
    ['an empty value', ''],
    ['an empty list', []],
    ['nothing', undefined],
  ])('treats %s as no filter', (_name, filter) => {
    expect(interpolateFilter(filter as string | string[] | undefined, {}, templateSrv)).toBeUndefined();
  });

  it('lets scoped variables (repeated panels) win over the dashboard variable', () => {
    expect(interpolateFilter('$all', { all: { text: 'node-b', value: 'node-b' } }, templateSrv)).toBe('node-b');
    expect(interpolateFilter('$multi', { multi: { text: 'All', value: '$__all' } }, templateSrv)).toBeUndefined();
  });

  it('resolves every filter and the text options of a query, and leaves numbers alone', () => {
    const query = applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'drops',
        node: '$multi',
        direction: 'INGRESS',
        reason: '$reason',
        namespace: '$all',
        groupBy: '$grouping' as 'node',
        unit: 'bytes',
        limit: 20,
        quantiles: [0.5],
      },
      {},
      templateSrv
    );
    expect(query).toEqual({
      refId: 'A',
      queryType: 'drops',
      node: ['node-a', 'node-b'],
      direction: 'INGRESS',
      reason: ['Policy denied', 'Stale or unroutable IP'],
      groupBy: 'node',
      unit: 'bytes',
      limit: 20,
      quantiles: [0.5],
    });
    expect('namespace' in query).toBe(false);
  });

  it('resolves a top N variable to a number, and passes text that is no number on for the exporter to refuse', () => {
    const resolve = (topN: number | string) => applyTemplateVariables({ refId: 'A', topN }, {}, templateSrv).topN;
    expect(resolve('$topn')).toBe(20);
    expect(resolve('${topn}')).toBe(20);
    expect(resolve(7)).toBe(7);
    expect(resolve('$word')).toBe('many');
    expect('topN' in applyTemplateVariables({ refId: 'A', topN: '' }, {}, templateSrv)).toBe(false);
    expect(queryContainsTemplate({ refId: 'A', topN: '$topn' }, templateSrv)).toBe(true);
  });

  it('knows whether a query uses variables', () => {
    expect(queryContainsTemplate({ refId: 'A', node: ['node-a', '$multi'] }, templateSrv)).toBe(true);
    expect(queryContainsTemplate({ refId: 'A', node: ['node-a'], view: 'rate' }, templateSrv)).toBe(false);
  });

  it("is what the datasource applies, through Grafana's TemplateSrv", () => {
    setTemplateSrv(templateSrv);
    const ds = new DataSource(instanceSettings());
    expect(ds.applyTemplateVariables({ refId: 'A', node: '$multi', state: '$all' }, {})).toEqual({
      refId: 'A',
      node: ['node-a', 'node-b'],
    });
    expect(ds.interpolateVariablesInQueries([{ refId: 'A', node: '$single' }], {})).toEqual([
      { refId: 'A', node: 'node-a', datasource: { uid: 'cilium-scope-uid', type: 'ciliumscope-cilium-datasource' } },
    ]);
    expect(ds.targetContainsTemplate({ refId: 'A', reason: '$reason' })).toBe(true);
  });
});
