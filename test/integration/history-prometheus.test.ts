/**
 * At scale: two shards write, Prometheus stores, a query replica reads. The built plugin (in Chromium, through an
 * emulated data proxy, as plugin-exporter.test.ts drives it) is pointed at the replica too. The cluster (a simulated
 * Cilium cluster, two shards, a real Prometheus, the replica) is history-prometheus-cluster.ts.
 *
 * The reference is the shards' own embedded rings read as one history: they hold exactly the samples the shards
 * wrote to /metrics, so every query type and view of the replica must give the same numbers within float
 * tolerance (see history-support.ts). Series Prometheus stamps with its own scrape time (the exporter's view of
 * its targets, the Kubernetes counts) may lag by a step. Then: the rightmost point is the current value, a restart
 * of the replica loses nothing, hostile filters match nothing, and with Prometheus stopped the panels and
 * /api/v1/status say so, the replica keeps running and recovers when Prometheus is back on the same data.
 */
import { annotationEvents } from '../../exporter/http/annotations';
import { VERSION } from '../../exporter/version';
import type {
  AnnotationsResponse,
  DropReasonsResponse,
  NodesResponse,
  QueryResponse,
  ScopeQuery,
  StatusResponse,
} from '../../src/contract';
import { QUERY_TYPE_ORDER, viewsOf } from '../../src/queryCatalog';
import { BUILT_PLUGIN, CHROMIUM, describeWith } from '../support/tools';
import { INTERVAL_MS, QUERIES, aligned, ask, historyCluster, refOf, sleep } from './history-prometheus-cluster';
import { comparableNodes, framesDiffer, unionCluster, unionReader } from './history-support';

