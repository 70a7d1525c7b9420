/** The Kubernetes base in deploy/base/: it parses, fits together, runs locked down and may only read pods and CEPs. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../exporter/config/config';
import { OPTION_BY_NAME, envName } from '../../../exporter/config/options';
import { unknownSettings } from '../../support/config';
import {
  DEPLOY,
  type Doc,
  expectLockedDown,
  expectProbes,
  mountedSettings,
  readManifests,
  settingKeys,
} from './manifests';

const BASE = join(DEPLOY, 'base');
const OPTIONAL = ['servicemonitor.yaml', 'prometheusrule.yaml', 'token-patch.yaml'];

const docs = readManifests(BASE);
const files = [...new Set(docs.map((d) => d.file))];
const only = (kind: string, file?: string): Doc => {
  const found = docs.filter((d) => d.doc.kind === kind && (file === undefined || d.file === file));
  expect(found).toHaveLength(1);
  return found[0].doc;
};
const kustomization = only('Kustomization');
const deployment = only('Deployment', 'deployment.yaml');
const pod = deployment.spec.template.spec;
const container = pod.containers[0];

test('every manifest parses and names its kind; the kustomization lists every required one', () => {
  expect(files.length).toBeGreaterThanOrEqual(9);
  for (const { file, doc } of docs) {
    expect([file, typeof doc.apiVersion, typeof doc.kind]).toEqual([file, 'string', 'string']);
    if (doc.kind !== 'Kustomization') {
      expect([file, typeof doc.metadata?.name]).toEqual([file, 'string']);
    }
  }
  const resources: string[] = kustomization.resources;
  for (const file of files.filter((f) => f !== 'kustomization.yaml' && !OPTIONAL.includes(f))) {
    expect(resources).toContain(file);
  }
  for (const file of resources) {
    expect(files).toContain(file);
  }
  for (const kind of [
    'Namespace',
    'ServiceAccount',
    'ClusterRole',
    'ClusterRoleBinding',
    'ConfigMap',
    'Deployment',
    'Service',
    'ServiceMonitor',
  ]) {
    expect(docs.some((d) => d.doc.kind === kind)).toBe(true);
  }
  // Namespaced objects sit in the kustomization's namespace, so `kubectl apply -f` of one file agrees with -k.
  for (const { file, doc } of docs) {
    if (!['Kustomization', 'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PrometheusRule'].includes(doc.kind)) {
      expect([file, doc.metadata.namespace]).toEqual([file, kustomization.namespace]);
    }
  }
  expect(only('Namespace').metadata.name).toBe(kustomization.namespace);
});

test('the Deployment runs the exporter image locked down: non-root, read-only, no escalation, no capabilities, seccomp', () => {
  expectLockedDown(pod);
});

test("probes: liveness on /healthz, readiness on /readyz, on the exporter's port", () => {
  expectProbes(container);
});

test('the settings in the ConfigMap load, in-cluster, listening on the container port', () => {
  const { path: configPath, text, configMap } = mountedSettings(pod, [only('ConfigMap')]);
  expect(configMap).toBe(only('ConfigMap'));
  expect(unknownSettings(settingKeys(text))).toEqual([]);
  const result = loadConfig({
    argv: container.args,
    env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' },
    readFile: (p) => (p === configPath ? text : ''),
  });
  expect(result.kind).toBe('config');
  const config = (result as Extract<typeof result, { kind: 'config' }>).config;
  expect(config.listen.port).toBe(9967);
  expect(config.kube?.connection).toEqual({ kind: 'in-cluster' });
  expect(config.kube?.discover).toBe(true);
});

test("RBAC: exactly get, list and watch on pods and ciliumendpoints, bound to the exporter's service account", () => {
  const role = only('ClusterRole');
  const rules = (role.rules as Doc[]).map((r) => ({
    apiGroups: [...r.apiGroups].sort(),
    resources: [...r.resources].sort(),
    verbs: [...r.verbs].sort(),
  }));
  expect(rules).toHaveLength(2);
  expect(rules).toEqual(
    expect.arrayContaining([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['cilium.io'], resources: ['ciliumendpoints'], verbs: ['get', 'list', 'watch'] },
    ])
  );
  expect(role.rules.every((r: Doc) => r.resourceNames === undefined && r.nonResourceURLs === undefined)).toBe(true);
  expect(JSON.stringify(role.rules)).not.toContain('*');
  expect(docs.some((d) => d.doc.kind === 'Role' || d.doc.kind === 'RoleBinding')).toBe(false);
  expect(docs.filter((d) => d.doc.kind === 'ClusterRole')).toHaveLength(1);
  const binding = only('ClusterRoleBinding');
  const account = only('ServiceAccount');
  expect(binding.roleRef).toEqual({
    apiGroup: 'rbac.authorization.k8s.io',
    kind: 'ClusterRole',
    name: role.metadata.name,
  });
  expect(binding.subjects).toEqual([
    { kind: 'ServiceAccount', name: account.metadata.name, namespace: account.metadata.namespace },
  ]);
  expect(pod.serviceAccountName).toBe(account.metadata.name);
});

test('the Service selects the pods, carries the prometheus.io annotations, and the ServiceMonitor selects the Service', () => {
  const service = only('Service');
  const labels = deployment.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(service.spec.selector)) {
    expect(labels[k]).toBe(v);
  }
  for (const [k, v] of Object.entries(deployment.spec.selector.matchLabels)) {
    expect(labels[k]).toBe(v);
  }
  expect(service.metadata.annotations).toEqual({
    'prometheus.io/scrape': 'true',
    'prometheus.io/port': '9967',
    'prometheus.io/path': '/metrics',
  });
  expect(service.spec.ports).toEqual([{ name: 'http', port: 9967, targetPort: 'http', protocol: 'TCP' }]);
  const monitor = only('ServiceMonitor');
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) {
    expect(service.metadata.labels[k]).toBe(v);
  }
  expect(monitor.spec.endpoints.map((e: Doc) => [e.port, e.path])).toEqual([['http', '/metrics']]);
});

test('the optional token patch mounts the Secret and points --token-file into it', () => {
  const patch = only('Deployment', 'token-patch.yaml');
  expect(patch.metadata.name).toBe(deployment.metadata.name);
  const c = patch.spec.template.spec.containers[0];
  expect(c.name).toBe(container.name);
  const env = c.env.find((e: Doc) => e.name === envName(OPTION_BY_NAME.get('token-file')!));
  const mount = c.volumeMounts[0];
  expect(mount.readOnly).toBe(true);
  expect(env.value.startsWith(mount.mountPath + '/')).toBe(true);
  const volume = patch.spec.template.spec.volumes.find((v: Doc) => v.name === mount.name);
  expect(volume.secret.secretName).toBe('ciliumscope-exporter-token');
  expect(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')).toContain('token-patch.yaml');
});
