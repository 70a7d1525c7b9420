/**
 * The sharded overlay, deploy/sharded/: scraper shards as a StatefulSet whose ordinal becomes --shard, a query
 * replica on the Prometheus backend, the Services Prometheus and Grafana use. Checked as the base is (parses, fits
 * together, locked down, every setting known to the exporter), its shards proven to split the nodes into M
 * disjoint sets, and, where `kubectl kustomize` is installed, built by the real kustomize and compared.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../../../exporter/config/config';
import { OPTION_BY_NAME, envName } from '../../../exporter/config/options';
import { shardOf } from '../../../exporter/scrape/shard';
import { readYaml } from '../dashboards/files';
import { unknownSettings } from '../../support/config';
import { which } from '../../support/tools';
import {
  DEPLOY,
  type Doc,
  type Manifest,
  expectLockedDown,
  expectProbes,
  mountedSettings,
  readManifests,
  settingKeys,
} from './manifests';

const OVERLAY = join(DEPLOY, 'sharded');
const BASE = join(DEPLOY, 'base');
const OPTIONAL = ['shards-servicemonitor.yaml', 'grafana-datasource.yaml'];
const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const overlayDocs = readManifests(OVERLAY);
const kustomization = overlayDocs.find((d) => d.doc.kind === 'Kustomization')!.doc;
const baseDocs = readManifests(BASE);
const baseKustomization = baseDocs.find((d) => d.doc.kind === 'Kustomization')!.doc;

const id = (d: Doc) => `${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`;
const isClusterScoped = (d: Doc) => ['Namespace', 'ClusterRole', 'ClusterRoleBinding'].includes(d.kind);

/**
 * What `kustomize build deploy/sharded` produces, by the few rules the overlay uses: the base's resources, less the
 * ones its `$patch: delete` patches remove, plus its own resources, in its namespace, the replica count written into
 * spec.replicas and copied by the replacement. Any other kustomize feature in the file fails here, so this model
 * cannot silently drift from the file.
 */
function modelBuild(): Doc[] {
  const known = ['apiVersion', 'kind', 'namespace', 'resources', 'replicas', 'replacements', 'patches', 'images'];
  expect(Object.keys(kustomization).filter((k) => !known.includes(k))).toEqual([]);
  expect(kustomization.resources[0]).toBe('../base');
  const fromBase = (baseKustomization.resources as string[]).flatMap((file) =>
    baseDocs.filter((d) => d.file === file).map((d) => d.doc)
  );
  const deleted = (kustomization.patches as Doc[]).map((p) => {
    const patch = parse(p.patch) as Doc;
    expect(patch.$patch).toBe('delete');
    return id(patch);
  });
  const kept = fromBase.filter((d) => !deleted.includes(id(d)));
  expect(kept.length + deleted.length).toBe(fromBase.length);
  const own = (kustomization.resources as string[]).slice(1).flatMap((file) => {
    const found = overlayDocs.filter((d) => d.file === file);
    expect([file, found.length > 0]).toEqual([file, true]);
    return found.map((d) => d.doc);
  });
  const built = structuredClone([...kept, ...own]).map((d) =>
    isClusterScoped(d) ? d : { ...d, metadata: { ...d.metadata, namespace: kustomization.namespace } }
  );
  for (const r of kustomization.replicas as Doc[]) {
    const target = built.filter((d) => d.metadata.name === r.name && d.spec?.replicas !== undefined);
    expect(target).toHaveLength(1);
    target[0].spec.replicas = r.count;
  }
  for (const r of kustomization.replacements as Doc[]) {
    expect(r.source).toEqual({ kind: 'StatefulSet', name: shardSetName, fieldPath: 'spec.replicas' });
    expect(r.targets).toEqual([
      {
        select: { kind: 'StatefulSet', name: shardSetName },
        fieldPaths: ['spec.template.spec.containers.[name=exporter].env.[name=SHARD_COUNT].value'],
      },
    ]);
    const set = built.find((d) => d.kind === 'StatefulSet' && d.metadata.name === shardSetName)!;
    const env = set.spec.template.spec.containers.find((c: Doc) => c.name === 'exporter').env;
    env.find((e: Doc) => e.name === 'SHARD_COUNT').value = String(set.spec.replicas);
  }
  return built;
}

const shardSetName = overlayDocs.find((d) => d.doc.kind === 'StatefulSet')!.doc.metadata.name as string;
const built = modelBuild();
const one = (kind: string, name?: string): Doc => {
  const found = built.filter((d) => d.kind === kind && (name === undefined || d.metadata.name === name));
  expect(found.map(id)).toHaveLength(1);
  return found[0];
};
const shards = one('StatefulSet');
const query = one('Deployment');
const shardCount: number = (kustomization.replicas as Doc[]).find((r) => r.name === shardSetName)!.count;
const configMaps = built.filter((d) => d.kind === 'ConfigMap');

