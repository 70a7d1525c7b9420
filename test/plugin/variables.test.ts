import { CoreApp, dateTime, FieldType, type DataFrame } from '@grafana/data';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { DataSource } from '../../src/datasource';
import type { ScopeVariableQuery } from '../../src/types';
import { parseVariableQuery, variableQueryText } from '../../src/variableQuery';
import type { ScopeVariableSupport } from '../../src/variables';
import { FakeBackendSrv, routes } from './support/fakeBackendSrv';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { instanceSettings } from './support/settings';

const exporter = routes({
  'GET /api/v1/nodes': {
    status: 200,
    data: {
      nodes: [
        { name: 'worker-2', up: true, stale: false, ciliumVersion: '1.16.4' },
        { name: 'worker-1', up: false, stale: true, ciliumVersion: null },
      ],
    },
  },
  'GET /api/v1/namespaces': { status: 200, data: { namespaces: ['kube-system', 'default'] } },
  'GET /api/v1/namespaces?dropped=true&from=0&to=1000': { status: 200, data: { namespaces: ['shop'] } },
  'GET /api/v1/workloads?namespace=shop%2Cpayments&from=0&to=1000': {
    status: 200,
    data: {
      workloads: [
        { namespace: 'shop', workload: 'cart' },
        { namespace: 'payments', workload: 'api' },
        { namespace: 'shop', workload: 'api' },
      ],
    },
  },
  'GET /api/v1/workloads': {
    status: 200,
    data: {
      workloads: [
        { namespace: '', workload: 'reserved:world' },
        { namespace: 'shop', workload: 'cart' },
      ],
    },
  },
  'GET /api/v1/drop-reasons': {
    status: 200,
    data: {
      reasons: [
        { reason: 'Policy denied', code: 133, hubbleName: 'POLICY_DENIED', meaning: '', commonCauses: '', seen: true },
        { reason: 'Stale or unroutable IP', code: 132, hubbleName: null, meaning: '', commonCauses: '', seen: false },
      ],
    },
  },
});

