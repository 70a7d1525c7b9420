import { gunzipSync } from 'node:zlib';
import { SimulatedCluster } from '../../../simulator/cluster';
import { OPERATOR_KEY, PageStore } from '../../../simulator/page-store';

describe('PageStore', () => {
  test('renders a page once per cluster generation and compresses it once', async () => {
    const cluster = new SimulatedCluster({ nodes: 3, seed: 4 });
    const store = new PageStore(cluster, 50);
    const first = store.page('node-001');
    expect(store.page('node-001')).toBe(first);
    expect(store.renders).toBe(1);
    const zipped = await store.gzipped('node-001');
    expect(await store.gzipped('node-001')).toBe(zipped);
    expect(gunzipSync(zipped).equals(Buffer.concat(first.chunks))).toBe(true);
    store.page(OPERATOR_KEY);
    expect(store.renders).toBe(2);
    cluster.tick();
    expect(store.page('node-001')).not.toBe(first);
    expect(store.renders).toBe(3);
    expect(() => store.page('node-7')).toThrow(/unknown node "node-7"/);
  });

  test('static filler chunks are shared between nodes, not copied', () => {
    const cluster = new SimulatedCluster({ nodes: 40, seed: 4 });
    const store = new PageStore(cluster, 200);
    const a = store.page('node-000');
    const b = store.page('node-016');
    const shared = a.chunks.filter((chunk) => b.chunks.includes(chunk));
    const sharedBytes = shared.reduce((sum, c) => sum + c.length, 0);
    expect(sharedBytes).toBeGreaterThan(a.length * 0.6);
    // Nodes using different variants share nothing but still have pages of the same size.
    const c = store.page('node-001');
    expect(c.chunks.filter((chunk) => a.chunks.includes(chunk))).toHaveLength(0);
    expect(Math.abs(c.length - a.length)).toBeLessThan(a.length * 0.1);
  });
});
