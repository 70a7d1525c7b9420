/** The Kubernetes manifests in deploy/: they parse, fit together, run locked down and may only read pods and CEPs. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../../exporter/config/config';
import { OPTION_BY_NAME, envName } from '../../../exporter/config/options';

const DEPLOY = join(__dirname, '..', '..', '..', 'deploy');
const OPTIONAL = ['servicemonitor.yaml', 'prometheusrule.yaml', 'token-patch.yaml'];

type Doc = Record<string, any>;
const files = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'));
const docs: Array<{ file: string; doc: Doc }> = [];
for (const file of files) {
  for (const d of parseAllDocuments(readFileSync(join(DEPLOY, file), 'utf8'))) {
    if (d.errors.length > 0) {
      throw new Error(`${file}: ${d.errors[0].message}`);
    }
    const doc = d.toJS() as Doc | null;
    if (doc) {
      docs.push({ file, doc });
    }
  }
}
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
  expect(container.image).toBe('ghcr.io/ciliumscope/exporter:0.1.0');
  expect(pod.containers).toHaveLength(1);
  expect(pod.initContainers ?? []).toEqual([]);
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(pod.hostNetwork ?? false).toBe(false);
  expect(pod.hostPID ?? false).toBe(false);
  expect(pod.hostIPC ?? false).toBe(false);
  const sc = container.securityContext;
  expect(sc).toMatchObject({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    privileged: false,
  });
  expect(sc.capabilities).toEqual({ drop: ['ALL'] });
  expect(sc.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  for (const kind of ['requests', 'limits']) {
    expect(Object.keys(container.resources[kind]).sort()).toEqual(['cpu', 'memory']);
  }
  expect(pod.volumes.every((v: Doc) => !('hostPath' in v))).toBe(true);
});

test("probes: liveness on /healthz, readiness on /readyz, on the exporter's port", () => {
  const port = container.ports.find((p: Doc) => p.name === 'http');
  expect(port.containerPort).toBe(9967);
  expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
});

test('the settings in the ConfigMap load, in-cluster, listening on the container port', () => {
  const configMap = only('ConfigMap');
  const mount = container.volumeMounts.find(
    (m: Doc) => m.name === pod.volumes.find((v: Doc) => v.configMap?.name === configMap.metadata.name).name
  );
  const configArg = container.args.find((a: string) => a.startsWith('--config='));
  const configPath = configArg.slice('--config='.length);
  const key = configPath.slice(mount.mountPath.length + 1);
  const text: string = configMap.data[key];
  for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
    expect(OPTION_BY_NAME.has(line.split(':')[0])).toBe(true);
  }
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
  expect(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')).toContain('token-patch.yaml');
});