/** $(VAR) in an env value or argument, expanded from the variables defined before it, as the kubelet does. */
function expandEnv(container: Doc, fieldValues: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env as Doc[]) {
    if (e.valueFrom) {
      env[e.name] = fieldValues[e.valueFrom.fieldRef.fieldPath] ?? '';
    } else {
      env[e.name] = String(e.value).replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, v: string) => env[v] ?? m);
    }
  }
  return env;
}

/** The configuration a shard pod loads, given the labels the StatefulSet controller put on it. */
function shardConfig(labels: Record<string, string>) {
  const pod = shards.spec.template.spec;
  const container = pod.containers[0];
  const fieldValues = Object.fromEntries(Object.entries(labels).map(([k, v]) => [`metadata.labels['${k}']`, v]));
  const { path, text } = mountedSettings(pod, configMaps);
  const result = loadConfig({
    argv: container.args,
    env: { KUBERNETES_SERVICE_HOST: '10.96.0.1', ...expandEnv(container, fieldValues) },
    readFile: (p) => (p === path ? text : ''),
  });
  if (result.kind !== 'config') {
    throw new Error(`loadConfig answered ${result.kind}`);
  }
  return result.config;
}

test('every manifest parses; the kustomization lists every required file and each exists', () => {
  const files = [...new Set(overlayDocs.map((d) => d.file))];
  for (const { file, doc } of overlayDocs) {
    expect([file, typeof doc.apiVersion, typeof doc.kind]).toEqual([file, 'string', 'string']);
  }
  const resources: string[] = kustomization.resources;
  for (const file of files.filter((f) => f !== 'kustomization.yaml' && !OPTIONAL.includes(f))) {
    expect(resources).toContain(file);
  }
  const text = readFileSync(join(OVERLAY, 'kustomization.yaml'), 'utf8');
  for (const file of OPTIONAL) {
    expect(files).toContain(file);
    expect(text).toContain(`# - ${file}`);
  }
  expect(kustomization.namespace).toBe(baseKustomization.namespace);
  expect(kustomization.images).toEqual(baseKustomization.images);
});

test("it replaces the base's single Deployment and its Service, and keeps the namespace, identity, RBAC and settings", () => {
  const ids = built.map(id).sort();
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids).not.toContain('Deployment/ciliumscope/ciliumscope-exporter');
  expect(ids).not.toContain('Service/ciliumscope/ciliumscope-exporter');
  expect(ids).toEqual(
    expect.arrayContaining([
      'Namespace//ciliumscope',
      'ServiceAccount/ciliumscope/ciliumscope-exporter',
      'ClusterRole//ciliumscope-exporter',
      'ConfigMap/ciliumscope/ciliumscope-exporter',
      `StatefulSet/ciliumscope/${shardSetName}`,
      'Service/ciliumscope/ciliumscope-shards',
      'Deployment/ciliumscope/ciliumscope-query',
      'Service/ciliumscope/ciliumscope-query',
    ])
  );
  // Every reference resolves within the build: service accounts, ConfigMaps, the governing Service, role bindings.
  for (const workload of [shards, query]) {
    const pod = workload.spec.template.spec;
    expect(built.map(id)).toContain(`ServiceAccount/ciliumscope/${pod.serviceAccountName}`);
    for (const v of pod.volumes.filter((x: Doc) => x.configMap)) {
      expect(built.map(id)).toContain(`ConfigMap/ciliumscope/${v.configMap.name}`);
    }
    for (const [k, v] of Object.entries(workload.spec.selector.matchLabels)) {
      expect(workload.spec.template.metadata.labels[k]).toBe(v);
    }
  }
  expect(one('Service', shards.spec.serviceName).spec.clusterIP).toBe('None');
  for (const binding of built.filter((d) => d.kind === 'ClusterRoleBinding')) {
    expect(built.map(id)).toContain(`ClusterRole//${binding.roleRef.name}`);
    for (const s of binding.subjects) {
      expect(built.map(id)).toContain(`ServiceAccount/${s.namespace}/${s.name}`);
    }
  }
});

test('Services select exactly their workload: the shards one, the query one', () => {
  const workloads = [shards, query];
  for (const [service, workload] of [
    [one('Service', 'ciliumscope-shards'), shards],
    [one('Service', 'ciliumscope-query'), query],
  ]) {
    const selects = (w: Doc) =>
      Object.entries(service.spec.selector).every(([k, v]) => w.spec.template.metadata.labels[k] === v);
    expect(workloads.filter(selects)).toEqual([workload]);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 9967, targetPort: 'http', protocol: 'TCP' }]);
  }
});