describeWith(
  [{ binary: '/usr/bin/prometheus' }, { binary: CHROMIUM }, BUILT_PLUGIN],
  'history from Prometheus: two shards and a query replica',
  () => {
    jest.setTimeout(120_000);
    const h = historyCluster();

    test('the replica scrapes nothing and answers for the nodes of both shards', async () => {
      expect(h.replica.replica).toBe(true);
      const owned = h.shards.map((s) => s.model.nodes().map((n) => n.name));
      expect(owned.every((names) => names.length > 0)).toBe(true);
      const { json } = await ask<NodesResponse>(h.replica, '/api/v1/nodes');
      expect(json.nodes.map((n) => n.name)).toEqual([...h.sim.nodes].sort());
      expect(comparableNodes(json.nodes)).toEqual(comparableNodes(await unionCluster(h.shards).nodes()));
      const seen = (await ask<DropReasonsResponse>(h.replica, '/api/v1/drop-reasons')).json.reasons
        .filter((r) => r.seen)
        .map((r) => r.reason);
      const shardsSeen = new Set(
        (
          await Promise.all(
            h.shards.map(async (s) =>
              (await ask<DropReasonsResponse>(s, '/api/v1/drop-reasons')).json.reasons
                .filter((r) => r.seen)
                .map((r) => r.reason)
            )
          )
        ).flat()
      );
      expect(seen.length).toBeGreaterThan(0);
      expect(new Set(seen)).toEqual(shardsSeen);
      const status = (await ask<StatusResponse>(h.replica, '/api/v1/status')).json;
      expect(status.nodes).toEqual({ total: 6, up: 6, down: 0, stale: 0 });
      expect(status.operator).toEqual({ configured: true, up: true, error: null });
      expect(status.history).toMatchObject({
        backend: 'prometheus',
        url: h.prometheus.url,
        state: 'ok',
        lastError: null,
      });
    });

    test("every query type and view equals the shards' embedded history, within float tolerance", async () => {
      const listed = new Set(QUERIES.map((q) => `${q.queryType}/${q.view ?? ''}`));
      // This cluster has no Hubble: hubble-history.test.ts compares workloadDrops on both backends over Hubble's pairs.
      for (const type of QUERY_TYPE_ORDER.filter((t) => t !== 'workloadDrops')) {
        for (const view of viewsOf(type).length ? viewsOf(type).map((v) => v.value) : ['']) {
          expect(listed.has(`${type}/${view}`) || (view !== '' && listed.has(`${type}/`))).toBe(true);
        }
      }
      const exact = h.request();
      const wide = h.request({ intervalMs: 2 * INTERVAL_MS });
      const got = {
        exact: (await ask<QueryResponse>(h.replica, '/api/v1/query', exact)).json,
        wide: (await ask<QueryResponse>(h.replica, '/api/v1/query', wide)).json,
      };
      const want = { exact: await h.reference(exact), wide: await h.reference(wide) };
      let points = 0;
      for (const [i, q] of QUERIES.entries()) {
        const g = got[aligned(q) ? 'wide' : 'exact'].results[refOf(i)];
        const w = want[aligned(q) ? 'wide' : 'exact'][refOf(i)];
        expect([q, g.error]).toEqual([q, undefined]);
        const differ = framesDiffer(g.frames, w.frames, aligned(q), q.queryType === 'unmanagedPods' ? ['Age'] : []);
        expect([q, differ]).toEqual([q, null]);
        points += g.frames.reduce((n, f) => n + (f.data.values[1]?.length ?? 0), 0);
      }
      // Not vacuous: both shards' nodes are in the per-node answers, and there are numbers to compare.
      const unmanagedRows =
        got.exact.results[refOf(QUERIES.findIndex((q) => q.queryType === 'unmanagedPods'))].frames[0].data.values[0];
      expect(unmanagedRows.length).toBeGreaterThan(0);
      const perNode = got.exact.results[refOf(1)].frames.map((f) => f.schema.fields[1].labels?.node);
      expect(new Set(perNode)).toEqual(new Set(h.sim.nodes));
      // Top N: at most N nodes of the 6, and "other nodes (K)" for the rest where the query has a cluster view.
      for (const [i, q] of QUERIES.entries()) {
        if (q.topN && q.groupBy === 'node') {
          const frames = got.exact.results[refOf(i)].frames;
          const nodes = new Set(frames.map((f) => f.schema.fields[1]?.labels?.node).filter(Boolean));
          const others = new Set(frames.map((f) => f.schema.fields[1]?.labels?.others).filter(Boolean));
          expect([q, nodes.size > 0 && nodes.size <= q.topN, [...others]]).toEqual([q, true, [String(6 - nodes.size)]]);
        }
      }
      expect(points).toBeGreaterThan(1000);
      for (const kind of ['agentRestarts', 'policyImportErrors', 'dropAnomalies'] as const) {
        const replicaEvents = (
          await ask<AnnotationsResponse>(h.replica, '/api/v1/annotations', { from: h.range.from, to: h.range.to, kind })
        ).json;
        const embedded = await annotationEvents(
          unionReader(h.shards),
          { from: h.range.from, to: h.range.to, kind },
          INTERVAL_MS
        );
        expect([kind, replicaEvents.annotations]).toEqual([kind, embedded]);
        if (kind === 'agentRestarts') {
          expect(embedded.map((e) => e.node)).toEqual([h.sim.nodes[1]]);
        }
      }
      h.timings.comparedMs = Date.now() - h.started;
    });

    test('the rightmost point is the current value once its step has begun, wherever `to` falls', async () => {
      const lastSample = Math.max(...h.shards.flatMap((s) => s.model.nodes().map((n) => n.sampleAt ?? 0)));
      await sleep(Math.max(0, Math.ceil(lastSample / INTERVAL_MS) * INTERVAL_MS - Date.now() + 5));
      for (const ahead of [0, 1500]) {
        const to = Date.now() + ahead;
        const body = {
          from: to - 60_000,
          to,
          intervalMs: INTERVAL_MS,
          maxDataPoints: 1000,
          queries: [{ refId: 'A', queryType: 'endpoints', groupBy: 'node' } as ScopeQuery],
        };
        const { json } = await ask<QueryResponse>(h.replica, '/api/v1/query', body);
        const truth = h.sim.truth();
        for (const node of h.sim.nodes) {
          const frame = json.results.A.frames.find(
            (f) => f.schema.fields[1].labels?.node === node && f.schema.fields[1].labels?.state === 'ready'
          )!;
          const [times, values] = frame.data.values as [number[], number[]];
          expect(times[times.length - 1]).toBeLessThanOrEqual(to);
          expect([ahead, node, values[values.length - 1]]).toEqual([
            ahead,
            node,
            truth.nodes[node].agent!.endpointStates.ready,
          ]);
        }
      }
    });

    test('label values from the request only ever match themselves', async () => {
      const node = h.sim.nodes[0];
      const body = h.request({
        queries: [
          {
            refId: 'A',
            queryType: 'endpoints',
            groupBy: 'node',
            node: ['.*', `${node}|x`, '"} or vector(1) or {a="', node],
          },
        ],
      });
      const { status, json } = await ask<QueryResponse>(h.replica, '/api/v1/query', body);
      expect(status).toBe(200);
      expect(json.results.A.error).toBeUndefined();
      expect(new Set(json.results.A.frames.map((f) => f.schema.fields[1].labels?.node))).toEqual(new Set([node]));
      const none = await ask<QueryResponse>(
        h.replica,
        '/api/v1/query',
        h.request({ queries: [{ refId: 'A', queryType: 'drops', node: '.+' }] })
      );
      expect(none.json.results.A.frames.every((f) => f.data.values[0].length === 0)).toBe(true);
    });

    test('the built plugin against the replica: health check and every query, through the data proxy', async () => {
      await h.openPlugin();
      const health = await h.pluginTest();
      expect(health.status).toBe('success');
      expect(health.message).toBe(`Cilium Scope exporter ${VERSION}: 6 nodes seen (6 up).`);
      expect(health.details?.message).toContain(
        `History: read from Prometheus at ${h.prometheus.url} (last answer at `
      );
      const body = h.request({
        from: h.range.from + 3,
        queries: h.request().queries.filter((q) => q.queryType !== 'unmanagedPods'),
      });
      const result = await h.pluginQuery(body);
      const direct = (await ask<QueryResponse>(h.replica, '/api/v1/query', body)).json;
      expect(result.errors).toEqual([]);
      for (const q of body.queries) {
        const expected = direct.results[q.refId].frames;
        const frames = result.frames.filter((f) => f.refId === q.refId);
        expect([q.refId, frames.length]).toEqual([q.refId, expected.length]);
        expected.forEach((frame, i) =>
          expect([q.refId, frames[i].fields.map((f) => f.values)]).toEqual([q.refId, frame.data.values])
        );
      }
      h.timings.pluginCheckedMs = Date.now() - h.started;
    });

    test('a restart of the replica loses no history', async () => {
      const body = h.request({ queries: h.request().queries.filter((q) => q.queryType !== 'unmanagedPods') });
      const before = (await ask<QueryResponse>(h.replica, '/api/v1/query', body)).json;
      // On the same port: the plugin's datasource keeps its URL.
      await h.restartReplica();
      const after = (await ask<QueryResponse>(h.replica, '/api/v1/query', body)).json;
      for (const q of body.queries.filter((x) => !aligned(x) && x.view !== 'status')) {
        expect([q, framesDiffer(after.results[q.refId].frames, before.results[q.refId].frames)]).toEqual([q, null]);
      }
    });

    test('Prometheus stopped: each panel and /api/v1/status name the backend and the cause; back on the same data, it all recovers', async () => {
      await h.prometheus.pause();
      // Another range length, so no answer cached in this scrape interval is served.
      const down = await ask<QueryResponse>(h.replica, '/api/v1/query', h.request({ from: h.range.from + 1 }));
      expect(down.status).toBe(200);
      const expected = `history backend prometheus (${h.prometheus.url}): cannot connect: ECONNREFUSED`;
      for (const [i, q] of QUERIES.entries()) {
        const r = down.json.results[refOf(i)];
        if (q.queryType === 'unmanagedPods' && q.view !== 'count') {
          expect(r.error).toBeUndefined();
        } else {
          expect([q, r.error, r.status]).toEqual([q, expected, 502]);
        }
      }
      const status = (await ask<StatusResponse>(h.replica, '/api/v1/status')).json;
      expect(status.history).toMatchObject({ backend: 'prometheus', state: 'error', lastError: expected });
      expect(status.nodes.total).toBe(0);
      expect((await fetch(`${h.replica.url}/healthz`)).status).toBe(200);
      const nodes = await ask<{ error: string }>(h.replica, '/api/v1/nodes');
      expect(nodes).toEqual({ status: 502, json: { error: expected } });
      // The plugin: the health check fails with the backend's error, each panel shows it on its own query.
      const health = await h.pluginTest();
      expect(health.status).toBe('error');
      expect(health.message).toBe(
        `Connected to Cilium Scope exporter ${VERSION}, but its ${expected}. Panels cannot load until the history backend answers; the exporter keeps running and tries again at every request.`
      );
      const panels = await h.pluginQuery(
        h.request({
          from: h.range.from + 4,
          queries: [
            { refId: 'A', queryType: 'endpoints' },
            { refId: 'B', queryType: 'drops' },
          ],
        })
      );
      expect(panels.errors).toEqual([
        { refId: 'A', message: expected, status: 502 },
        { refId: 'B', message: expected, status: 502 },
      ]);

      await h.prometheus.resume();
      h.timings.prometheusRestartedMs = Date.now() - h.started;
      // Every answer again, with all the history written before the restart.
      const body = h.request({ from: h.range.from + 2, intervalMs: 2 * INTERVAL_MS });
      const again = await ask<QueryResponse>(h.replica, '/api/v1/query', body);
      const want = await h.reference(body);
      for (const [i, q] of QUERIES.entries()) {
        const r = again.json.results[refOf(i)];
        expect([q, r.error]).toEqual([q, undefined]);
        expect([
          q,
          framesDiffer(r.frames, want[refOf(i)].frames, aligned(q), q.queryType === 'unmanagedPods' ? ['Age'] : []),
        ]).toEqual([q, null]);
      }
      expect((await ask<StatusResponse>(h.replica, '/api/v1/status')).json.history.state).toBe('ok');
      expect((await h.pluginTest()).status).toBe('success');
    });
  }
);
