/**
 * Real clients against the simulator's Kubernetes API: @kubernetes/client-node's KubeConfig (loaded from the
 * kubeconfig the simulator writes), typed list calls, and makeInformer following pods and CiliumEndpoints as the
 * simulator ticks, through a relist after 410 Expired.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  type Informer,
  KubeConfig,
  type KubernetesObject,
  makeInformer,
  type ObjectCache,
  type V1Pod,
} from '@kubernetes/client-node';
import { type RunningSimulator, startSimulator, writeKubeconfig } from '../../simulator';

const TOKEN = 'client-test-token';

interface Recorder<T extends KubernetesObject> {
  informer: Informer<T> & ObjectCache<T>;
  events: Array<{ verb: 'add' | 'update' | 'delete'; name: string; rv: string }>;
  errors: unknown[];
  connects: number;
}

function record<T extends KubernetesObject>(informer: Informer<T> & ObjectCache<T>): Recorder<T> {
  const r: Recorder<T> = { informer, events: [], errors: [], connects: 0 };
  for (const verb of ['add', 'update', 'delete'] as const) {
    informer.on(verb, (obj: T) =>
      r.events.push({
        verb,
        name: `${obj.metadata?.namespace}/${obj.metadata?.name}`,
        rv: obj.metadata?.resourceVersion ?? '',
      })
    );
  }
  informer.on('error', (err: unknown) => r.errors.push(err));
  informer.on('connect', () => r.connects++);
  return r;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

const summary = (objects: readonly KubernetesObject[]): string[] =>
  objects.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();

describe('@kubernetes/client-node against the simulator', () => {
  let sim: RunningSimulator;
  let dir: string;
  let kc: KubeConfig;

  beforeAll(async () => {
    sim = await startSimulator({ nodes: 4, seed: 3, pageKB: 20, podsPerNode: 12, kube: { token: TOKEN } });
    dir = mkdtempSync(join(tmpdir(), 'ciliumscope-sim-kube-'));
    const path = await writeKubeconfig(sim, join(dir, 'kubeconfig'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, 'utf8')).toContain('insecure-skip-tls-verify: true');
    kc = new KubeConfig();
    kc.loadFromFile(path);
  });

  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('typed list calls decode pods and CiliumEndpoints', async () => {
    expect(kc.getCurrentCluster()?.server).toBe(sim.url);
    const core = kc.makeApiClient(CoreV1Api);
    const pods = await core.listPodForAllNamespaces({ labelSelector: 'k8s-app=cilium' });
    expect(pods.items.map((p: V1Pod) => p.spec?.nodeName).sort()).toEqual(sim.nodes);
    expect(pods.items.every((p: V1Pod) => p.spec?.hostNetwork === true && p.status?.podIP === p.status?.hostIP)).toBe(
      true
    );
    expect(pods.items[0].metadata?.creationTimestamp).toBeInstanceOf(Date);
    const one = await core.readNamespacedPod({ name: pods.items[0].metadata!.name!, namespace: 'kube-system' });
    expect(one.metadata?.uid).toBe(pods.items[0].metadata?.uid);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ceps = (await custom.listClusterCustomObject({
      group: 'cilium.io',
      version: 'v2',
      plural: 'ciliumendpoints',
    })) as {
      items: KubernetesObject[];
    };
    expect(ceps.items.length).toBe(sim.cluster.listCiliumEndpoints().length);

    const anonymous = new KubeConfig();
    anonymous.loadFromClusterAndUser({ name: 'sim', server: sim.url, skipTLSVerify: true }, { name: 'nobody' });
    await expect(anonymous.makeApiClient(CoreV1Api).listPodForAllNamespaces()).rejects.toMatchObject({ code: 401 });
  });

  test('informers list, then follow ADDED, MODIFIED and DELETED as the simulator ticks; a 410 makes them relist', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    const pods = record(makeInformer<V1Pod>(kc, '/api/v1/pods', () => core.listPodForAllNamespaces()));
    const ceps = record(
      makeInformer<KubernetesObject>(
        kc,
        '/apis/cilium.io/v2/ciliumendpoints',
        () =>
          custom.listClusterCustomObject({ group: 'cilium.io', version: 'v2', plural: 'ciliumendpoints' }) as Promise<{
            metadata: { resourceVersion: string };
            items: KubernetesObject[];
          }>
      )
    );
    try {
      await pods.informer.start();
      await ceps.informer.start();
      const initialPods = sim.cluster.listPods().length;
      await waitFor(() => pods.informer.list().length === initialPods, 'the pod informer to list');
      const listed = pods.events.length;
      expect(pods.events.every((e) => e.verb === 'add')).toBe(true);
      await waitFor(
        () => sim.kubeStats().watches.pods === 1 && sim.kubeStats().watches.ciliumendpoints === 1,
        'both watches'
      );

      for (let i = 0; i < 10; i++) {
        sim.tick(1);
      }
      await waitFor(
        () =>
          pods.events.slice(listed).some((e) => e.verb === 'delete') &&
          pods.events.slice(listed).some((e) => e.verb === 'update'),
        'updates and deletions'
      );
      const after = pods.events.slice(listed);
      expect(after.some((e) => e.verb === 'add')).toBe(true);
      const current = async (): Promise<[string[], string[]]> => [
        summary((await core.listPodForAllNamespaces()).items),
        summary(
          (
            (await custom.listClusterCustomObject({
              group: 'cilium.io',
              version: 'v2',
              plural: 'ciliumendpoints',
            })) as {
              items: KubernetesObject[];
            }
          ).items
        ),
      ];
      let [wantPods, wantCeps] = await current();
      await waitFor(
        () =>
          JSON.stringify(summary(pods.informer.list())) === JSON.stringify(wantPods) &&
          JSON.stringify(summary(ceps.informer.list())) === JSON.stringify(wantCeps),
        'the informer caches to match a fresh list'
      );

      const lists = sim.kubeStats().requests['list pods'];
      const connects = pods.connects;
      sim.setKubeFault('gone');
      await waitFor(() => sim.kubeStats().requests['list pods'] > lists, 'a relist after 410 Expired');
      await waitFor(() => pods.connects > connects && sim.kubeStats().watches.pods === 1, 'the watch to restart');
      sim.setKubeFault('none');
      sim.tick(3);
      [wantPods, wantCeps] = await current();
      await waitFor(
        () =>
          JSON.stringify(summary(pods.informer.list())) === JSON.stringify(wantPods) &&
          JSON.stringify(summary(ceps.informer.list())) === JSON.stringify(wantCeps),
        'the caches to match again after the relist'
      );
      expect(pods.errors).toEqual([]);
      expect(ceps.errors).toEqual([]);
    } finally {
      await pods.informer.stop();
      await ceps.informer.stop();
    }
  });
});