test('both workloads run the exporter image locked down, with probes', () => {
  for (const workload of [shards, query]) {
    expectLockedDown(workload.spec.template.spec);
    expectProbes(workload.spec.template.spec.containers[0]);
  }
  expect(shards.spec.podManagementPolicy).toBe('Parallel');
  expect(query.spec.replicas).toBeGreaterThanOrEqual(2);
});

test('RBAC: no new role; the query replica has its own account, bound to the base read-only ClusterRole', () => {
  expect(built.filter((d) => ['ClusterRole', 'Role', 'RoleBinding'].includes(d.kind)).map(id)).toEqual([
    'ClusterRole//ciliumscope-exporter',
  ]);
  const pod = query.spec.template.spec;
  const binding = built.find((d) => d.kind === 'ClusterRoleBinding' && d.subjects[0].name === pod.serviceAccountName)!;
  expect(binding.roleRef).toEqual({
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: 'ciliumscope-exporter',
  });
  expect(binding.subjects).toEqual([
    { kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: 'ciliumscope' },
  ]);
  expect(shards.spec.template.spec.serviceAccountName).toBe('ciliumscope-exporter');
});

describe('shards', () => {
  test('the shard count is stated once: the kustomization sets spec.replicas and SHARD_COUNT follows it', () => {
    expect(shardCount).toBeGreaterThanOrEqual(2);
    expect(shards.spec.replicas).toBe(shardCount);
    const env = shards.spec.template.spec.containers[0].env as Doc[];
    const named = (name: string): Doc => env.find((e) => e.name === name)!;
    expect(named('SHARD_COUNT').value).toBe(String(shardCount));
    expect(named('SHARD_INDEX').valueFrom).toEqual({
      fieldRef: { fieldPath: `metadata.labels['${POD_INDEX_LABEL}']` },
    });
    // The exporter's own variable for --shard, from the two above.
    const shardVar = envName(OPTION_BY_NAME.get('shard')!);
    expect(named(shardVar).value).toBe('$(SHARD_INDEX)/$(SHARD_COUNT)');
    expect(
      unknownSettings(
        env
          .filter((e) => e.name.startsWith('CILIUMSCOPE_'))
          .map((e) => e.name.slice(12).toLowerCase().replace(/_/g, '-'))
      )
    ).toEqual([]);
  });

  test('pod ordinals 0..M-1 become --shard 0/M..M-1/M, and together the shards scrape every node exactly once', () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => `ip-10-0-${i >> 8}-${i & 255}.ec2.internal`);
    const owners = new Map<string, number[]>(nodes.map((n) => [n, []]));
    for (let ordinal = 0; ordinal < shardCount; ordinal++) {
      const config = shardConfig({ [POD_INDEX_LABEL]: String(ordinal) });
      expect(config.shard).toEqual({ index: ordinal, count: shardCount });
      expect(config.kube?.connection).toEqual({ kind: 'in-cluster' });
      expect(config.kube?.discover).toBe(true);
      for (const n of nodes) {
        if (shardOf(n, config.shard!.count) === config.shard!.index) {
          owners.get(n)!.push(ordinal);
        }
      }
    }
    expect([...owners.values()].filter((o) => o.length !== 1)).toEqual([]);
    const perShard = Array.from(
      { length: shardCount },
      (_, i) => [...owners.values()].filter((o) => o[0] === i).length
    );
    expect(Math.min(...perShard)).toBeGreaterThan(nodes.length / shardCount / 2);
  });

  test('without the pod-index label (Kubernetes before 1.28) a shard refuses to start instead of running as the wrong one', () => {
    expect(() => shardConfig({})).toThrow(ConfigError);
    expect(() => shardConfig({})).toThrow(/CILIUMSCOPE_SHARD.*N\/M/);
  });

  test('Prometheus scrapes every shard: prometheus.io annotations on the headless Service, and the ServiceMonitor', () => {
    const service = one('Service', 'ciliumscope-shards');
    expect(service.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9967',
      'prometheus.io/path': '/metrics',
    });
    const monitor = overlayDocs.find((d) => d.doc.kind === 'ServiceMonitor')!.doc;
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) {
      expect(service.metadata.labels[k]).toBe(v);
    }
    const queryService = one('Service', 'ciliumscope-query');
    expect(
      Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => queryService.metadata.labels[k] === v)
    ).toBe(false);
    expect(queryService.metadata.annotations ?? {}).toEqual({});
    expect(monitor.spec.endpoints.map((e: Doc) => [e.port, e.path])).toEqual([['http', '/metrics']]);
  });
});

