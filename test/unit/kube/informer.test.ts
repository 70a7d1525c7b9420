/**
 * The watcher over the client library's ListWatch against a real HTTP server: paged lists, events, dropped watches,
 * 410 Gone (as an event and as a status), errors with backoff, watches that close at once or hang, 404 absence,
 * and close().
 */
import { ResourceWatcher } from '../../../exporter/kube/informer';
import { PodJoin } from '../../../exporter/kube/join';
import { LIST_PAGE_SIZE, podLister, podsPath } from '../../../exporter/kube/listers';
import { type SlimPod, slimPod } from '../../../exporter/kube/objects';
import type { WatchTiming } from '../../../exporter/kube/timing';
import { silentLogger } from '../../../exporter/log';
import { FakeApiServer } from './fake-apiserver';

const FAST: WatchTiming = {
  backoffInitialMs: 20,
  backoffMaxMs: 200,
  watchTimeoutSeconds: 60,
  watchGraceMs: 200,
  listTimeoutMs: 2000,
  absentRetryMs: 100,
};

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

let api: FakeApiServer;
let watcher: ResourceWatcher<SlimPod> | null = null;
let join: PodJoin;
let absentCalls = 0;

function startWatcher(timing: Partial<WatchTiming> = {}, options: { absentOnNotFound?: boolean; token?: string } = {}) {
  join = new PodJoin();
  absentCalls = 0;
  const kc = api.kubeConfig(options.token);
  watcher = new ResourceWatcher<SlimPod>({
    resource: 'pods',
    path: podsPath(),
    list: podLister(kc),
    slim: slimPod,
    kubeConfig: kc,
    timing: { ...FAST, ...timing },
    absentOnNotFound: options.absentOnNotFound,
    handlers: { upsert: (p) => join.upsertPod(p), remove: (p) => join.deletePod(p), absent: () => absentCalls++ },
    log: silentLogger,
  });
  watcher.start();
  return watcher;
}

const podCount = () => join.podCount;

beforeEach(async () => {
  api = await FakeApiServer.start();
});
afterEach(async () => {
  await watcher?.close();
  watcher = null;
  await api.close();
});

test('lists in pages, then follows watch events; the ListWatch cache holds slim records', async () => {
  for (let i = 0; i < LIST_PAGE_SIZE * 2 + 7; i++) {
    api.upsert({ namespace: 'ns', name: `p-${i}`, node: `n${i % 3}` });
  }
  const w = startWatcher();
  await w.whenSynced(5000);
  expect(w.status()).toMatchObject({
    synced: true,
    inSync: true,
    lists: 1,
    objects: LIST_PAGE_SIZE * 2 + 7,
    restarts: 0,
    error: null,
    lastSyncAgeSeconds: 0,
  });
  expect(api.count('LIST')).toBe(3);
  expect(api.requests.find((r) => r.startsWith('LIST'))).toContain(`limit=${LIST_PAGE_SIZE}`);
  await waitFor('a watch', () => api.openWatches() === 1);
  expect(api.requests.find((r) => r.startsWith('WATCH'))).toMatch(
    /resourceVersion=\d+.*timeoutSeconds=\d+|timeoutSeconds=\d+.*resourceVersion=\d+/
  );

  api.upsert({ namespace: 'ns', name: 'new', node: 'n9', phase: 'Pending' });
  api.remove('ns', 'p-0');
  await waitFor('the events', () => join.tally('n9')?.pods === 1 && podCount() === LIST_PAGE_SIZE * 2 + 7);
  expect(w.objects().find((o) => o.metadata.name === 'new')).toMatchObject({ node: 'n9', phase: 'Pending' });
  expect(Object.keys(w.objects()[0]).sort()).toEqual([
    'hostNetwork',
    'metadata',
    'node',
    'owner',
    'phase',
    'podIP',
    'startedAt',
    'terminating',
  ]);
});

test('a dropped watch resumes from its resourceVersion without a relist and misses nothing', async () => {
  api.upsert({ namespace: 'ns', name: 'a' });
  const w = startWatcher();
  await w.whenSynced(5000);
  await waitFor('a watch', () => api.openWatches() === 1);
  api.dropWatches();
  api.upsert({ namespace: 'ns', name: 'b' });
  api.remove('ns', 'a');
  await waitFor(
    'events made while the watch was down',
    () => podCount() === 1 && join.tally('n1')?.unmanaged.has('ns/b') === true
  );
  expect(w.status().lists).toBe(1);
  expect(w.status().restarts).toBeGreaterThanOrEqual(1);
  await waitFor('back in sync', () => w.status().inSync);
});

test('410 Gone as a watch event: relist, objects deleted meanwhile are removed, then exact again', async () => {
  api.upsert({ namespace: 'ns', name: 'a' });
  api.upsert({ namespace: 'ns', name: 'b' });
  const w = startWatcher();
  await w.whenSynced(5000);
  await waitFor('a watch', () => api.openWatches() === 1);
  // History is compacted: the change to "a" happens while the client cannot see it, then the watch expires.
  api.watchMode = 'hang';
  api.dropWatches();
  api.remove('ns', 'a');
  api.upsert({ namespace: 'ns', name: 'c' });
  api.expireWatches();
  api.watchMode = 'stream';
  await waitFor('the relist', () => w.status().lists === 2 && w.status().inSync && api.openWatches() === 1, 8000);
  expect([...join.tally('n1')!.unmanaged.keys()].sort()).toEqual(['ns/b', 'ns/c']);
  expect(w.status().objects).toBe(2);
  api.upsert({ namespace: 'ns', name: 'd' });
  await waitFor('events after the relist', () => podCount() === 3);
});