describe('variable queries', () => {
  let backend: FakeBackendSrv;
  let ds: DataSource;

  beforeEach(() => {
    backend = new FakeBackendSrv(exporter);
    setBackendSrv(backend);
    setTemplateSrv(new FakeTemplateSrv());
    ds = new DataSource(instanceSettings());
  });

  it.each([
    ['nodes()', 'nodes', false],
    ['  Nodes ( ) ', 'nodes', false],
    ['namespaces', 'namespaces', false],
    ['directions()', 'directions', false],
    ['drop_reasons()', 'dropReasons', false],
    ['drop_reasons(seen)', 'dropReasons', true],
    ['', 'nodes', false],
  ])('reads %j', (text, kind, seenOnly) => {
    expect(parseVariableQuery(text)).toEqual({ kind, seenOnly });
  });

  it.each([
    ['namespaces(dropped)', { kind: 'namespaces', seenOnly: false, droppedOnly: true }],
    ['workloads()', { kind: 'workloads', seenOnly: false }],
    ['workloads($namespace)', { kind: 'workloads', seenOnly: false, namespace: '$namespace' }],
    ['Workloads( shop, ${ns:csv} )', { kind: 'workloads', seenOnly: false, namespace: 'shop, ${ns:csv}' }],
    // Interpolated before it reached the datasource, in Grafana's default format for several values.
    ['workloads({shop,payments})', { kind: 'workloads', seenOnly: false, namespace: 'shop,payments' }],
  ])('reads %j', (text, parsed) => {
    expect(parseVariableQuery(text)).toEqual(parsed);
    expect(parseVariableQuery(text).kind).toBe(parsed.kind);
  });

  it.each(['pods()', 'nodes(up)', 'label_values(node)', 'nodes() extra', 'workloads(Shop Space)', 'namespaces(seen)'])(
    'rejects %j with the syntax it takes',
    (text) => {
      expect(() => parseVariableQuery(text)).toThrow(
        /use nodes\(\), namespaces\(\), namespaces\(dropped\), workloads\(\), workloads\(<namespace or \$variable>\), directions\(\), drop_reasons\(\) or drop_reasons\(seen\)\./
      );
    }
  );

  it('prefers the structured form and writes the text form back', () => {
    expect(parseVariableQuery({ refId: 'V', kind: 'dropReasons', seenOnly: true, query: 'nodes()' })).toEqual({
      kind: 'dropReasons',
      seenOnly: true,
    });
    expect(variableQueryText('dropReasons', true)).toBe('drop_reasons(seen)');
    expect(variableQueryText('namespaces', true)).toBe('namespaces()');
    expect(variableQueryText('namespaces', false, { droppedOnly: true })).toBe('namespaces(dropped)');
    expect(variableQueryText('workloads', false, { namespace: '$namespace' })).toBe('workloads($namespace)');
    expect(parseVariableQuery({ refId: 'V', kind: 'workloads', namespace: ' $namespace ', query: 'nodes()' })).toEqual({
      kind: 'workloads',
      seenOnly: false,
      namespace: '$namespace',
    });
  });

  it("lists the namespaces with drops and the workloads of a namespace variable's values, within the dashboard's range", async () => {
    setTemplateSrv(
      new FakeTemplateSrv([
        { name: 'namespace', current: ['shop', 'payments'], options: ['shop', 'payments', 'data'], multi: true },
      ])
    );
    const range = { from: dateTime(0), to: dateTime(1000), raw: { from: 'now-1h', to: 'now' } };
    expect((await ds.metricFindQuery('namespaces(dropped)', { range })).map((v) => v.text)).toEqual(['shop']);
    // The same workload name in two namespaces is one value.
    expect((await ds.metricFindQuery('workloads($namespace)', { range })).map((v) => v.text)).toEqual(['api', 'cart']);
    // No range, no namespace: every workload with drops the exporter exports now.
    expect((await ds.metricFindQuery('workloads()')).map((v) => v.text)).toEqual(['cart', 'reserved:world']);
    expect(backend.requests.map((r) => r.url.replace(/^.*\/api(?=\/api\/)/, ''))).toEqual([
      '/api/v1/namespaces?dropped=true&from=0&to=1000',
      '/api/v1/workloads?namespace=shop%2Cpayments&from=0&to=1000',
      '/api/v1/workloads',
    ]);
  });

  it.each([
    ['nodes()', ['worker-1', 'worker-2'], '/api/v1/nodes'],
    ['namespaces()', ['default', 'kube-system'], '/api/v1/namespaces'],
    ['drop_reasons()', ['Policy denied', 'Stale or unroutable IP'], '/api/v1/drop-reasons'],
    ['drop_reasons(seen)', ['Policy denied'], '/api/v1/drop-reasons'],
  ])('lists %s from the exporter', async (query, expected, path) => {
    const values = await ds.metricFindQuery(query);
    expect(values.map((v) => v.text)).toEqual(expected);
    expect(backend.requests.map((r) => r.url.replace(/^.*\/api(?=\/api\/)/, ''))).toEqual([path]);
  });

  it('lists the directions without asking the exporter', async () => {
    expect((await ds.metricFindQuery('directions()')).map((v) => v.value)).toEqual(['INGRESS', 'EGRESS']);
    expect(backend.requests).toHaveLength(0);
  });

  it("answers Grafana's custom variable support with a text/value frame, fresh each time", async () => {
    const support = ds.variables as ScopeVariableSupport;
    const request = {
      requestId: 'V1',
      interval: '1m',
      intervalMs: 60000,
      range: { from: dateTime(0), to: dateTime(1000), raw: { from: 'now-1h', to: 'now' } },
      scopedVars: {},
      targets: [{ refId: 'variable-node', kind: 'nodes', query: 'nodes()' } as ScopeVariableQuery],
      timezone: 'utc',
      app: CoreApp.Dashboard,
      startTime: 0,
    };
    const first = await lastValueFrom(support.query(request));
    const frame = first.data[0] as DataFrame;
    expect(frame.fields.map((f) => [f.name, f.type, f.values])).toEqual([
      ['text', FieldType.string, ['worker-1', 'worker-2']],
      ['value', FieldType.string, ['worker-1', 'worker-2']],
    ]);
    await lastValueFrom(support.query(request));
    expect(backend.requests).toHaveLength(2);

    const failed = await lastValueFrom(
      support.query({ ...request, targets: [{ refId: 'variable-x', query: 'pods()' } as ScopeVariableQuery] })
    );
    expect(failed.errors?.[0].message).toMatch(/Unknown variable query "pods\(\)"/);
  });

  it('reuses option lists for the editors for a short while', async () => {
    await ds.getNodes();
    await ds.getNodes();
    expect(backend.requests).toHaveLength(1);
    await ds.getNodes(true);
    expect(backend.requests).toHaveLength(2);
  });

  it('does not keep a failed option list', async () => {
    backend.setHandler(routes({ 'GET /api/v1/nodes': { status: 503, data: { error: 'not ready' } } }));
    await expect(ds.getNodes()).rejects.toThrow('not ready');
    backend.setHandler(exporter);
    await expect(ds.getNodes()).resolves.toHaveLength(2);
  });
});
