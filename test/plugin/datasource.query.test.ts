import { FieldType, LoadingState, type DataFrame, type DataQueryResponse } from '@grafana/data';
import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';
import { lastValueFrom, type Observable } from 'rxjs';

import type { QueryRequest, QueryResponse } from '../../src/contract';
import { DataSource } from '../../src/datasource';
import { FakeBackendSrv, routes } from './support/fakeBackendSrv';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { FROM, queryRequest, TO } from './support/requests';
import { instanceSettings, PROXY_URL } from './support/settings';

const endpointsFrame = {
  schema: {
    refId: 'A',
    name: 'endpoints',
    meta: { type: 'timeseries-multi' as const, typeVersion: [0, 1] as [number, number] },
    fields: [
      { name: 'time', type: 'time' as const },
      {
        name: 'value',
        type: 'number' as const,
        labels: { state: 'ready' },
        config: { unit: 'none', displayNameFromDS: 'ready' },
      },
    ],
  },
  data: {
    values: [
      [FROM, FROM + 15000],
      [40, 41],
    ],
  },
};

const unmanagedFrame = {
  schema: {
    name: 'unmanaged pods',
    meta: { type: 'table' as const },
    fields: [
      { name: 'namespace', type: 'string' as const },
      { name: 'pod', type: 'string' as const },
      { name: 'node', type: 'string' as const },
    ],
  },
  data: { values: [['default'], ['web-1'], ['node-a']] },
};

function run(ds: DataSource, response: Observable<DataQueryResponse> | Promise<DataQueryResponse>) {
  return response instanceof Promise ? response : lastValueFrom(response);
}

