import { setBackendSrv, setTemplateSrv } from '@grafana/runtime';

import type { StatusResponse } from '../../src/contract';
import { DataSource } from '../../src/datasource';
import { FakeBackendSrv, routes } from './support/fakeBackendSrv';
import { FakeTemplateSrv } from './support/fakeTemplateSrv';
import { instanceSettings, PROXY_URL } from './support/settings';

function status(overrides: Partial<StatusResponse> = {}): StatusResponse {
  return {
    exporterVersion: '0.1.0',
    startedAt: Date.UTC(2025, 0, 10),
    scrapeIntervalMs: 30000,
    nodes: { total: 12, up: 12, down: 0, stale: 0 },
    operator: { configured: true, up: true, error: null },
    kubernetes: {
      enabled: true,
      synced: true,
      lastSyncAgeSeconds: 4,
      error: null,
      unmanagedSource: 'ciliumendpoints',
    },
    history: {
      backend: 'embedded',
      url: null,
      state: 'ok',
      lastSuccessAt: null,
      lastError: null,
      lastErrorAt: null,
      retentionSeconds: 10800,
      series: 4000,
      bytes: 1 << 20,
    },
    shard: null,
    ...overrides,
  };
}

describe('DataSource.testDatasource', () => {
  let backend: FakeBackendSrv;
  let ds: DataSource;

  beforeEach(() => {
    backend = new FakeBackendSrv(routes({}));
    setBackendSrv(backend);
    setTemplateSrv(new FakeTemplateSrv());
    ds = new DataSource(instanceSettings());
  });

  it('reports the exporter version, nodes and Kubernetes sync when all is well', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 200, data: status() } }));
    const result = await ds.testDatasource();
    expect(backend.requests[0]).toMatchObject({ url: `${PROXY_URL}/api/api/v1/status`, method: 'GET' });
    expect(result.status).toBe('success');
    expect(result.message).toBe('Cilium Scope exporter 0.1.0: 12 nodes seen (12 up).');
    expect(result.details?.message).toBe(
      'Kubernetes: synced, last update 4 s ago; unmanaged pods named from CiliumEndpoints. Operator: up. ' +
        'History: kept by the exporter in memory, up to 3 h.'
    );
  });

  const prometheus = (over: Partial<StatusResponse['history']>): StatusResponse['history'] => ({
    backend: 'prometheus',
    url: 'http://prometheus:9090',
    state: 'ok',
    lastSuccessAt: Date.UTC(2025, 0, 10, 12, 0, 5),
    lastError: null,
    lastErrorAt: null,
    retentionSeconds: null,
    series: null,
    bytes: null,
    ...over,
  });

  it('names the Prometheus a query replica reads, and its last answer', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 200, data: status({ history: prometheus({}) }) } }));
    const result = await ds.testDatasource();
    expect(result.status).toBe('success');
    expect(result.details?.message).toContain(
      'History: read from Prometheus at http://prometheus:9090 (last answer at 2025-01-10T12:00:05.000Z)'
    );
  });

  it("fails with the history backend's own error when Prometheus does not answer", async () => {
    const lastError = 'history backend prometheus (http://prometheus:9090): cannot connect: ECONNREFUSED';
    const history = prometheus({ state: 'error', lastError, lastErrorAt: Date.UTC(2025, 0, 10, 12, 1) });
    backend.setHandler(
      routes({
        'GET /api/v1/status': { status: 200, data: status({ history, nodes: { total: 0, up: 0, down: 0, stale: 0 } }) },
      })
    );
    const result = await ds.testDatasource();
    expect(result).toMatchObject({
      status: 'error',
      message:
        'Connected to Cilium Scope exporter 0.1.0, but its history backend prometheus (http://prometheus:9090): cannot connect: ECONNREFUSED. ' +
        'Panels cannot load until the history backend answers; the exporter keeps running and tries again at every request.',
    });
    expect(result.details?.message).toContain(
      `History: read from Prometheus at http://prometheus:9090 (failing: ${lastError})`
    );
  });

  it('says what to check when Prometheus answers but holds no exporter series', async () => {
    backend.setHandler(
      routes({
        'GET /api/v1/status': {
          status: 200,
          data: status({ history: prometheus({}), nodes: { total: 0, up: 0, down: 0, stale: 0 } }),
        },
      })
    );
    expect(await ds.testDatasource()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/holds no ciliumscope_target_up series: check that it scrapes the exporters/),
    });
  });

  it('warns and names what is degraded', async () => {
    backend.setHandler(
      routes({
        'GET /api/v1/status': {
          status: 200,
          data: status({
            nodes: { total: 12, up: 10, down: 2, stale: 1 },
            operator: { configured: true, up: false, error: 'connect ECONNREFUSED 10.0.0.5:9963' },
            kubernetes: {
              enabled: true,
              synced: false,
              lastSyncAgeSeconds: null,
              error: 'pods is forbidden',
              unmanagedSource: 'none',
            },
            shard: { index: 1, count: 3 },
          }),
        },
      })
    );
    const result = await ds.testDatasource();
    expect(result.status).toBe('warning');
    expect(result.message).toBe(
      'Cilium Scope exporter 0.1.0: 12 nodes seen (10 up, 2 down, 1 stale). ' +
        'Degraded: 2 agents not answering, 1 node with stale data, Kubernetes not in sync, operator down.'
    );
    expect(result.details?.message).toContain('Kubernetes: not synced: pods is forbidden');
    expect(result.details?.message).toContain('Operator: down (connect ECONNREFUSED 10.0.0.5:9963)');
    expect(result.details?.message).toContain('Shard 2 of 3');
  });

  it('fails when the exporter has nothing to scrape or no agent answers', async () => {
    backend.setHandler(
      routes({ 'GET /api/v1/status': { status: 200, data: status({ nodes: { total: 0, up: 0, down: 0, stale: 0 } }) } })
    );
    expect(await ds.testDatasource()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/no Cilium agents to scrape/),
    });

    backend.setHandler(
      routes({ 'GET /api/v1/status': { status: 200, data: status({ nodes: { total: 3, up: 0, down: 3, stale: 0 } }) } })
    );
    expect(await ds.testDatasource()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/No agent answers/),
    });
  });

  it("says the token is wrong on 401, with the exporter's own message", async () => {
    backend.setHandler(
      routes({
        'GET /api/v1/status': { status: 401, data: { error: 'Unauthorized: check the token configured in Grafana' } },
      })
    );
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message: 'Unauthorized: check the token configured in Grafana',
    });
  });

  it('says how to fix the token, quoting a terse exporter message', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 401, data: { error: 'invalid bearer token' } } }));
    expect(await ds.testDatasource()).toEqual({
      status: 'error',
      message:
        'Unauthorized: check the token. The exporter requires a bearer token; set the one it was started with under ' +
        'Authentication in the datasource settings (the exporter said: invalid bearer token).',
    });
  });

  it('says how to fix the token on a 401 without a body', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 401 } }));
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^Unauthorized: check the token/);
  });

  it('says the URL is wrong when Grafana cannot reach the exporter', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 502, statusText: 'Bad Gateway' } }));
    const result = await ds.testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^Grafana could not reach the exporter at http:\/\/exporter:9967 \(502 Bad Gateway/);
  });

  it('reports a network error between the browser and Grafana', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 0, data: null } }));
    const result = await ds.testDatasource();
    expect(result).toEqual({ status: 'error', message: expect.stringMatching(/^Network error/) });
  });

  it('says when the URL answers but is not an exporter', async () => {
    backend.setHandler(routes({ 'GET /api/v1/status': { status: 200, data: '<html>Prometheus</html>' } }));
    expect(await ds.testDatasource()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/not like a Cilium Scope exporter/),
    });

    backend.setHandler(routes({}));
    expect(await ds.testDatasource()).toMatchObject({
      status: 'error',
      message: expect.stringMatching(/has no \/api\/v1\/status: check that the URL points at a Cilium Scope exporter/),
    });
  });

  it('asks to save first when the datasource has no proxy URL yet', async () => {
    ds = new DataSource({ ...instanceSettings(), url: undefined });
    expect(await ds.testDatasource()).toEqual({ status: 'error', message: expect.stringMatching(/save it first/) });
  });
});