describe('query replica', () => {
  const pod = query.spec.template.spec;
  const settings = mountedSettings(pod, configMaps);
  const values = parse(settings.text) as Record<string, unknown>;

  test("every setting of its file is one of the exporter's options", () => {
    // Fails for the Prometheus backend's settings until the exporter has them in exporter/config/options.ts.
    expect(unknownSettings(settingKeys(settings.text))).toEqual([]);
  });

  test("reads Prometheus (a marked placeholder URL, the shards' scrape interval), scrapes nothing, joins in-cluster", () => {
    expect(values['history-backend']).toBe('prometheus');
    expect(String(values['prometheus-url'])).toMatch(/^https?:\/\/[^/]+/);
    expect(settings.text).toMatch(/# PLACEHOLDER[^\n]*\n(#[^\n]*\n)*prometheus-url:/);
    const monitor = overlayDocs.find((d) => d.doc.kind === 'ServiceMonitor')!.doc;
    expect(values['prometheus-scrape-interval']).toBe(monitor.spec.endpoints[0].interval);
    expect(values).toMatchObject({ 'kube-in-cluster': true, discover: false });
    expect(Object.keys(values).filter((k) => ['agent', 'operator', 'shard'].includes(k))).toEqual([]);
    expect(pod.containers[0].env ?? []).toEqual([]);
  });

  test('its settings load: no targets, in-cluster Kubernetes without discovery', () => {
    const result = loadConfig({
      argv: pod.containers[0].args,
      env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
      readFile: (p) => (p === settings.path ? settings.text : ''),
    });
    expect(result.kind).toBe('config');
    const config = (result as Extract<typeof result, { kind: 'config' }>).config;
    expect(config.agents).toEqual([]);
    expect(config.operator).toBeNull();
    expect(config.kube).toMatchObject({ connection: { kind: 'in-cluster' }, discover: false });
  });

  test('the Grafana datasource example points at the query Service, with the provisioned uid', () => {
    const cm = overlayDocs.find((d) => d.file === 'grafana-datasource.yaml')!.doc;
    expect(cm.metadata.labels.grafana_datasource).toBe('1');
    const provisioning = parse(Object.values(cm.data)[0] as string) as Doc;
    const ds = provisioning.datasources[0];
    const shipped = (readYaml('provisioning/datasources/ciliumscope.yaml').datasources as Doc[]).find(
      (d) => d.type === ds.type
    )!;
    expect(ds.uid).toBe(shipped.uid);
    const service = one('Service', 'ciliumscope-query');
    expect(ds.jsonData.url).toBe(
      `http://${service.metadata.name}.${service.metadata.namespace}.svc:${service.spec.ports[0].port}`
    );
  });
});

// kubectl's built-in kustomize (v4+). Neither Debian nor npm packages a current one, so CI on a fresh machine skips
// this part; the model above is then the check.
const kubectl = which('kubectl');
const kustomize = (dir: string): Manifest[] =>
  parseAllDocuments(execFileSync(kubectl!, ['kustomize', dir], { stdio: 'pipe', timeout: 60_000 }).toString()).map(
    (d) => ({ file: dir, doc: d.toJS() as Doc })
  );
(kubectl ? describe : describe.skip)('kubectl kustomize', () => {
  test('builds exactly the objects the model predicts, with the shard count carried into SHARD_COUNT', () => {
    const real = kustomize(OVERLAY).map((m) => m.doc);
    expect(real.map(id).sort()).toEqual(built.map(id).sort());
    for (const d of real) {
      const predicted = built.find((b) => id(b) === id(d))!;
      expect(d.spec?.template?.spec).toEqual(predicted.spec?.template?.spec);
      expect(d.spec?.replicas).toEqual(predicted.spec?.replicas);
    }
  });

  test('an overlay of it that changes the count with replicas: and repeats the replacement gets consistent shards', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ciliumscope-kustomize-'));
    try {
      writeFileSync(
        join(dir, 'kustomization.yaml'),
        JSON.stringify({
          resources: [relative(dir, OVERLAY)],
          replicas: [{ name: shardSetName, count: 5 }],
          replacements: kustomization.replacements,
        })
      );
      const set = kustomize(dir).find((m) => m.doc.kind === 'StatefulSet')!.doc;
      expect(set.spec.replicas).toBe(5);
      expect(set.spec.template.spec.containers[0].env.find((e: Doc) => e.name === 'SHARD_COUNT').value).toBe('5');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
if (!kubectl) {
  console.warn(
    '\n*** SKIPPED "kubectl kustomize": kubectl is not installed; the overlay is checked by the model only ***\n'
  );
}