describe('DataSource.query', () => {
  let backend: FakeBackendSrv;
  let ds: DataSource;

  beforeEach(() => {
    backend = new FakeBackendSrv(routes({}));
    setBackendSrv(backend);
    setTemplateSrv(
      new FakeTemplateSrv([
        { name: 'node', current: ['node-a', 'node-b'], options: ['node-a', 'node-b', 'node-c'], multi: true },
        { name: 'topn', current: '5', options: ['5', '10', '20'] },
      ])
    );
    ds = new DataSource(instanceSettings());
  });

  it('posts the contract request to the exporter through the proxy route', async () => {
    let body: QueryRequest | undefined;
    backend.setHandler(
      routes({
        'POST /api/v1/query': (req) => {
          body = req.data;
          return {
            status: 200,
            data: { results: { A: { frames: [endpointsFrame] }, B: { frames: [unmanagedFrame] } } },
          };
        },
      })
    );

    const response = await run(
      ds,
      ds.query(
        queryRequest([
          {
            refId: 'A',
            queryType: 'endpoints',
            groupBy: 'node',
            node: '$node',
            state: ['ready', 'not-ready'],
            topN: '$topn',
            others: true,
          },
          {
            refId: 'B',
            queryType: 'unmanagedPods',
            namespace: 'default',
            datasource: { uid: 'x' },
            key: 'Q-1',
          } as never,
          { refId: 'C', queryType: 'drops', hide: true },
        ])
      )
    );

    expect(backend.requests).toHaveLength(1);
    const request = backend.requests[0];
    expect(request.url).toBe(`${PROXY_URL}/api/api/v1/query`);
    expect(request.method).toBe('POST');
    expect(request.requestId).toBe('Q101');
    expect(request.showErrorAlert).toBe(false);
    expect(body).toEqual({
      from: FROM,
      to: TO,
      intervalMs: 15000,
      maxDataPoints: 240,
      queries: [
        {
          refId: 'A',
          queryType: 'endpoints',
          groupBy: 'node',
          node: ['node-a', 'node-b'],
          state: ['ready', 'not-ready'],
          topN: 5,
          others: true,
        },
        { refId: 'B', queryType: 'unmanagedPods', namespace: 'default' },
      ],
    });

    expect(response.state).toBe(LoadingState.Done);
    expect(response.errors).toBeUndefined();
    const frames = response.data as DataFrame[];
    expect(frames.map((f) => f.refId)).toEqual(['A', 'B']);
    expect(frames[0].fields[0].type).toBe(FieldType.time);
    expect(frames[0].fields[1].labels).toEqual({ state: 'ready' });
    expect(frames[0].fields[1].config.displayNameFromDS).toBe('ready');
    expect(frames[0].fields[1].values).toEqual([40, 41]);
    expect(frames[1].fields.map((f) => f.name)).toEqual(['namespace', 'pod', 'node']);
    expect(frames[1].fields[1].values).toEqual(['web-1']);
  });

  it('fills in the default query type for a query the editor has not touched', async () => {
    let body: QueryRequest | undefined;
    backend.setHandler(
      routes({
        'POST /api/v1/query': (req) => {
          body = req.data;
          return { status: 200, data: { results: { A: { frames: [] } } } };
        },
      })
    );
    await run(ds, ds.query(queryRequest([{ refId: 'A' }])));
    expect(body?.queries).toEqual([{ refId: 'A', queryType: 'endpoints' }]);
  });

  it('sends nothing when every query is hidden', async () => {
    const response = await run(ds, ds.query(queryRequest([{ refId: 'A', queryType: 'drops', hide: true }])));
    expect(backend.requests).toHaveLength(0);
    expect(response.data).toEqual([]);
  });

  it("puts a failed query's error on that query and keeps the frames of the others", async () => {
    const body: QueryResponse = {
      results: {
        A: { frames: [endpointsFrame] },
        B: { frames: [], error: 'No history before 12:10: the exporter started at 12:10', status: 400 },
      },
    };
    backend.setHandler(routes({ 'POST /api/v1/query': { status: 200, data: body } }));

    const response = await run(
      ds,
      ds.query(
        queryRequest([
          { refId: 'A', queryType: 'endpoints' },
          { refId: 'B', queryType: 'regeneration' },
        ])
      )
    );

    expect((response.data as DataFrame[]).map((f) => f.refId)).toEqual(['A']);
    expect(response.errors).toEqual([
      { refId: 'B', message: 'No history before 12:10: the exporter started at 12:10', status: 400 },
    ]);
    expect(response.state).toBe(LoadingState.Error);
  });

  it('shows a 400 from the exporter as it is, on the query its field names', async () => {
    backend.setHandler(
      routes({
        'POST /api/v1/query': { status: 400, data: { error: 'limit must be at most 1000', field: 'queries[1].limit' } },
      })
    );
    const response = await run(
      ds,
      ds.query(
        queryRequest([
          { refId: 'A', queryType: 'endpoints' },
          { refId: 'B', queryType: 'drops', view: 'topNodes', limit: 5000 },
        ])
      )
    );
    expect(response.errors).toEqual([
      { refId: 'B', message: 'limit must be at most 1000 (field: queries[1].limit)', status: 400 },
    ]);
    expect(response.data).toEqual([]);
  });

  it("does not repeat a field the exporter's message already names", async () => {
    backend.setHandler(
      routes({
        'POST /api/v1/query': {
          status: 400,
          data: { error: 'queries[0].queryType must be one of endpoints, ...', field: 'queries[0].queryType' },
        },
      })
    );
    const response = await run(ds, ds.query(queryRequest([{ refId: 'A', queryType: 'nope' as never }])));
    expect(response.errors).toEqual([
      { refId: 'A', message: 'queries[0].queryType must be one of endpoints, ...', status: 400 },
    ]);
  });

  it('puts a request-level failure on every query of the request', async () => {
    backend.setHandler(
      routes({ 'POST /api/v1/query': { status: 401, data: { error: 'Unauthorized: check the token' } } })
    );
    const response = await run(
      ds,
      ds.query(
        queryRequest([
          { refId: 'A', queryType: 'endpoints' },
          { refId: 'B', queryType: 'policy' },
        ])
      )
    );
    expect(response.errors?.map((e) => [e.refId, e.message, e.status])).toEqual([
      ['A', 'Unauthorized: check the token', 401],
      ['B', 'Unauthorized: check the token', 401],
    ]);
    expect(response.state).toBe(LoadingState.Error);
  });

  it('explains an unreachable exporter (502 from the data proxy) with the URL Grafana uses', async () => {
    backend.setHandler(routes({ 'POST /api/v1/query': { status: 502, statusText: 'Bad Gateway' } }));
    const response = await run(ds, ds.query(queryRequest([{ refId: 'A', queryType: 'endpoints' }])));
    expect(response.errors?.[0].message).toMatch(/Grafana could not reach the exporter at http:\/\/exporter:9967/);
    expect(response.errors?.[0].message).toMatch(/reachable from the Grafana server/);
  });

  it('fails with a timeout message when the exporter does not answer in time', async () => {
    ds = new DataSource(instanceSettings({ timeoutSeconds: 0.05 }));
    backend.setHandler(routes({ 'POST /api/v1/query': { status: 200, data: { results: {} }, delayMs: 2000 } }));
    const started = Date.now();
    const response = await run(ds, ds.query(queryRequest([{ refId: 'A', queryType: 'endpoints' }])));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(response.errors?.[0].message).toMatch(/No answer from the exporter at http:\/\/exporter:9967 within 0.05 s/);
  });

  it('asks for annotations and returns them as a frame Grafana turns into events', async () => {
    let body: unknown;
    backend.setHandler(
      routes({
        'POST /api/v1/annotations': (req) => {
          body = req.data;
          return {
            status: 200,
            data: {
              annotations: [
                {
                  time: FROM + 1000,
                  title: 'Policy import failed',
                  text: 'node-a: 2 failures',
                  tags: ['cilium', 'policy'],
                  node: 'node-a',
                },
                {
                  time: FROM + 5000,
                  timeEnd: FROM + 65000,
                  title: 'Drop anomaly',
                  text: 'Policy denied on node-b',
                  tags: ['drops'],
                  node: 'node-b',
                },
              ],
            },
          };
        },
      })
    );
    const request = queryRequest([{ refId: 'Anno', annotationKind: 'policyImportErrors', node: '$node' }]);
    const response = await run(ds, ds.query(request));

    expect(backend.requests[0].url).toBe(`${PROXY_URL}/api/api/v1/annotations`);
    expect(body).toEqual({ from: FROM, to: TO, kind: 'policyImportErrors', node: ['node-a', 'node-b'] });
    const frames = response.data as DataFrame[];
    expect(frames).toHaveLength(1);
    expect(frames[0].refId).toBe('Anno');

    const events = await lastValueFrom(
      ds.annotations!.processEvents!({ enable: true, name: 'x', iconColor: 'red' }, frames)
    );
    expect(events).toEqual([
      {
        time: FROM + 1000,
        timeEnd: FROM + 1000,
        isRegion: false,
        title: 'Policy import failed',
        text: 'node-a: 2 failures',
        tags: ['cilium', 'policy'],
      },
      {
        time: FROM + 5000,
        timeEnd: FROM + 65000,
        isRegion: true,
        title: 'Drop anomaly',
        text: 'Policy denied on node-b',
        tags: ['drops'],
      },
    ]);
  });

  it('runs data and annotation queries of one request side by side', async () => {
    backend.setHandler(
      routes({
        'POST /api/v1/query': { status: 200, data: { results: { A: { frames: [endpointsFrame] } } } },
        'POST /api/v1/annotations': { status: 500, data: { error: 'history backend unavailable' } },
      })
    );
    const response = await run(
      ds,
      ds.query(
        queryRequest([
          { refId: 'A', queryType: 'endpoints' },
          { refId: 'Anno', annotationKind: 'agentRestarts' },
        ])
      )
    );
    expect((response.data as DataFrame[]).map((f) => f.refId)).toEqual(['A']);
    expect(response.errors).toEqual([{ refId: 'Anno', message: 'history backend unavailable', status: 500 }]);
  });

  it('prepares stored annotations, including a kind kept outside the target', () => {
    const support = ds.annotations!;
    const prepared = support.prepareAnnotation!({
      name: 'Restarts',
      enable: true,
      iconColor: 'red',
      annotationKind: 'agentRestarts',
    });
    expect(prepared.target).toEqual({ refId: 'Anno', annotationKind: 'agentRestarts' });
    expect(support.prepareQuery!(prepared)).toEqual({ refId: 'Anno', annotationKind: 'agentRestarts' });
    expect(support.getDefaultQuery!()).toEqual({ annotationKind: 'dropAnomalies' });
  });
});
