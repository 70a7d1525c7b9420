/** Reading the Kubernetes manifests of deploy/ and the checks every exporter workload there must pass. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT } from '../../support/tools';

export type Doc = Record<string, any>;
export interface Manifest {
  file: string;
  doc: Doc;
}

export const DEPLOY = join(ROOT, 'deploy');

/** Every YAML document of the .yaml files directly in `dir` (not its subdirectories); throws on a parse error. */
export function readManifests(dir: string): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))) {
    for (const d of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (d.errors.length > 0) {
        throw new Error(`${file}: ${d.errors[0].message}`);
      }
      const doc = d.toJS() as Doc | null;
      if (doc) {
        out.push({ file, doc });
      }
    }
  }
  return out;
}

/** The exporter's pod: non-root, read-only root filesystem, no escalation, no capabilities, seccomp, no host access. */
export function expectLockedDown(pod: Doc, image = 'ghcr.io/ciliumscope/exporter:0.1.0'): void {
  const container = pod.containers[0];
  expect(container.image).toBe(image);
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
}

/** Liveness on /healthz, readiness on /readyz, both on the exporter's port 9967 named http. */
export function expectProbes(container: Doc): void {
  const port = container.ports.find((p: Doc) => p.name === 'http');
  expect(port.containerPort).toBe(9967);
  expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
  expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
}

/** The keys of an exporter YAML settings text (one `key: value` per line, comments and blank lines skipped). */
export function settingKeys(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':')[0]);
}

/** The settings file a container reads: its --config argument, resolved through the ConfigMap mounted there. */
export function mountedSettings(pod: Doc, configMaps: Doc[]): { path: string; text: string; configMap: Doc } {
  const container = pod.containers[0];
  const configArg: string = container.args.find((a: string) => a.startsWith('--config='));
  const path = configArg.slice('--config='.length);
  const mount = container.volumeMounts.find((m: Doc) => path.startsWith(m.mountPath + '/'));
  const volume = pod.volumes.find((v: Doc) => v.name === mount.name);
  const configMap = configMaps.find((c) => c.metadata.name === volume.configMap.name)!;
  const text: string = configMap.data[path.slice(mount.mountPath.length + 1)];
  return { path, text, configMap };
}