test('410 Gone on an open watch and as an HTTP status both relist', async () => {
  api.upsert({ namespace: 'ns', name: 'a' });
  const w = startWatcher();
  await w.whenSynced(5000);
  await waitFor('a watch', () => api.openWatches() === 1);
  api.expireWatches();
  await waitFor('relist after the ERROR event', () => w.status().lists === 2);
  await waitFor('a watch', () => api.openWatches() === 1);
  api.watchMode = 'gone410';
  api.dropWatches();
  await waitFor('relist after HTTP 410', () => w.status().lists >= 3);
  api.watchMode = 'stream';
  await waitFor('in sync', () => w.status().inSync && api.openWatches() === 1);
  expect(podCount()).toBe(1);
});

test('list errors are retried with backoff and reported; the watcher recovers by itself', async () => {
  api.upsert({ namespace: 'ns', name: 'a' });
  api.listMode = 'fail500';
  const w = startWatcher();
  await waitFor('a few retries', () => w.status().restarts >= 3);
  expect(w.status()).toMatchObject({ synced: false, inSync: false, lastSyncAgeSeconds: null });
  expect(w.status().error).toMatch(/^HTTP 500 \(the API server failed\): InternalError \(fake\)/);
  // Backoff: 20, 40, 80, then capped at 200 ms (with jitter down to half): a few attempts, not a tight loop.
  await new Promise((r) => setTimeout(r, 500));
  expect(api.count('LIST')).toBeLessThan(12);
  api.listMode = 'ok';
  await w.whenSynced(5000);
  expect(w.status()).toMatchObject({ synced: true, error: null });
  expect(podCount()).toBe(1);
});

test('the last sync age grows while the API server is away and returns to 0 after', async () => {
  const w = startWatcher();
  await w.whenSynced(5000);
  await waitFor('a watch', () => api.openWatches() === 1);
  api.listMode = 'fail500';
  api.watchMode = 'gone410';
  api.dropWatches();
  await new Promise((r) => setTimeout(r, 400));
  const away = w.status();
  expect(away.inSync).toBe(false);
  expect(away.lastSyncAgeSeconds).toBeGreaterThanOrEqual(0.3);
  expect(away.lastSyncAt).not.toBeNull();
  api.listMode = 'ok';
  api.watchMode = 'stream';
  await waitFor('recovery', () => w.status().inSync, 5000);
  expect(w.status().lastSyncAgeSeconds).toBe(0);
});

test('a server that closes watches at once is not hammered', async () => {
  api.watchMode = 'closeAtOnce';
  const w = startWatcher();
  await w.whenSynced(5000);
  await new Promise((r) => setTimeout(r, 600));
  // Without pacing this would be hundreds of requests; with 20 ms doubling to a 200 ms cap, a handful.
  expect(api.count('WATCH')).toBeLessThan(12);
  expect(api.count('WATCH')).toBeGreaterThanOrEqual(2);
  expect(w.status().lists).toBe(1);
});

test('a watch that never answers is abandoned after its timeout and grace, and retried', async () => {
  api.watchMode = 'hang';
  const w = startWatcher({ watchTimeoutSeconds: 1, watchGraceMs: 100 });
  await w.whenSynced(5000);
  await waitFor('a second watch attempt', () => api.count('WATCH') >= 2, 5000);
  expect(w.status().restarts).toBeGreaterThanOrEqual(1);
  expect(w.status().error).toMatch(/did not answer/);
  api.watchMode = 'stream';
  await waitFor('a live watch', () => api.openWatches() === 1 && w.status().inSync, 6000);
});

test('an open watch that outlives its timeout is ended by the watchdog and resumed without a relist', async () => {
  api.upsert({ namespace: 'ns', name: 'a' });
  const w = startWatcher({ watchTimeoutSeconds: 1, watchGraceMs: 100 });
  await w.whenSynced(5000);
  await waitFor('a second watch', () => api.count('WATCH') >= 2, 5000);
  expect(w.status().lists).toBe(1);
  expect(w.status().restarts).toBeGreaterThanOrEqual(1);
  api.upsert({ namespace: 'ns', name: 'b' });
  await waitFor('events on the new watch', () => podCount() === 2);
});

test('404 with absentOnNotFound: reported absent, retried slowly, synced once the resource appears', async () => {
  api.listMode = 'notFound';
  const w = startWatcher({}, { absentOnNotFound: true });
  await w.whenSynced(5000);
  expect(w.status()).toMatchObject({ absent: true, synced: false });
  expect(w.status().error).toMatch(/404/);
  expect(absentCalls).toBeGreaterThanOrEqual(1);
  api.upsert({ namespace: 'ns', name: 'a' });
  api.listMode = 'ok';
  await waitFor('the resource to be found', () => w.status().synced, 5000);
  expect(w.status()).toMatchObject({ absent: false, objects: 1, error: null });
  expect(podCount()).toBe(1);
});

test('rejected credentials are reported in words', async () => {
  const w = startWatcher({}, { token: 'wrong' });
  await waitFor('an error', () => w.status().error !== null);
  expect(w.status().error).toMatch(/^HTTP 401 \(the API server rejected the credentials\)/);
});

test('close() aborts a list in flight, stops watches and sends nothing more', async () => {
  api.listMode = 'hang';
  const w = startWatcher();
  await waitFor('the list request', () => api.count('LIST') === 1);
  await w.close();
  api.listMode = 'ok';
  await new Promise((r) => setTimeout(r, 200));
  expect(api.requests).toHaveLength(1);
  expect(w.status().inSync).toBe(false);

  api.listMode = 'ok';
  const w2 = startWatcher();
  await w2.whenSynced(5000);
  await waitFor('a watch', () => api.openWatches() === 1);
  await w2.close();
  await waitFor('the watch to close', () => api.openWatches() === 0);
});
